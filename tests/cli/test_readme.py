"""The README says what dev.py reads and does: every CML_* variable it reads is documented,
and what `demo load` does to passwords is told as it now is."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_the_layout_names_every_package_of_cml_and_links_the_architecture() -> None:
    layout = README.split("\n## Layout", 1)[1].split("\n## ", 1)[0]
    packages = {path.parent.name for path in (ROOT / "cml").glob("*/__init__.py")}
    assert {"core", "services", "bench", "demo"} <= packages
    assert {name for name in packages if f"cml/{name}/" not in layout} == set()
    assert "(ARCHITECTURE.md)" in layout and (ROOT / "ARCHITECTURE.md").is_file()


def test_the_architecture_names_only_files_that_exist() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:cml/)?[\w/]+\.py)`", text))
    assert len(named) > 30
    bare = {path.name for path in (ROOT / "cml").rglob("*.py")}
    missing = {name for name in named if not (ROOT / name).is_file() and not (ROOT / "cml" / name).is_file() and name not in bare}
    assert missing == set()


def test_the_architecture_names_only_functions_that_exist_where_it_says() -> None:
    """"`services/counting.py` `recount`" is a promise that `recount` is defined in that file: held for every such pair."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    pairs = re.findall(r"`((?:cml/)?[\w/]+\.py)`\s+(?:\(`[^`]+`\)\s+)?`([A-Za-z_][\w.]*)`", text)
    assert len(pairs) > 15
    wrong = []
    for path, name in pairs:
        source = next(p for p in (ROOT / path, ROOT / "cml" / path, *sorted((ROOT / "cml").rglob(path))) if p.is_file()).read_text(encoding="utf-8")
        parts = name.split(".")
        first = parts[1] if len(parts) > 1 and parts[0] == Path(path).stem else parts[0]  # `audit.record` in audit.py
        if not re.search(rf"^\s*(?:def|class|async def) {first}\b|^{first}\b.*=", source, re.MULTILINE):
            wrong.append(f"{path} {name}")
    assert wrong == []
