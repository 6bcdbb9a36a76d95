"""The world on an app built with its own config (make_app): a signed-in monitor (mini: tests/fixtures/mini_survey.py publish_mini)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from cml.extensions import db


def monitor_client(app: Flask) -> FlaskClient:
    """Demo regions and questionnaires on `app`'s database, and a client signed in as the demo monitor."""
    from cml.services import demo, users
    from tests.conftest import PASSWORD, SURVEYS, login

    with app.app_context():
        demo.load_demo(SURVEYS)
        account = users.find_user("demo-monitor")
        assert account is not None
        users.set_password(account, PASSWORD, None)
        db.session.commit()
    client = app.test_client()
    assert login(client, "demo-monitor").status_code == 302
    return client

