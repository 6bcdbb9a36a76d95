"""Tokens for the API tests: made as the token pages make them."""

from __future__ import annotations

from typing import Any

from cml.extensions import db
from cml.services import api_tokens, users


def token_for(app: Any, username: str, days: int = 90) -> str:
    with app.app_context():
        account = users.find_user(username)
        assert account is not None
        token = api_tokens.create(account, f"test {username}", days, account)
        db.session.commit()
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
