"""Whether a test client's session is live, and as whom: asked of the monitor's own page, which any signed-in role may open."""

from __future__ import annotations

from flask.testing import FlaskClient


def signed_in_as(client: FlaskClient, username: str) -> bool:
    """The page opens and its footer names the account: the session is live, and it is this account's (a 200 alone
    would not tell one account from another)."""
    page = client.get("/collect/mine")
    return page.status_code == 200 and f"<span>{username} · " in page.get_data(as_text=True)


def signed_out(client: FlaskClient) -> bool:
    """The page sends the client to sign in: its session is over (not merely refused, as a 403 or 404 would be)."""
    page = client.get("/collect/mine")
    return page.status_code == 302 and "/login" in page.headers["Location"]
