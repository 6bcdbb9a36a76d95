"""The table cache serves a table again only while no write of sums happened, and never across scopes."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from unittest import mock

import pytest
from sqlalchemy import delete

from cml.extensions import db
from cml.models import DataVersion
from cml.services import data_version, demo_data, estimates, fact_sums, table_cache
from cml.services.bulk import NewResponse, store_many
from cml.services.estimates import estimate_cells, sharing_totals
from cml.services.publication import disclosure_cube
from cml.services.regions import region_by_code
from tests.conftest import FIXTURES, login
from tests.fixtures.mini_survey import Mini, facility

TODAY = date(2026, 2, 10)
MAY = date(2025, 5, 1)


def sums_read():
    """A spy on the GROUP BY of every table computed (a cache hit runs none)."""
    return mock.patch.object(estimates, "facility_totals", wraps=estimates.facility_totals)


@pytest.fixture
def mini_in_may(app, mini: Mini) -> Mini:
    """The mini questionnaire with ten answers in May 2025 at kyiv-01: 6 offered a test of 10."""
    with app.app_context():
        kyiv = facility()
        answers = [{"tested": "yes"}] * 6 + [{"tested": "no", "why_not": "no_kits"}] * 4
        store_many(mini.questionnaire_version(), [NewResponse(uuid.uuid4(), kyiv.id, kyiv.region_id, MAY, a) for a in answers], source="import")
        db.session.commit()
    return mini


@contextmanager
def web_request(app, path: str = "/dashboard/", method: str = "GET") -> Iterator[None]:
    """A request as the web layer runs it up to the view (its before-request hooks make a GET's read context)."""
    with app.test_request_context(path, method=method):
        app.preprocess_request()
        yield


def offered_test(app) -> tuple[tuple[int | None, int], int]:
    """(x, n) of the national "offered a test" as a read-only request sees it, and how many GROUP BYs it ran."""
    with web_request(app), sums_read() as spy:
        (cell,) = estimate_cells("mini", indicator_ids=["offered_test"], by=())
        return (cell.x, cell.n), spy.call_count


def test_a_table_is_served_again_until_a_submission_writes_sums(client, app, mini_in_may) -> None:
    assert offered_test(app) == ((6, 10), 1)
    assert offered_test(app) == ((6, 10), 0)  # nothing written: no GROUP BY, no statistics
    login(client, "demo-monitor")
    data = {"submission_id": str(uuid.uuid4()), "version": str(mini_in_may.version), "facility": str(mini_in_may.kyiv),
            "interview_date": date.today().isoformat(), "q_tested": "yes", "q_wait": "25", "q_attitude": "respectful"}
    assert client.post("/collect/mini/submit", data=data).status_code == 303
    assert offered_test(app) == ((7, 11), 1)
    assert offered_test(app) == ((7, 11), 0)


def test_a_paper_import_invalidates(runner, app, mini_in_may, tmp_path) -> None:
    assert offered_test(app) == ((6, 10), 1)
    path = tmp_path / "forms.csv"
    path.write_text("region,facility,date,tested,why_not,wait\nkyiv,kyiv-01,2025-05-02,no,no_kits,\nkyiv,kyiv-01,2025-05-03,yes,,10\n")
    result = runner.invoke(args=["responses", "import", "--survey", "mini", str(path)])
    assert result.exit_code == 0, result.output
    assert offered_test(app) == ((7, 12), 1)


def test_a_rebuild_invalidates(runner, app, mini_in_may, tmp_path) -> None:
    document = json.loads((FIXTURES / "mini.json").read_text())
    document["version"] = 2
    document["indicators"][0]["numerator"] = {"question": "tested", "equals": "no"}
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(document))
    assert runner.invoke(args=["surveys", "publish", str(path)]).exit_code == 0
    assert offered_test(app) == ((6, 10), 1)  # a new version is a new key; its facts are still the old ones
    assert offered_test(app) == ((6, 10), 0)
    result = runner.invoke(args=["indicators", "rebuild", "--survey", "mini"])
    assert result.exit_code == 0, result.output
    assert offered_test(app) == ((4, 10), 1)


def test_a_refresh_of_the_sums_gives_a_new_version(app, mini_in_may) -> None:
    with app.app_context():
        before = data_version.read()
        fact_sums.refresh()
        db.session.commit()
        assert data_version.read() not in (None, before)


def test_a_rolled_back_write_leaves_the_version(app, mini_in_may) -> None:
    with app.app_context():
        before = data_version.read()
        data_version.bump()
        assert data_version.read() != before  # the transaction sees its own write
        db.session.rollback()
        assert data_version.read() == before


def test_without_the_row_nothing_is_cached_until_a_write_puts_it_back(app, mini_in_may) -> None:
    with app.app_context():
        db.session.execute(delete(DataVersion))
        db.session.commit()
    assert offered_test(app) == ((6, 10), 1)
    assert offered_test(app) == ((6, 10), 1)
    with app.app_context():
        data_version.bump()
        db.session.commit()
        assert data_version.read() is not None
    assert offered_test(app) == ((6, 10), 1)
    assert offered_test(app) == ((6, 10), 0)


def test_two_scopes_never_share_an_entry(app, mini_in_may) -> None:
    with app.app_context():
        kyiv, odesa = region_by_code("kyiv").id, region_by_code("odesa").id  # type: ignore[union-attr]

    def tables() -> list[list[tuple[int | None, int]]]:
        return [[(c.x, c.n) for c in estimate_cells("mini", indicator_ids=["offered_test"], by=(), region_ids=scope).rows]
                for scope in (None, {kyiv}, {odesa}, set())]

    with web_request(app), sums_read() as spy:
        first = tables()
        assert spy.call_count == 3  # an empty scope reads nothing
    assert first == [[(6, 10)], [(6, 10)], [], []]
    with web_request(app), sums_read() as spy:
        assert tables() == first
        assert spy.call_count == 0
    cache = table_cache.app_cache(app)
    assert cache is not None and len(cache) == 3


