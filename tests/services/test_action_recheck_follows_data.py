"""The re-check follows the data (new submissions, corrections, withdrawals, `indicators rebuild`);
the baseline an action was opened on never changes."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from cml.extensions import db
from cml.models import Action, Response, User
from cml.services import actions, corrections, surveys, trash
from cml.services.regions import region_by_code
from cml.services.responses import store_response
from tests.conftest import FIXTURES
from tests.fixtures.mini_survey import Mini, facility, user

Q1, Q2 = 20261, 20262


def _interviews(mini: Mini, yes: int, no: int, day: date, dont_know: int = 0) -> list[Response]:
    """Interviews at kyiv-01 on `day`: so many answered "yes", "no" and "don't know" to "were you offered a test?"."""
    answers = {"wait": 20, "attitude": "respectful"}
    return [store_response(uuid.uuid4(), mini.questionnaire_version(), facility(), day, {"tested": answer, **answers}, None).response for answer in ["yes"] * yes + ["no"] * no + ["dont_know"] * dont_know]


def _open(lead: User) -> Action:
    figure = actions.figure_for(lead, "mini", "offered_test", actions.Unit(region_by_code("kyiv"), None), Q1)
    return actions.new_action(lead, figure, {}, problem="Tests not offered", duty_bearer_kind="facility_head",
                              duty_bearer="Head doctor", asked="Offer a test to everyone", owner="Org", due_period=Q2)


def test_the_recheck_follows_submissions_corrections_and_withdrawals(app, mini) -> None:
    with app.app_context():
        lead = user("demo-lead")
        _interviews(mini, 3, 7, date(2026, 2, 10))
        db.session.commit()
        action = _open(lead)
        db.session.commit()
        baseline = dict(action.baseline)
        assert (baseline["n"], baseline["x"]) == (10, 3)
        assert actions.recheck(action, lead).verdict == "not_due"

        later = _interviews(mini, 9, 1, date(2026, 5, 10))
        db.session.commit()
        result = actions.recheck(action, lead)
        assert result.verdict == "improved_clear"
        assert result.current is not None and (result.current.n, result.current.estimate) == (10, pytest.approx(0.9))
        assert result.baseline is not None and result.baseline.estimate == pytest.approx(0.3)

        # A correction: five of the nine "yes" were "no" after all.
        for response in [r for r in later if r.answers.get("tested") == "yes"][:5]:
            corrections.correct(response, lead, response.facility, response.interview_date,
                                {"tested": "no", "wait": 20, "attitude": "respectful"})
        db.session.commit()
        result = actions.recheck(action, lead)
        assert result.current is not None and result.current.estimate == pytest.approx(0.4)
        assert result.verdict == "no_clear_change"

        # Withdrawals: the quarter falls below five people, too few to judge.
        for response in later[:6]:
            trash.withdraw(response, lead, "withdrawn")
        db.session.commit()
        result = actions.recheck(action, lead)
        assert result.verdict == "not_enough_data" and result.current is not None and result.current.n == 4

        # A new submission in Q1 (the baseline quarter) changes nothing of the baseline.
        _interviews(mini, 10, 0, date(2026, 3, 1))
        db.session.commit()
        db.session.refresh(action)
        assert action.baseline == baseline
        assert actions.recheck(action, lead).baseline.estimate == pytest.approx(0.3)


def test_a_rebuild_with_a_new_definition_changes_the_recheck_not_the_baseline(app, mini, runner) -> None:
    with app.app_context():
        lead = user("demo-lead")
        _interviews(mini, 3, 7, date(2026, 2, 10), dont_know=4)
        _interviews(mini, 8, 2, date(2026, 5, 10), dont_know=10)
        db.session.commit()
        action = _open(lead)
        db.session.commit()
        action_id = action.id
        before = actions.recheck(action, lead)
        assert before.current is not None and before.current.n == 10 and before.verdict == "improved_clear"
        # Version 2 counts "don't know" in the denominator: 8 of 20 were offered a test.
        content = json.loads((FIXTURES / "mini.json").read_text())
        content["version"] = 2
        indicator = next(i for i in content["indicators"] if i["id"] == "offered_test")
        indicator["denominator"]["in"] = ["yes", "no", "dont_know"]
        surveys.publish(json.dumps(content).encode())
        db.session.commit()
    result = runner.invoke(args=["indicators", "rebuild", "--survey", "mini"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        action = db.session.get(Action, action_id)
        after = actions.recheck(action, user("demo-lead"))
        assert after.current is not None and (after.current.n, after.current.estimate) == (20, pytest.approx(0.4))
        assert after.baseline is not None and (after.baseline.n, after.baseline.estimate) == (10, pytest.approx(0.3))
        assert after.verdict == "no_clear_change"
