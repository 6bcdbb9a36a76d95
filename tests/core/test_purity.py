"""cml/core is pure: no Flask, no SQLAlchemy, so it runs in a CLI, a worker or a notebook."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "cml" / "core"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "cml.models", "cml.services", "cml.extensions")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_import_neither_flask_nor_sqlalchemy() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(m for m in imported_modules(path) if m.startswith(FORBIDDEN))
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_core_loads_no_web_or_database_library() -> None:
    code = (
        "import sys, importlib, pkgutil, cml.core\n"
        "for m in pkgutil.walk_packages(cml.core.__path__, 'cml.core.'): importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug', 'wtforms'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
