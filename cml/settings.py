"""The domain's settings: one frozen, typed object built by `create_app`, read through `settings()`.

Each field is one setting: its name in `app.config` and as `CML_NAME` is the field's name in
capitals, its default is the field's, its meaning is its `meaning`. `cml.config` loads the
values in order (defaults, instance/config.py, CML_* environment, a test's mapping); this
module checks and converts them once, so a wrong value stops the app at start rather than
surfacing in a request, and code reads `settings().correction_window_days`, never
`current_app.config.get(...)` with a default of its own. README.md's configuration table
lists every field (tests/web/test_settings.py checks it both ways).

Flask's and its extensions' own keys (the database URL, the secret key, the cookie flags,
the rate-limit storage) stay in `app.config` where those libraries read them; README lists
the ones an operator sets beside these (`FRAMEWORK_SETTINGS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "cml.settings"

FRAMEWORK_SETTINGS = ("DATABASE_URL", "SECRET_KEY", "INSTANCE_PATH", "RATELIMIT_STORAGE_URI", "SESSION_COOKIE_SECURE")
"""Read by Flask, Flask-SQLAlchemy, Flask-Limiter or `cml.config` itself, and documented in README's table too."""


def _setting(default: Any, meaning: str, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Settings:
    """Every domain setting, with its default and meaning (README.md's configuration table)."""

    timezone: str = _setting("Europe/Kyiv", "the organisation's IANA time zone: every time on a page is shown in it; the audit log's days start at its midnight")
    suppression_threshold: int = _setting(5, "k of the disclosure gate: published cells need k respondents (and k on each side of a sensitive proportion)")
    login_rate_limit: str = _setting("30 per minute; 200 per hour", "failed sign-ins per address")
    login_username_rate_limit: str = _setting("5 per minute; 20 per hour", "failed sign-ins per username from one address")
    login_username_ceiling: str = _setting("100 per hour; 500 per day", "failed sign-ins per username from all addresses")
    trusted_proxies: int = _setting(0, "proxies in front whose X-Forwarded-For and X-Forwarded-Proto are believed")
    # Long enough for a monitor's offline week in the field; the one setting for the session and its cookie.
    session_idle_days: float = _setting(14.0, "a session unused this long is over, and its cookie expires")
    surveys_dir: str | None = _setting(None, "where `demo load` and `surveys check` look for questionnaires (None: surveys/)")
    # A full questionnaire's draft is a few thousand characters.
    draft_max_per_user: int = _setting(50, "drafts one account may keep")
    draft_max_chars_per_user: int = _setting(2_000_000, "characters of answers in all of one account's drafts")
    draft_max_age_days: float = _setting(30.0, "days a draft is kept untouched")
    # Leads and admins may correct at any time; after trash_days `trash purge` removes a submission with its history.
    correction_window_days: float = _setting(7.0, "days after receipt its monitor may correct an interview")
    trash_days: float = _setting(30.0, "days a withdrawn or deleted submission stays restorable")
    warning_days: int = _setting(90, "days a community warning is shown unless its lead chooses another last day (at most 366)")
    health_min_free_bytes: int = _setting(64 * 1024 * 1024, "/healthz answers 503 below this much free disk space")
    sqlite_busy_timeout_ms: int = _setting(10_000, "how long a write waits for SQLite's write lock")
    answer_key: str | None = _setting(None, "the key wrapping sensitive answers' keys (None: instance/answer_key)", secret=True)
    answer_key_old: str | None = _setting(None, "the previous answer key while `keys rotate` runs", secret=True)
    backup_dir: str | None = _setting(None, "where `backup create` writes without --to (None: instance/backups)")
    dhis2_mappings_dir: str | None = _setting(None, "the DHIS2 mapping files the web download offers (None: instance/dhis2)")
    pg_bin_dir: str | None = _setting(None, "the folder of pg_dump and pg_restore (None: found on the PATH)")
    log_level: str = _setting("INFO", "the application log's level")
    log_format: str = _setting("keyvalue", "`json` for one JSON object per line")
    table_cache: bool = _setting(True, "keep computed indicator tables per process until the next write of sums")
    table_cache_entries: int = _setting(512, "tables the cache holds at most")
    table_cache_cells: int = _setting(50_000, "cells the cache holds at most")
    bench_routes: bool = _setting(False, "the benchmark's extra routes (cml.bench only; never in production)")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The settings from a loaded `app.config`: each value converted to its field's type, or ValueError."""
        values: dict[str, Any] = {}
        for each in fields(cls):
            key = each.name.upper()
            if key in config:
                values[each.name] = _convert(key, config[key], each.default)
        return cls(**values)

    @staticmethod
    def meaning(name: str) -> str:
        return str(next(each.metadata["meaning"] for each in fields(Settings) if each.name == name))


def _convert(key: str, value: Any, default: Any) -> Any:
    """`value` as the type of `default` (a setting whose default is None takes text or None)."""
    if default is None:
        return None if value in (None, "") else str(value)
    if isinstance(default, bool):
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        if isinstance(value, bool | int):
            return bool(value)
        raise ValueError(f"{key} must be true or false, not {value!r}")
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be {type(default).__name__}, not {value!r}") from None


def defaults() -> dict[str, Any]:
    """Every setting's default under its `app.config` key (None ones left out: absent means unset)."""
    return {each.name.upper(): each.default for each in fields(Settings) if each.default is not None}


def init_app(app: Flask) -> None:
    """Build the app's settings from its loaded configuration (after `cml.config.load_config`)."""
    app.extensions[EXTENSION_KEY] = Settings.from_config(app.config)


def settings(app: Flask | None = None) -> Settings:
    """The settings of `app` (the current app by default)."""
    found = (app or current_app).extensions[EXTENSION_KEY]
    assert isinstance(found, Settings)
    return found


def override(app: Flask, **changes: Any) -> None:
    """Replace some settings of a running app (a benchmark turning the table cache off), checked as at start."""
    current = settings(app)
    checked = {name: _convert(name.upper(), value, getattr(Settings(), name)) for name, value in changes.items()}
    app.extensions[EXTENSION_KEY] = replace(current, **checked)
