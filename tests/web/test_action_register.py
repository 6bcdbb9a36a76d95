"""The action register as XLSX: one row per visible action, in the reader's language, figures gated, audited first."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cml.extensions import db
from cml.models import Action, AuditEvent
from cml.services import actions
from tests.web.test_meetings import account, open_action


@pytest.fixture
def three_actions(app, generated) -> dict[str, int]:
    with app.app_context():
        return {
            "kyiv": open_action("demo-lead", "kyiv", "Condoms run out in Kyiv clinics"),
            "facility": open_action("demo-admin", "kyiv", "One clinic turns people away", facility=True),
            "odesa": open_action("demo-admin", "odesa", "Police raids in Odesa"),
        }


def sheet_rows(data: bytes) -> tuple[list[str], list[dict[str, object]]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_a_leads_register_has_their_regions_actions_with_figures(app, client, as_role, three_actions) -> None:
    as_role("lead")
    response = client.get("/actions/register.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    header, rows = sheet_rows(response.data)
    assert {row["Action"] for row in rows} == {three_actions["kyiv"], three_actions["facility"]}
    with app.app_context():
        action = db.session.get(Action, three_actions["kyiv"])
        check = actions.recheck(action, account("demo-lead"))
        [row] = [r for r in rows if r["Action"] == action.id]
        assert row["Problem"] == "Condoms run out in Kyiv clinics" and row["What we asked"] == "Stock condoms at every visit"
        assert row["Baseline"] == pytest.approx(action.baseline["estimate"]) and row["Baseline n"] == action.baseline["n"]
        assert check.current is not None
        assert row["Current figure"] == pytest.approx(check.current.estimate) and row["Current n"] == check.current.n
        assert row["Change"] == pytest.approx(check.change)
        assert row["What the data say"] in ("improved (clear)", "no clear change", "worse (clear)")
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.action_register")).all()
        assert event.actor_username == "demo-lead" and event.details["rows"] == 2


def test_an_advocates_register_withholds_a_facilitys_figures(app, client, as_role, three_actions) -> None:
    as_role("advocate")
    header, rows = sheet_rows(client.get("/actions/register.xlsx").data)
    assert {row["Action"] for row in rows} == set(three_actions.values())
    facility = next(r for r in rows if r["Action"] == three_actions["facility"])
    assert facility["Withheld"] == "yes"
    assert all(facility[name] is None for name in ("Baseline", "Baseline n", "Current figure", "Current n", "Change", "Change, p-value"))
    assert facility["Problem"] == "One clinic turns people away"
    assert facility["Where"] == "a facility in Kyiv"  # a facility is not named to advocates


@pytest.mark.parametrize(("language", "asked", "says", "sheet"), [("uk", "Що ми просили", "Що кажуть дані", "Дії"),
                                                            ("ru", "Что мы просили", "Что говорят данные", "Действия")])
def test_the_register_is_in_the_chosen_language(client, as_role, three_actions, language, asked, says, sheet) -> None:
    as_role("lead")
    client.post("/language", data={"lang": language})
    response = client.get("/actions/register.xlsx")
    assert f"-{language}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames[0] == sheet
    header, rows = sheet_rows(response.data)
    assert asked in header and "What we asked" not in header
    verdicts = {"uk": ("покращилося (чітко)", "без чіткої зміни", "погіршилося (чітко)", "недостатньо даних"),
                "ru": ("улучшилось (чётко)", "без чёткого изменения", "ухудшилось (чётко)", "недостаточно данных")}
    assert rows and all(row[says] in verdicts[language] for row in rows), [row[says] for row in rows]


def test_a_formula_in_a_problem_stays_text(app, client, as_role, three_actions) -> None:
    with app.app_context():
        action = db.session.get(Action, three_actions["kyiv"])
        action.problem = "=HYPERLINK(\"http://example.org\")"
        db.session.commit()
    as_role("lead")
    book = load_workbook(io.BytesIO(client.get("/actions/register.xlsx").data))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=HYPERLINK(\"http://example.org\")"]
    assert cells and all(c.data_type == "s" for c in cells)
