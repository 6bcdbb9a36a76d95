"""The council brief's "Documented incidents": counts by kind, perpetrator and region per quarter, only of reports
that may be counted, gated like every published figure, in three languages, without facility names."""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from datetime import date, timedelta
from datetime import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from cml.core.incident_counts import GROUPS, KINDS, PERPETRATORS, REPORTS, labels_of, may_be_counted, tally
from cml.core.periods import period_key, period_label
from cml.core.publication import protect_cube
from cml.core.synthetic import Generator, facility_profiles
from cml.extensions import db
from cml.models import Case, Facility, Region, Response
from cml.services import surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.incident_counts import incident_counts, incident_cube
from cml.services.scope import stand_in
from tests.disclosure_attacker import attack_indicator

K = 5
TODAY = date.today()
FIRST = TODAY - timedelta(days=400)
HEADINGS = {"en": "Documented incidents", "uk": "Задокументовані випадки", "ru": "Задокументированные случаи"}


def quarter_of(day: date) -> int:
    return period_key(day.year * 100 + day.month, "quarter")


@pytest.fixture
def reports(app, world) -> dict[str, Any]:
    """320 generated incident reports in every region; one in six said no to being counted (a hand-made v4 answer,
    until version 4 ships), and one counted report's consent was withdrawn later on its case."""
    with app.app_context():
        version = surveys.latest_version("incident_report")
        assert version is not None
        places = [(stand_in(region).id, region.id) for region in db.session.scalars(select(Region).order_by(Region.code))]
        db.session.commit()
        generator = Generator(surveys.model_of(version), facility_profiles(places, random.Random("i:places")), FIRST, TODAY, TODAY, "i")
        rng = random.Random("i:consent")
        items = []
        for made in generator.responses("i:1", 320):
            answers = dict(made.answers)
            if rng.random() < 1 / 6:
                answers["consent_count"] = "no"
            elif rng.random() < 0.5:
                answers["consent_count"] = "yes"
            items.append(NewResponse(uuid.uuid4(), made.facility_id, made.region_id, made.interview_date, answers))
        # Stored as version 3 stores them; then the consent answer written in plain, where version 4 keeps it.
        assert store_many(version, [NewResponse(i.submission_id, i.facility_id, i.region_id, i.interview_date,
                                                {q: v for q, v in i.answers.items() if q != "consent_count"}) for i in items],
                          source="demo").stored == 320
        consent = {i.submission_id: i.answers["consent_count"] for i in items if "consent_count" in i.answers}
        for response in db.session.scalars(select(Response).where(Response.submission_id.in_(consent))):
            response.answers = {**response.answers, "consent_count": consent[response.submission_id]}
        db.session.commit()
        counted = [item for item in items if item.answers.get("consent_count") != "no"]
        withdrawn = counted[0]
        response = db.session.scalar(select(Response).where(Response.submission_id == withdrawn.submission_id))
        assert response is not None
        db.session.add(Case(submission_id=response.id, region_id=response.region_id, facility_id=response.facility_id, state="open",
                            consent_count=True, count_withdrawn_at=dt.now()))
        db.session.commit()
        return {"items": items, "withdrawn": withdrawn.submission_id}


def by_hand(items: list[NewResponse], withdrawn: uuid.UUID) -> Counter[tuple[str, int, int]]:
    """Each count straight from the answers: reports per region and quarter, and those naming each kind and perpetrator."""
    counts: Counter[tuple[str, int, int]] = Counter()
    for item in items:
        if item.answers.get("consent_count") == "no" or item.submission_id == withdrawn:
            continue
        cell = (item.region_id, quarter_of(item.interview_date))
        counts[(REPORTS, *cell)] += 1
        types, who = item.answers.get("violence_types") or [], item.answers.get("perpetrator") or []
        economic = {"unpaid", "theft", "extortion"} & set(types)  # type: ignore[arg-type]
        for kind, hit in (("physical", "physical" in types), ("sexual", "sexual" in types), ("economic", bool(economic)),
                          ("verbal", "verbal" in types), ("documents", item.answers.get("documents_confiscated") == "yes")):
            counts[(kind, *cell)] += hit
        for perpetrator in PERPETRATORS:
            counts[(f"by_{perpetrator}", *cell)] += perpetrator in who
    return counts


def test_a_report_is_counted_unless_the_person_said_no() -> None:
    assert may_be_counted({"consent_count": "yes"}) and may_be_counted({})  # version 3 asked nothing: counted as before
    assert not may_be_counted({"consent_count": "no"})
    assert labels_of({"violence_types": ["theft", "verbal"], "perpetrator": ["police", "client"], "documents_confiscated": "yes"}) == [
        "economic", "verbal", "documents", "by_client", "by_police"]
    counts = tally([(1, 202603, {"violence_types": ["physical"], "perpetrator": ["police"], "consent_count": "no"}),
                    (1, 202602, {"violence_types": ["physical"], "perpetrator": ["client"]})])
    assert {(c.indicator, c.n, c.x) for c in counts if c.indicator in (REPORTS, "physical", "by_police", "by_client")} == {
        (REPORTS, 1, None), ("physical", 1, 1), ("by_police", 1, 0), ("by_client", 1, 1)}


