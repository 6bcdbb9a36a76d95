"""Each feature's URLs are in one file, its urls.py (as indico's blueprint.py): every rule the app serves is added
there, by the package whose view answers it, and no other module declares a route."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import cml

CML = Path(cml.__file__).resolve().parent
NOT_IN_A_TABLE = {
    "static",  # Flask's static files
    "api-docs.openapi_json",  # the OpenAPI document, served by flask-smorest's Api (cml.api register)
}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete", "head", "options"}


def url_tables() -> list[Path]:
    return sorted(CML.rglob("urls.py"))


def declared_rules(path: Path) -> list[tuple[str, str]]:
    """(endpoint, view as written) of each `add_url_rule` in a urls.py, the endpoint prefixed with its blueprint's name."""
    tree = ast.parse(path.read_text())
    blueprints = {node.targets[0].id: node.value.args[0].value for node in ast.walk(tree)
                  if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and ast.unparse(node.value.func).endswith("Blueprint")}
    return [(f"{blueprints[call.func.value.id]}.{call.args[1].value}", ast.unparse(call.args[2])) for call in ast.walk(tree)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add_url_rule"]


def package_of(path: Path) -> str:
    return ".".join(path.parent.relative_to(CML.parent).parts)


def route_declarations(source: str, url_table: bool) -> list[str]:
    """Where a module declares a URL other than in a URL table: a route decorator (`@<name>.get("/…")` and the like)
    on a function or class in any module, or an `add_url_rule` call in a module that is not a urls.py."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found += [f"{each.lineno}: @{ast.unparse(each)}" for each in node.decorator_list
                      if isinstance(each, ast.Call) and isinstance(each.func, ast.Attribute) and each.func.attr in ROUTE_DECORATORS
                      and each.args and isinstance(each.args[0], ast.Constant) and str(each.args[0].value).startswith("/")]
        elif not url_table and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_url_rule":
            found.append(f"{node.lineno}: {ast.unparse(node.func)}")
    return found


def test_every_rule_of_the_app_is_in_a_url_table(make_app) -> None:
    app = make_app(BENCH_ROUTES=True)  # the benchmark's route too
    declared = [endpoint for path in url_tables() for endpoint, _ in declared_rules(path)]
    assert [endpoint for endpoint, count in Counter(declared).items() if count > 1] == []
    assert set(declared) == {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_IN_A_TABLE
    assert len(declared) >= 96  # every feature's table was read (96 routes when the tables were made)


def test_each_table_routes_to_its_own_packages_views_by_their_names(make_app) -> None:
    """A view is answered where its table says, and its endpoint is its function's name: url_for's names and
    Flask-Limiter's per-view limits (keyed by module and name) stay as they were."""
    app = make_app(BENCH_ROUTES=True)
    for path in url_tables():
        package = package_of(path)
        for endpoint, written in declared_rules(path):
            view = app.view_functions[endpoint]
            assert view.__module__.startswith(package + "."), (endpoint, view.__module__)
            assert f"{view.__module__.rpartition('.')[2]}.{view.__name__}" == written, (endpoint, written)
            assert endpoint.rpartition(".")[2] == view.__name__


def test_no_module_declares_a_route_outside_its_url_table() -> None:
    found = [f"{path.relative_to(CML)}:{where}" for path in sorted(CML.rglob("*.py"))
             for where in route_declarations(path.read_text(), url_table=path.name == "urls.py")]
    assert found == []


def test_the_check_sees_a_stray_route() -> None:
    stray = '@bp.get("/stray")\ndef stray() -> str:\n    return ""\n\n\nbp.add_url_rule("/other", "other", other)\n'
    assert route_declarations(stray, url_table=False) == ["1: @bp.get('/stray')", "6: bp.add_url_rule"]
    assert route_declarations(stray, url_table=True) == ["1: @bp.get('/stray')"]  # a table lists its rules, it decorates none
    assert route_declarations('@cache.get("key")\ndef cached() -> None:\n    pass\n', url_table=False) == []  # not a URL
