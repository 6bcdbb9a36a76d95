"""`demo generate` and `indicators rebuild`, as an administrator runs them."""

from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import delete, func, select

from cml.core.answers import answers_as_raw, clean_answers
from cml.extensions import db
from cml.models import Facility, IndicatorFact, Response
from cml.services import demo_data, surveys
from cml.services.bulk import NewResponse, store_many
from cml.services.estimates import estimate_cells
from cml.services.responses import all_answers
from tests.conftest import FIXTURES


def stored(app) -> set[tuple[uuid.UUID, str]]:
    """Each response's id and its answers (fingerprints are keyed by each row's own random key)."""
    with app.app_context():
        return {(r.submission_id, json.dumps(all_answers(r), sort_keys=True)) for r in db.session.scalars(select(Response))}


def test_generate_is_deterministic_idempotent_and_valid(app, world, runner) -> None:
    first = runner.invoke(args=["demo", "generate", "--responses", "300", "--seed", "5"])
    assert first.exit_code == 0, first.output
    assert "300 responses added, 0 already there" in first.output and "rows/s" in first.output
    made = stored(app)
    assert len(made) == 300
    again = runner.invoke(args=["demo", "generate", "--responses", "300", "--seed", "5"])
    assert "0 responses added, 300 already there" in again.output
    assert stored(app) == made
    more = runner.invoke(args=["demo", "generate", "--responses", "400", "--seed", "5"])
    assert "100 responses added, 300 already there" in more.output
    with app.app_context():
        today = date.today()
        codes = {}
        for response in db.session.scalars(select(Response)):
            questionnaire = surveys.model_of(response.version)
            assert clean_answers(questionnaire, answers_as_raw(all_answers(response)), today).ok
            assert demo_data.window(today) <= response.interview_date <= today
            assert response.source == "demo"
            codes[response.version.questionnaire.code] = codes.get(response.version.questionnaire.code, 0) + 1
        assert codes == {"clinic_exit": 233, "incident_report": 67, "training_evaluation": 33, "violence_12m": 67}
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact)) > 400
        ids = {demo_data.submission_id(5, "clinic_exit", n) for n in range(233)}
        assert ids <= set(db.session.scalars(select(Response.submission_id)))
        # The same seed on an empty database gives the same responses.
        db.session.execute(delete(IndicatorFact))
        db.session.execute(delete(Response))
        db.session.commit()
    runner.invoke(args=["demo", "generate", "--responses", "300", "--seed", "5"])
    assert stored(app) == made


def test_generate_if_empty_does_nothing_once_there_are_responses(app, world, runner) -> None:
    result = runner.invoke(args=["demo", "generate", "--responses", "20", "--if-empty"])
    assert result.exit_code == 0 and "20 responses added" in result.output
    result = runner.invoke(args=["demo", "generate", "--responses", "20", "--seed", "2", "--if-empty"])
    assert result.exit_code == 0 and "already exist; nothing generated" in result.output
    assert len(stored(app)) == 20


def test_generate_without_the_demo_explains_what_to_do(runner) -> None:
    result = runner.invoke(args=["demo", "generate", "--responses", "10"])
    assert result.exit_code == 1 and "demo load" in result.output


def test_rebuild_applies_a_changed_definition_to_stored_responses(app, world, runner, tmp_path) -> None:
    document = json.loads((FIXTURES / "mini.json").read_text())
    with app.app_context():
        version = surveys.publish(json.dumps(document).encode()).version
        facility = db.session.scalar(select(Facility).order_by(Facility.code).limit(1))
        assert facility is not None
        place = (facility.id, facility.region_id)
        answers = [{"tested": "yes"}] * 6 + [{"tested": "no", "why_not": "no_kits"}] * 4
        items = [NewResponse(uuid.uuid4(), facility.id, facility.region_id, date(2025, 5, 1), a) for a in answers]
        store_many(version, items, source="import")
        db.session.commit()
        (before,) = estimate_cells("mini", indicator_ids=["offered_test"], by=())
        assert (before.x, before.n) == (6, 10)

    document["version"] = 2
    document["indicators"][0]["numerator"] = {"question": "tested", "equals": "no"}
    document["indicators"][0]["target"] = 10
    document["indicators"][0]["better"] = "lower"
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(document))
    assert runner.invoke(args=["surveys", "publish", str(path)]).exit_code == 0
    with app.app_context():
        # Publishing alone changes no stored fact; the labels and targets are already the new ones.
        (unchanged,) = estimate_cells("mini", indicator_ids=["offered_test"], by=())
        assert (unchanged.x, unchanged.n, unchanged.target, unchanged.verdict) == (6, 10, 0.1, "misses")

    result = runner.invoke(args=["indicators", "rebuild", "--survey", "mini"])
    assert result.exit_code == 0, result.output
    assert "rebuilt 10 responses of 2 questionnaire version(s)" in result.output
    with app.app_context():
        (after,) = estimate_cells("mini", indicator_ids=["offered_test"], by=())
        assert (after.x, after.n) == (4, 10)
        assert db.session.scalar(select(func.count()).select_from(IndicatorFact).where(IndicatorFact.numerator == 1.0)) == 4
        # A late v1 submission is counted with the new definition too.
        v1 = next(v for v in surveys.latest_version("mini").questionnaire.versions if v.version == 1)  # type: ignore[union-attr]
        store_many(v1, [NewResponse(uuid.uuid4(), *place, date(2025, 5, 2), {"tested": "no"})], source="import")
        (late,) = estimate_cells("mini", indicator_ids=["offered_test"], by=())
        assert (late.x, late.n) == (5, 11)
        db.session.commit()

    again = runner.invoke(args=["indicators", "rebuild"])
    assert again.exit_code == 0 and "rebuilt 11 responses of 6 questionnaire version(s)" in again.output
    assert runner.invoke(args=["indicators", "rebuild", "--survey", "nope"]).exit_code == 1


def test_indicator_table_command_prints_the_cells(app, world, runner) -> None:
    runner.invoke(args=["demo", "generate", "--responses", "100"])
    result = runner.invoke(args=["indicators", "table", "clinic_exit", "--by", "period", "--indicator", "hiv_test_offered"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("indicator\tregion") and all(line.startswith("hiv_test_offered\t") for line in lines[1:])
    bad = runner.invoke(args=["indicators", "table", "clinic_exit", "--from", "2025-01"])
    assert bad.exit_code == 1 and "is not a quarter" in bad.output
