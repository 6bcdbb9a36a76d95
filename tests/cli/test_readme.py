"""The README says what dev.py reads and does: every CML_* variable it reads is documented,
and what `demo load` does to passwords is told as it now is."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_variable_dev_py_reads_is_in_the_readme() -> None:
    read = set(re.findall(r'os\.environ\.get\("(CML_[A-Z_]+)"', (ROOT / "dev.py").read_text(encoding="utf-8")))
    assert {"CML_HOST", "CML_PORT"} <= read
    assert {name for name in read if f"`{name}" not in README} == set()


def test_the_readme_tells_how_demo_passwords_are_kept() -> None:
    assert "new passwords on every run" not in README
    assert "--reset-passwords" in README


def test_the_readme_screenshots_exist() -> None:
    for image in re.findall(r"(docs/[\w-]+\.png)", README):
        assert (ROOT / image).is_file(), image
    assert (ROOT / "docs" / "screenshots.py").is_file()
