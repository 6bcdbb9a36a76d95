"""`demo load` opens a few actions on missed targets of the demo data, once."""

from __future__ import annotations

from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Action, User
from cml.services import actions


def test_demo_load_opens_actions_on_real_missed_figures_once(app, runner, generated) -> None:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo actions opened" in result.output
    with app.app_context():
        opened = list(db.session.scalars(select(Action).order_by(Action.id)))
        # 900 test responses over four questionnaires: two to five units have a clear enough miss (the demo's 3,000 give more).
        assert 2 <= len(opened) <= 5
        admin = db.session.scalars(select(User).where(User.username == "demo-admin")).one()
        for action in opened:
            assert action.baseline["verdict"] == "misses"
            check = actions.recheck(action, admin)
            assert check.baseline is not None and check.baseline.n == action.baseline["n"]
            assert check.verdict != "not_due" and check.current is not None  # the due quarter has data
        assert {a.region_id is None for a in opened} == {True, False}  # the nation and regions
        assert len(actions.history(opened[0])) == 1
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "demo actions opened" not in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Action)) == len(opened)
