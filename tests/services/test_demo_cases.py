"""The demo cases: a few Kyiv incident reports followed up within each person's consent, made once."""

from __future__ import annotations

from sqlalchemy import func, select

from cml.extensions import db
from cml.models import REFERRAL_KINDS, Case, CaseStep
from cml.services import demo_cases


def test_demo_cases_are_opened_once_with_steps_the_consent_allows(app, generated) -> None:
    with app.app_context():
        assert demo_cases.ensure_demo_cases() == 3
        made = list(db.session.scalars(select(Case).order_by(Case.id)))
        assert len(made) == 3 and {c.region.code for c in made} == {"kyiv"}
        assert [c.state for c in made] == ["open", "open", "closed"]
        for case in made:
            assert case.steps
            if any(step.kind in REFERRAL_KINDS for step in case.steps):
                assert case.consent_referral
        assert demo_cases.ensure_demo_cases() == 0
        assert db.session.scalar(select(func.count()).select_from(CaseStep)) == sum(len(c.steps) for c in made)
