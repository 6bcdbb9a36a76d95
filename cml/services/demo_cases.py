"""A few demo cases on incident reports of the demo data, so a newcomer meets the follow-up.

The demo lead opens the three latest incident reports of Kyiv as cases and records steps within
each person's consent: referrals (medical care, then legal aid) where they consented to be
referred, else a police report or "no follow-up wanted"; the oldest of the three is closed.
Made once: nothing is added while any case exists.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from cml.extensions import db
from cml.models import Case
from cml.services import cases, users
from cml.services.regions import region_by_code

LEAD = "demo-lead"
REGION = "kyiv"
HOW_MANY = 3


def ensure_demo_cases(today: date | None = None) -> int:
    """Open the demo cases unless any case exists; how many were opened (the caller commits)."""
    if db.session.scalar(select(func.count()).select_from(Case)):
        return 0
    lead, region = users.find_user(LEAD), region_by_code(REGION)
    if lead is None or region is None:
        return 0
    today = today or date.today()
    views = cases.visible_cases(lead, region_id=region.id)[:HOW_MANY]
    for number, view in enumerate(views):
        case = cases.case_for_submission(lead, view.report_id)
        start = min(view.incident_date + timedelta(days=1), today)
        if case.consented("referral"):
            cases.add_step(lead, case, kind="medical", happened_on=start, outcome="helped", today=today)
            cases.add_step(lead, case, kind="legal_aid", happened_on=min(start + timedelta(days=6), today), outcome="pending", today=today)
        elif number % 2 == 0:
            cases.add_step(lead, case, kind="police_report", happened_on=start, outcome="refused", today=today)
        else:
            cases.add_step(lead, case, kind="none_wanted", happened_on=start, outcome="pending", today=today)
        if number == len(views) - 1:
            cases.set_state(lead, case, "closed")
        db.session.commit()
    return len(views)
