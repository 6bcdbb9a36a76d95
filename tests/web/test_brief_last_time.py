"""The council brief's section "What we asked last time and what changed", in three languages and gated."""

from __future__ import annotations

from datetime import date

import pytest

from cml.core.publication import HIDDEN
from cml.extensions import db
from cml.meetings import lines
from cml.models import Action, Meeting
from cml.services import actions, meetings
from tests.web.test_meetings import account, new_meeting, open_action

HEADINGS = {"en": "What we asked last time and what changed", "uk": "Що ми просили минулого разу і що змінилося",
            "ru": "Что мы просили в прошлый раз и что изменилось"}
VERDICTS = {
    "en": {"improved_clear": "improved (clear)", "no_clear_change": "no clear change", "worse_clear": "worse (clear)"},
    "uk": {"improved_clear": "покращилося (чітко)", "no_clear_change": "без чіткої зміни", "worse_clear": "погіршилося (чітко)"},
    "ru": {"improved_clear": "улучшилось (чётко)", "no_clear_change": "без чёткого изменения", "worse_clear": "ухудшилось (чётко)"},
}


@pytest.fixture
def national_meeting(app, generated) -> tuple[int, str]:
    """A national council meeting this quarter with a national action on its agenda; the action's verdict."""
    with app.app_context():
        action = open_action("demo-advocate", None, "Condoms run out across the country")
        meeting = new_meeting("demo-advocate", None, date.today(), "National council, this quarter")
        meetings.add_to_agenda(account("demo-advocate"), db.session.get(Meeting, meeting), action)
        db.session.commit()
        check = actions.recheck(db.session.get(Action, action), account("demo-advocate"))
        assert not check.withheld and check.current is not None  # national cells are large: published
        return meeting, check.verdict


@pytest.fixture
def kyiv_meeting(app, generated) -> tuple[int, str]:
    """A Kyiv council meeting this quarter with a Kyiv action on its agenda; the action's verdict."""
    with app.app_context():
        action = open_action("demo-lead", "kyiv", "Condoms run out in Kyiv clinics")
        meeting = new_meeting("demo-lead", "kyiv", date.today(), "Kyiv council, this quarter")
        meetings.add_to_agenda(account("demo-lead"), db.session.get(Meeting, meeting), action)
        db.session.commit()
        return meeting, actions.recheck(db.session.get(Action, action), account("demo-lead")).verdict


def last_time(page: str) -> str:
    start = page.index('class="last-time"')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_the_brief_lists_the_last_meetings_actions_with_their_recheck(client, as_role, national_meeting, language) -> None:
    _meeting, verdict = national_meeting
    as_role("advocate")
    client.post("/language", data={"lang": language})
    page = client.get("/reports/brief?survey=clinic_exit").get_data(as_text=True)
    section = last_time(page)
    assert HEADINGS[language] in section
    assert "National council, this quarter" in section and "Condoms run out across the country" in section
    assert VERDICTS[language][verdict] in section
    assert "n = " in section  # the figures, then and now


def test_a_brief_of_a_quarter_before_the_meeting_has_no_such_section(client, as_role, kyiv_meeting) -> None:
    as_role("lead")
    page = client.get("/reports/brief?survey=clinic_exit&region=kyiv&period=2020Q1").get_data(as_text=True)
    assert 'class="last-time"' not in page


def test_another_councils_meeting_is_not_in_a_regions_brief(client, as_role, kyiv_meeting) -> None:
    as_role("advocate")
    national = client.get("/reports/brief?survey=clinic_exit").get_data(as_text=True)
    assert 'class="last-time"' not in national  # the nation's brief shows the national council only
    assert "Condoms run out in Kyiv clinics" in last_time(client.get("/reports/brief?survey=clinic_exit&region=kyiv").get_data(as_text=True))
    assert 'class="last-time"' not in client.get("/reports/brief?survey=clinic_exit&region=odesa").get_data(as_text=True)


def test_the_brief_never_shows_a_facility_figure_nor_a_withheld_cell(app, client, as_role, kyiv_meeting, monkeypatch) -> None:
    """Even a lead's brief: it is made to leave the platform."""
    with app.app_context():
        facility_action = open_action("demo-admin", "kyiv", "One clinic turns people away", facility=True)
        meetings.add_to_agenda(account("demo-admin"), db.session.get(Meeting, kyiv_meeting[0]), facility_action)
        db.session.commit()
        check = actions.recheck(db.session.get(Action, facility_action), account("demo-lead"))
        assert check.baseline is not None  # the lead sees the facility's figure inside the platform...
    as_role("lead")
    page = client.get("/reports/brief?survey=clinic_exit&region=kyiv").get_data(as_text=True)
    item = page[page.index("One clinic turns people away"):]
    item = item[:item.index("</div>")]
    assert "n = " not in item and "withheld" in item  # ...but not in the brief
    assert "a facility in Kyiv" in item
    with app.app_context():
        name = db.session.get(Action, facility_action).facility.name
    assert name not in item
    # A region's cell the gate withholds is withheld in the brief too, with its verdict.
    monkeypatch.setattr(lines, "disclosure_cube", lambda code, k: type("Closed", (), {"status": lambda self, *a, **kw: HIDDEN})())
    section = last_time(client.get("/reports/brief?survey=clinic_exit&region=kyiv").get_data(as_text=True))
    assert "n = " not in section and "Condoms run out in Kyiv clinics" in section
    assert not any(words in section for words in VERDICTS["en"].values())
