"""Regions and the facilities in them: the unit of access control and of aggregation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cml.extensions import db

FACILITY_KINDS = ("clinic", "ngo_site", "drop_in_centre", "aids_centre", "mobile_unit", "pharmacy", "other")


class Region(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    """The region's name by language, e.g. {"en": "Kyiv", "uk": "Київ", "ru": "Киев"}."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    facilities: Mapped[list[Facility]] = relationship(
        primaryjoin="and_(Region.id == Facility.region_id, Facility.stands_for_region.is_(False))", viewonly=True, order_by="Facility.name"
    )
    """The region's facilities, without its stand-in."""

    def label(self, language: str) -> str:
        return self.name.get(language) or self.name.get("en") or self.code


class Facility(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "facilities"
    __table_args__ = (CheckConstraint(f"kind IN {FACILITY_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    """The English name, shown in any language the facility has no name in."""
    names: Mapped[dict[str, str] | None] = mapped_column(JSON)
    """The name in other interface languages, e.g. {"uk": "Клініка", "ru": "Клиника"}."""
    kind: Mapped[str] = mapped_column(String(32), default="clinic")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    stands_for_region: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The region's "(no facility)": holds the responses that belong to the region or an event
    in it (`Questionnaire.subject`), never offered as a facility to choose."""

    region: Mapped[Region] = relationship(back_populates="facilities")

    def label(self, language: str) -> str:
        return (self.names or {}).get(language) or self.name
