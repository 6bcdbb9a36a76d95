"""User accounts: one role each, and the regions they belong to. No e-mail, no phone."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, String, Table, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cml.auth.capabilities import ROLES, has_capability
from cml.extensions import db
from cml.models.places import Region

region_memberships = Table(
    "region_memberships",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Set when an administrator chose the password: it works for one sign-in, then must be changed."""

    regions: Mapped[list[Region]] = relationship(secondary=region_memberships, order_by=Region.code)

    # The sign-in session this object was loaded for, or is signing in (cml.auth.loading).
    if TYPE_CHECKING:  # typed for mypy only: the ORM refuses a class annotation that is not Mapped[]
        session_token: str | None
        session_id: str | None
        session_seen_at: datetime | None
    session_token = None
    session_id = None
    session_seen_at = None
    """When the session was last used, as noted (within a minute): it ends SESSION_IDLE_DAYS later."""

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the token of this sign-in's session
        record, never the account's id (cml.services.sessions)."""
        if self.session_token is None:
            raise RuntimeError("start a session (cml.services.sessions.start) before signing in")
        return str(self.session_token)

    # Flask-Login's mixin compares users by get_id(); one account is one object per database session.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def sees_all_regions(self) -> bool:
        """Whether the role works nationally (advocates, admins); the others work only in their regions."""
        return has_capability(self, "all_regions")
