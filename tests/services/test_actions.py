"""The action service: a frozen figure, its re-check from the current sums, and scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from cml.core.periods import period_of, previous_period
from cml.extensions import db
from cml.models import Action, User
from cml.services import actions
from cml.services.regions import region_by_code

INDICATOR = "condoms_enough"


def quarters_back(count: int) -> int:
    key = period_of(date.today(), "quarter")
    for _ in range(count):
        key = previous_period(key, "quarter")
    return key


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def open_action(lead: User, period: int, due: int) -> Action:
    unit = actions.Unit(region_by_code("kyiv"), None)
    figure = actions.figure_for(lead, "clinic_exit", INDICATOR, unit, period)
    return actions.new_action(
        lead, figure, {"estimate": "x"}, problem="Too few condoms", duty_bearer_kind="facility_head", duty_bearer="Head",
        asked="Stock condoms", owner="Org", due_period=due,
    )


def test_a_frozen_figure_is_the_units_figure_and_the_recheck_compares_the_due_quarter(app, generated) -> None:
    with app.app_context():
        lead = user("demo-lead")
        action = open_action(lead, quarters_back(3), quarters_back(1))
        db.session.commit()
        result = actions.recheck(action, lead)
        assert result.baseline is not None and result.current is not None
        assert result.baseline.period == quarters_back(3)
        assert result.current.period == quarters_back(1)
        assert result.baseline.estimate == pytest.approx(action.baseline["estimate"])
        assert result.baseline.n == action.baseline["n"]
        assert result.verdict in ("improved_clear", "no_clear_change", "worse_clear")
        assert result.change == pytest.approx(result.current.estimate - result.baseline.estimate)
        assert actions.visible_actions(lead) == [action]
        assert actions.visible_actions(user("demo-advocate")) == [action]
        assert actions.may_manage(lead, action)
        assert not actions.may_manage(user("demo-monitor"), action)
