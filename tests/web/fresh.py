"""The world on an app built with its own config (make_app): a signed-in monitor and the mini questionnaire."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

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


def publish_mini(app: Flask) -> dict[str, Any]:
    """The mini questionnaire published; its version id and the Kyiv facility's id."""
    from cml.models import Facility
    from cml.services import surveys
    from tests.conftest import FIXTURES

    with app.app_context():
        published = surveys.publish((FIXTURES / "mini.json").read_bytes())
        db.session.commit()
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        assert kyiv is not None
        return {"version": published.version.id, "kyiv": kyiv.id}
