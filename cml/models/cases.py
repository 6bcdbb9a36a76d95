"""Incident cases: what followed an incident report, and the community warnings made from it.

A case is one incident report (a response to `incident_report`) followed up in its region. It
is made lazily, the first time someone with access opens or acts on the report
(`cml.services.cases.case_for_submission`), so no collection path writes here: a report
without a row is an open case with no steps. The person's consent per use is copied from the
answers when the row is made and can only be withdrawn afterwards, never granted again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cml.extensions import db
from cml.models.places import Facility, Region
from cml.models.responses import Response

CASE_STATES = ("open", "closed")
CONSENTS = ("count", "warning", "referral")
"""The uses a person consents to, each separately: counted in the statistics, shared as a
warning, referred to services."""
STEP_KINDS = ("legal_aid", "medical", "pep", "crisis_service", "psychologist", "police_report", "none_wanted", "other")
REFERRAL_KINDS = ("legal_aid", "medical", "pep", "crisis_service", "psychologist")
"""Steps that refer the person to a service: only with their consent to be referred."""
STEP_OUTCOMES = ("helped", "partly", "nothing", "refused", "harmed", "pending")
STEP_NOTE_LENGTH = 500
WARNING_STATES = ("draft", "published", "withdrawn")
"""Stored states; "expired" is computed from `expires_at`."""
WARNING_TEXT_LENGTH = 600


class Case(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "cases"
    __table_args__ = (CheckConstraint(f"state IN {CASE_STATES!r}", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), unique=True)
    """The incident report's `Response.id`; a purged report takes its case (and warnings) with it."""
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    """The monitor who sent the report: they see its case too."""
    state: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_count: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    count_withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    warning_withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    referral_withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who last recorded a withdrawal (each one is also in the audit log)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

    response: Mapped[Response] = relationship()
    region: Mapped[Region] = relationship()
    facility: Mapped[Facility | None] = relationship()
    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", order_by="(CaseStep.happened_on, CaseStep.id)", cascade="all, delete-orphan", passive_deletes=True
    )

    def consented(self, use: str) -> bool:
        """Whether the person consented to `use` (one of CONSENTS) and has not withdrawn it."""
        if use not in CONSENTS:
            raise KeyError(use)
        return bool(getattr(self, f"consent_{use}")) and getattr(self, f"{use}_withdrawn_at") is None


class CaseStep(db.Model):  # type: ignore[name-defined,misc]
    """One follow-up step of a case: a referral, a police report, or the person wanting none."""

    __tablename__ = "case_steps"
    __table_args__ = (
        CheckConstraint(f"kind IN {STEP_KINDS!r}", name="kind"),
        CheckConstraint(f"outcome IN {STEP_OUTCOMES!r}", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    happened_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(STEP_NOTE_LENGTH), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    case: Mapped[Case] = relationship(back_populates="steps")


class Warning(db.Model):  # type: ignore[name-defined,misc]
    """A community warning ("bad date" / Ugly Mugs) written by a lead from a case, with consent.

    The lead writes every text: nothing is copied into a published warning without being edited
    there, so that nothing identifies the person who reported (`cml.services.warnings`)."""

    __tablename__ = "warnings"
    __table_args__ = (CheckConstraint(f"state IN {WARNING_STATES!r}", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    what_happened: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    """An area of the town, never an address."""
    happened_period: Mapped[str] = mapped_column(String(100), default="")
    """Words such as "late November 2026", written by the lead."""
    aggressor_description: Mapped[str] = mapped_column(Text, default="")
    vehicle_description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Required at publication (default CML_WARNING_DAYS after it); past it the warning is expired."""
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship()
    region: Mapped[Region] = relationship()
