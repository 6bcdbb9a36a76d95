"""No import circle in cml: the module-level imports form no cycle.

The one exception is a package's `__init__` gathering its own modules (a feature package
importing its views so their routes register); an edge from any other module back to a
module that is still importing it is a circle, and only works in one import order.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import cml

ROOT = Path(cml.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The cml modules `path` imports when it is imported (not inside functions, not under TYPE_CHECKING),
    with the packages a submodule import loads first."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for statement in node.body if isinstance(node, ast.Try) else [node]:
            if isinstance(statement, ast.Import):
                found.update(alias.name for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom):
                base = statement.module or ""
                if statement.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - statement.level + 1] + ([base] if base else []))
                found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in statement.names)
    loaded = {parent for each in found for parent in (".".join(each.split(".")[:i]) for i in range(1, each.count(".") + 2))}
    own = (lambda other: other.startswith(name + ".")) if path.name == "__init__.py" else (lambda other: False)
    return {each for each in loaded if each in known and each != name and not own(each)}


def graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in ROOT.rglob("*.py")}
    return {name: top_level_imports(path, name, set(paths)) for name, path in paths.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_cml_has_no_import_circle() -> None:
    edges = graph()
    assert "cml.auth.loading" in edges and "cml.models" in edges["cml.auth.loading"]
    assert cycles(edges) == []


def test_the_check_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_models_and_the_signed_in_user_import_in_either_order() -> None:
    """The circle the issue named (models/accounts.py ↔ auth/loading.py): each imports first in a fresh interpreter."""
    for first in ("cml.models.accounts", "cml.auth.loading"):
        done = subprocess.run([sys.executable, "-c", f"import {first}"], capture_output=True, text=True, cwd=ROOT.parent, timeout=120)
        assert done.returncode == 0, done.stderr