def test_the_counts_equal_a_direct_count_without_the_reports_not_to_be_counted(app, reports) -> None:
    expected = by_hand(reports["items"], reports["withdrawn"])
    with app.app_context():
        got = {(c.indicator, c.region_id, c.period): (c.n if c.x is None else c.x) for c in incident_counts()}
    assert got == {key: expected[key] for key in got}
    assert {key for key, value in expected.items() if value} <= got.keys()
    assert sum(v for (name, _, _), v in got.items() if name == REPORTS) == sum(
        1 for item in reports["items"] if item.answers.get("consent_count") != "no") - 1


def test_no_withheld_count_can_be_worked_out_from_the_published_ones_and_totals(app, reports) -> None:
    with app.app_context():
        cube = incident_cube(K)
    assert cube is not None
    names = {key[0] for key in cube.counts}
    assert names == {name for group in GROUPS for name in group}
    withheld_total = 0
    for name in sorted(names):
        figures = {key[1:]: value for key, value in cube.counts.items() if key[0] == name}
        published = {(r, g, p): figures[(r, g, p)] for (r, g, p) in figures if cube.status(name, r, g, p).published}
        withheld = [(r, g, p) for (r, g, p) in figures if not cube.status(name, r, g, p).published]
        truth = {(r, p): figures[(r, g, p)] for (r, g, p) in figures if r is not None and g == "quarter"}
        checked, recovered, narrow = attack_indicator(cube.regions, cube.quarters, published, sorted(withheld, key=str), truth, K)
        assert recovered == 0 and not narrow, (name, narrow[:3])
        withheld_total += checked
    assert withheld_total > 50  # the data need suppression: the check has something to check
    assert any(cube.status(REPORTS, r, "quarter", q).published for r in cube.regions for q in cube.quarters)


def test_withholding_only_the_small_counts_would_give_them_away() -> None:
    """The attack above finds what the gate protects: two regions, one with 2 reports, and the nation's total."""
    counts = tally([(1, 202601, {"violence_types": ["physical"]})] * 2 + [(2, 202601, {"violence_types": ["verbal"]})] * 9)
    cube = protect_cube(counts, GROUPS, K)
    assert not cube.status(REPORTS, 1, "quarter", 20261).published
    assert not cube.status(REPORTS, 2, "quarter", 20261).published  # else 2 = the nation's 11 - region 2's 9


def section(page: str) -> str:
    start = page.index('class="incidents"')
    return page[start:page.index("</section>", start)]


def numbers_of(text: str) -> list[str]:
    return re.findall(r'<td class="num">([^<]*)</td>', text)


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_the_nations_brief_shows_every_regions_counts_as_the_gate_allows(app, client, as_role, reports, language) -> None:
    quarter = quarter_of(TODAY - timedelta(days=100))
    as_role("advocate")
    client.post("/language", data={"lang": language})
    page = client.get(f"/reports/brief?survey=incident_report&period={period_label(quarter, 'quarter')}")
    assert page.status_code == 200
    text = section(page.get_data(as_text=True))
    assert HEADINGS[language] in text
    with app.app_context():
        cube = incident_cube(K)
        assert cube is not None
        regions = sorted(db.session.scalars(select(Region).where(Region.id.in_(cube.regions))), key=lambda r: r.label(language))
        for region in regions:
            assert region.label(language) in text
        expected = []
        for table in ([REPORTS, *(kind for kind, _q, _v in KINDS)], [f"by_{who}" for who in PERPETRATORS]):
            for unit in [*(r.id for r in regions), None]:
                for name in table:
                    key = (name, unit, "quarter", quarter)
                    n, x = cube.counts[key]
                    expected.append(str(n if x is None else x) if cube.status(*key).published else None)
    cells = numbers_of(text)
    assert len(cells) == len(expected)
    withheld_word = {"en": "withheld", "uk": "приховано", "ru": "скрыто"}[language]
    for got, want in zip(cells, expected, strict=True):
        assert got == (want if want is not None else withheld_word) or (want is not None and got == withheld_word)
    assert any(w is None for w in expected) and any(w is not None for w in expected)


def test_an_advocates_brief_names_no_facility_and_a_leads_brief_only_their_region(app, client, as_role, reports) -> None:
    quarter = period_label(quarter_of(TODAY - timedelta(days=100)), "quarter")
    as_role("advocate")
    page = client.get(f"/reports/brief?survey=incident_report&period={quarter}").get_data(as_text=True)
    with app.app_context():
        facilities = [f.name for f in db.session.scalars(select(Facility))]
        odesa = db.session.scalar(select(Region).where(Region.code == "odesa"))
        assert odesa is not None
        odesa_name = odesa.label("en")
    assert facilities and not [name for name in facilities if name in page]
    assert odesa_name in section(page)
    client.post("/logout")
    as_role("lead")
    lead = section(client.get(f"/reports/brief?survey=incident_report&period={quarter}").get_data(as_text=True))
    assert "Kyiv" in lead and odesa_name not in lead and "All regions" not in lead
