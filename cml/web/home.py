"""The home page: what each role does first, scoped to the regions it may see."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.wrappers import Response as HttpResponse

from cml.core.periods import month_range, period_label, period_of
from cml.extensions import db
from cml.models import Response
from cml.services import drafts, surveys
from cml.services.scope import facilities_for, restrict_to_user_regions, visible_regions


def index() -> HttpResponse | str:
    """Home page for the signed-in role."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    quarter = period_of(date.today(), "quarter")
    first, last = month_range(quarter, "quarter")
    by_facility = _counts(Response.facility_id, first, last)
    by_region = _counts(Response.region_id, first, last)
    mine = db.session.scalar(select(func.count()).where(Response.submitted_by_id == current_user.id, Response.deleted_at.is_(None))) or 0
    return render_template(
        "home.html",
        regions=visible_regions(current_user),
        facilities=facilities_for(current_user, active_only=False),
        questionnaires=surveys.collectable_questionnaires(),  # the links to start an interview
        by_facility=by_facility,
        by_region=by_region,
        my_count=mine,
        quarter_label=period_label(quarter, "quarter"),
        unfinished=drafts.unfinished(current_user) if current_user.role in ("monitor", "lead", "admin") else [],
    )


def _counts(column: InstrumentedAttribute[int], first_month: int, last_month: int) -> dict[int, tuple[int, int]]:
    """(this quarter, all time) response counts per value of `column`, in the user's regions."""
    in_quarter = func.sum(func.cast(Response.month.between(first_month, last_month), db.Integer))
    query = select(column, in_quarter, func.count()).where(Response.deleted_at.is_(None)).group_by(column)
    query = restrict_to_user_regions(query, current_user, Response.region_id)
    return {key: (int(q or 0), int(total)) for key, q, total in db.session.execute(query)}
