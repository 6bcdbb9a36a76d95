"""The domain's settings: one typed object, every key in README's configuration table and back."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from cml.settings import FRAMEWORK_SETTINGS, Settings, override, settings

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_settings() -> set[str]:
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `CML_([A-Z0-9_]+)` \|", section, re.MULTILINE))


def test_every_setting_is_in_the_readme_table_and_every_row_is_a_setting() -> None:
    domain = {each.name.upper() for each in fields(Settings)}
    assert readme_settings() == domain | set(FRAMEWORK_SETTINGS)
    assert all(each.metadata["meaning"] for each in fields(Settings))


def test_values_are_converted_to_their_type_once_at_start(make_app) -> None:
    app = make_app(TRASH_DAYS="3", TABLE_CACHE="false", SUPPRESSION_THRESHOLD=10, BACKUP_DIR="")
    configured = settings(app)
    assert (configured.trash_days, configured.table_cache, configured.suppression_threshold, configured.backup_dir) == (3.0, False, 10, None)
    assert configured.correction_window_days == 7.0  # the default


@pytest.mark.parametrize(("key", "value"), [("TRASH_DAYS", "a month"), ("TABLE_CACHE", "maybe"), ("DRAFT_MAX_PER_USER", [50])])
def test_a_wrong_value_stops_the_app_at_start(make_app, key, value) -> None:
    with pytest.raises(ValueError, match=key):
        make_app(**{key: value})


def test_secrets_are_not_in_the_settings_repr(make_app) -> None:
    app = make_app(ANSWER_KEY="c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0zMmJ5dGVzIQ==")
    assert settings(app).answer_key and "c2VjcmV0" not in repr(settings(app))


def test_override_checks_as_at_start(app) -> None:
    override(app, table_cache="false")
    assert settings(app).table_cache is False
    with pytest.raises(ValueError):
        override(app, trash_days="soon")
