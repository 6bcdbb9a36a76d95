"""The audit log page: who did what and when, filtered by action, person and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from sqlalchemy import func, select

from cml.admin.audit_text import Names, action_names, describe
from cml.core.bounds import EARLIEST_ANSWER_DATE
from cml.extensions import db
from cml.models import AuditEvent
from cml.settings import settings
from cml.web.access import capability_required
from cml.web.i18n import current_language

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # a bigger page number would overflow the database's 64-bit OFFSET


def _day(text: str | None) -> date | None:
    """A filter's day; none before the platform or in the last years of the calendar (the day after must exist)."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if EARLIEST_ANSWER_DATE <= day < date(9000, 1, 1) else None


def _utc(moment: datetime) -> datetime:
    """As the database keeps times: UTC, without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@capability_required("audit_log")
def audit_log() -> str:
    """Audit events, newest first, with filters in the query string."""
    action = request.args.get("action", "")
    actor = request.args.get("actor", "").strip().lower()
    since, until = _day(request.args.get("from")), _day(request.args.get("to"))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(func.lower(AuditEvent.actor_username) == actor)
    zone = ZoneInfo(settings().timezone)  # days begin at midnight where the organisation is
    if since:
        query = query.where(AuditEvent.at >= _utc(datetime.combine(since, time.min, zone)))
    if until:
        query = query.where(AuditEvent.at < _utc(datetime.combine(until + timedelta(days=1), time.min, zone)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    filters = {"action": action, "actor": actor, "from": request.args.get("from", ""), "to": request.args.get("to", "")}
    names = Names(current_language())
    return render_template("admin/audit.html", events=events, sentences={e.id: describe(e, names) for e in events},
                           actions=actions, action_names=action_names(), filters=filters, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), total=total)
