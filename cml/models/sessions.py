"""Sign-in sessions kept on the server: the session cookie only names one of these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cml.extensions import db


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The SHA-256 of the random token in the cookie: a copy of this table signs nobody in."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """Updated at most once a minute (cml.auth.loading)."""
    agent: Mapped[str] = mapped_column(String(80))
    """A summary such as "Chrome on Android", never the full User-Agent."""
    address: Mapped[str | None] = mapped_column(String(64))
    """The client's network, not its address: 203.0.113.0/24, 2001:db8:1::/48."""
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(16))
