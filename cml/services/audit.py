"""Recording audit events. Callers pass identifiers and counts, never answer content."""

from __future__ import annotations

from typing import Any

from cml.extensions import db
from cml.models import AuditEvent, User


def record(action: str, actor: User | None = None, target: str | None = None, username: str | None = None, **details: Any) -> None:
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=actor.id if actor is not None else None,
            actor_username=actor.username if actor is not None else username,
            target=target[:200] if target else None,
            details=details,
        )
    )


def record_request(action: str, target: str | None = None, **details: Any) -> None:
    """An event of the current request: its user if signed in, and the client's address."""
    from flask import request
    from flask_login import current_user

    user = current_user if getattr(current_user, "is_authenticated", False) else None
    record(action, user, target=target, address=request.remote_addr, **details)
