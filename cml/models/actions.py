"""Findings taken to duty bearers (actions), and the council meetings whose agendas carry them.

An action rests on one indicator figure of one unit (the nation, a region or a facility) in
one quarter, frozen in `baseline` exactly as it was shown when the action was opened; its
re-check is computed from the current facts each time it is read (`cml.services.actions`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cml.extensions import db
from cml.models.places import Facility, Region

ACTION_STATES = ("open", "committed", "in_progress", "resolved", "not_resolved")
DUTY_BEARER_KINDS = ("facility_head", "regional_health_department", "police_department", "council", "other")
MEETING_KINDS = ("national_council", "regional_council")


class Action(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(f"state IN {ACTION_STATES!r}", name="state"),
        CheckConstraint(f"duty_bearer_kind IN {DUTY_BEARER_KINDS!r}", name="duty_bearer_kind"),
        CheckConstraint("grain = 'quarter'", name="grain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_code: Mapped[str] = mapped_column(String(64))
    indicator_id: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    """None: a national figure."""
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    grain: Mapped[str] = mapped_column(String(8), default="quarter")
    baseline_period: Mapped[int] = mapped_column(Integer)
    """The quarter of the figure, as `cml.core.periods` keys it (YYYYQ)."""
    baseline: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The figure frozen as shown (`cml.core.action_check.Baseline.as_json`): estimate, interval, n,
    method, target, direction, the words shown, and the per-facility sums the re-check compares with."""
    problem: Mapped[str] = mapped_column(Text)
    duty_bearer_kind: Mapped[str] = mapped_column(String(32))
    duty_bearer: Mapped[str] = mapped_column(String(200))
    asked: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(Text, default="")
    commitment_where: Mapped[str] = mapped_column(String(200), default="")
    commitment_on: Mapped[date | None] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(200))
    """A person or organisation responsible for following it up (not a user account)."""
    due_period: Mapped[int] = mapped_column(Integer)
    """The quarter by which a change should show (YYYYQ)."""
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

    region: Mapped[Region | None] = relationship()
    facility: Mapped[Facility | None] = relationship()


class Meeting(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint(f"kind IN {MEETING_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    """None: a national council."""
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    region: Mapped[Region | None] = relationship()
    agenda: Mapped[list[MeetingAction]] = relationship(
        back_populates="meeting", order_by="MeetingAction.position", cascade="all, delete-orphan"
    )


class MeetingAction(db.Model):  # type: ignore[name-defined,misc]
    """One action on a meeting's agenda, in its place."""

    __tablename__ = "meeting_actions"
    __table_args__ = (UniqueConstraint("meeting_id", "action_id", name="meeting_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    action: Mapped[Action] = relationship()