def test_what_a_caller_changes_does_not_change_the_cache(app, mini_in_may) -> None:
    with web_request(app):
        table = estimate_cells("mini", by=())
        cube = disclosure_cube("mini", 5)
        rows, statuses = list(table.rows), dict(cube.published)
        table.rows.clear()
        with pytest.raises(TypeError):
            cube.published[next(iter(cube.published))] = True  # type: ignore[index]  # read-only: the cached cube is shared
    with web_request(app), sums_read() as spy:
        assert estimate_cells("mini", by=()).rows == rows
        assert dict(disclosure_cube("mini", 5).published) == statuses
        assert spy.call_count == 0


def test_a_request_that_may_write_reads_the_version_each_time(app, mini_in_may) -> None:
    with web_request(app, "/", method="POST"), mock.patch.object(data_version, "read", wraps=data_version.read) as spy:
        estimate_cells("mini", by=())
        estimate_cells("mini", by=())
        assert spy.call_count == 2


def test_an_export_looks_up_every_table_under_the_version_it_read_first(app, mini_in_may) -> None:
    with app.app_context(), sharing_totals(), mock.patch.object(data_version, "read", wraps=data_version.read) as spy:
        estimate_cells("mini", by=())
        disclosure_cube("mini", 5)
        assert spy.call_count == 1


@pytest.fixture
def generated_recent(app, world) -> None:
    with app.app_context():
        for _ in demo_data.generate(600, seed=5, today=TODAY, chunk=300):
            db.session.commit()


@pytest.mark.parametrize("role", ["advocate", "lead", "admin"])
def test_cached_pages_equal_the_pages_computed_afresh(make_app, world, generated_recent, role) -> None:
    cached_app, fresh_app = make_app(), make_app(TABLE_CACHE=False)
    pages = ["/dashboard/", "/dashboard/indicator?indicator=offered_test", "/dashboard/?region=kyiv", "/dashboard/?grain=month"]
    cached_client, fresh_client = cached_app.test_client(), fresh_app.test_client()
    for client in (cached_client, fresh_client):
        assert login(client, f"demo-{role}").status_code == 302
    other = cached_app.test_client()
    login(other, "demo-lead" if role != "lead" else "demo-advocate")
    for page in pages:
        other.get(page)  # another reader's tables are in the cache first
        first = cached_client.get(page)
        with sums_read() as spy:
            again = cached_client.get(page)
            assert spy.call_count == 0
        fresh = fresh_client.get(page)
        assert first.status_code == again.status_code == fresh.status_code
        assert figures(first.data) == figures(again.data) == figures(fresh.data), page


def figures(page: bytes) -> str:
    """A page without its per-session CSRF tokens."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page.decode())


def test_the_cache_is_bounded_by_entries_and_by_cells() -> None:
    cache = table_cache.TableCache(max_entries=3, max_cells=80)
    for key in "abcd":
        cache.put(1, key, key, 1)
    assert len(cache) == 3 and cache.get(1, "a") == (False, None)
    assert cache.get(1, "b") == (True, "b")  # now the most recently used
    cache.put(1, "big", "x", 11)  # more than an eighth of the cells: computed, not kept
    assert cache.get(1, "big") == (False, None)
    cache.put(1, "e", "e", 10)
    cache.put(1, "f", "f", 10)
    assert [cache.get(1, k)[0] for k in "bcdef"] == [True, False, False, True, True]
    for n in range(8):
        cache.put(1, n, n, 10)
    assert len(cache) == 3  # entries bound
    assert cache.get(2, 7) == (False, None)  # a new version drops what the old one held
    assert len(cache) == 0


def test_a_table_cannot_be_cached_without_its_scope(app) -> None:
    with app.app_context():
        with pytest.raises(TypeError, match="table_key"):
            table_cache.cached(("estimate_cells", 1, "offered_test"), lambda: ())  # type: ignore[arg-type]  # a hand-made key has no scope
        with pytest.raises(TypeError, match="Scope"):
            table_cache.table_key("estimate_cells", (1, ("offered_test",)), frozenset({1}))  # type: ignore[arg-type]
        key = table_cache.table_key("estimate_cells", (1, ("offered_test",)), table_cache.Scope.of({1}))
        assert key != table_cache.table_key("estimate_cells", (1, ("offered_test",)), table_cache.Scope.of({2}))


def test_every_cached_table_in_cml_is_keyed_by_table_key_with_a_scope() -> None:
    """A registry over the code: each call of `cached` builds its key with `table_key`, whose scope argument is a Scope."""
    import ast
    from pathlib import Path

    import cml

    calls = []
    for path in Path(cml.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "cached":
                calls.append((path.name, node))
    assert {name for name, _ in calls} >= {"estimates.py", "publication.py"}
    for name, call in calls:
        key = call.args[0] if call.args else None
        if isinstance(key, ast.Name):  # key = table_cache.table_key(…); cached(key, …)
            continue
        assert isinstance(key, ast.Call) and getattr(key.func, "attr", getattr(key.func, "id", None)) == "table_key", (name, ast.unparse(call))
        assert len(key.args) >= 3, (name, ast.unparse(key))  # name, plan, scope
