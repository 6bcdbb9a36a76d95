"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
CML_TEST_DATABASE_URL is set), a client, a CLI runner, and signed-in users."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from cml import create_app
from cml.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SURVEYS = ROOT / "surveys"
PG_URL = os.environ.get("CML_TEST_DATABASE_URL", "")


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Production argon2id costs ~0.25 s a hash; tests use tiny parameters unless marked real_argon2."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher

    from cml.services import passwords

    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _base_config(url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        # Throttling is tested on its own (test_auth); other tests sign in as often as they need.
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_USERNAME_RATE_LIMIT": "1000 per minute",
        "LOGIN_USERNAME_CEILING": "1000 per minute",
        "SURVEYS_DIR": str(SURVEYS),
        "INSTANCE_PATH": str(instance),
    }


def _upgrade(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(_base_config(url, instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest migration: a template SQLite file, or the PostgreSQL URL."""
    instance = tmp_path_factory.mktemp("instance")
    if PG_URL:
        app = create_app(_base_config(PG_URL, instance))
        with app.app_context():
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            db.engine.dispose()
        _upgrade(PG_URL, instance)
        return PG_URL
    template = instance / "template.sqlite3"
    _upgrade(f"sqlite:///{template}", instance)
    return str(template)


def _empty_postgres(app: Flask) -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if PG_URL:
        return PG_URL
    copy = tmp_path / "cml.sqlite3"
    shutil.copy(migrated_database, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Build an app on this test's database with extra config."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({**_base_config(database_url, tmp_path), **overrides})
        made.append(app)
        if PG_URL and len(made) == 1:
            with app.app_context():
                _empty_postgres(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Demo regions, the shipped questionnaires, and one account per role with known passwords."""
    from cml.services import demo, users

    with app.app_context():
        demo.load_demo(SURVEYS)
        for username in ("demo-monitor", "demo-lead", "demo-advocate", "demo-admin"):
            account = users.find_user(username)
            assert account is not None
            users.set_password(account, PASSWORD, None)
        # A monitor in another region, to check nobody crosses region lines.
        from cml.services.regions import region_by_code

        odesa = region_by_code("odesa")
        assert odesa is not None
        users.create_user("odesa-monitor", PASSWORD, "monitor", [odesa])
        db.session.commit()
    return {"password": PASSWORD}


PASSWORD = "correct horse battery"


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def as_role(client: FlaskClient, world: dict[str, Any]) -> Any:
    """Sign the test client in as the demo account of a role."""

    def sign_in(role: str) -> FlaskClient:
        response = login(client, f"demo-{role}" if role != "odesa" else "odesa-monitor")
        assert response.status_code == 302, response.data[:500]
        return client

    return sign_in


@pytest.fixture
def generated(app: Flask, world: dict[str, Any]) -> None:
    """Some 900 realistic responses over the last 8 quarters (deterministic), on top of the world."""
    from cml.services import demo_data

    with app.app_context():
        for _ in demo_data.generate(900, seed=11):
            db.session.commit()
