"""Device tokens: a phone's own password for the OpenRosa endpoints (ODK Collect, KoboCollect), revocable alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cml.extensions import db


class DeviceToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    """What tells the phones apart ("Olena's Samsung"): chosen by whoever made the token."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """The SHA-256 of the token: the token itself is shown once and never stored."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
