"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
CML_TEST_DATABASE_URL is set), a client, a CLI runner, and signed-in users.

The demo world (and the generated responses on top of it) is built once per test process into a
template database; a test that asks for `world` or `generated` starts from a copy of it (a file
copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL) instead of loading it again. Under
pytest-xdist each worker process has its own PostgreSQL database on the server."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import werkzeug.test
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cml import create_app
from cml.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SURVEYS = ROOT / "surveys"
pytest_plugins = ["tests.fixtures.mini_survey"]  # the `mini` fixture
PG_SERVER_URL = os.environ.get("CML_TEST_DATABASE_URL", "")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … under pytest-xdist; "" otherwise


# Werkzeug's test client encodes a multipart body over 500 KB into a temporary file that nothing
# closes (the request it builds keeps it until the garbage collector warns). Bodies are built in
# memory instead, so that any unclosed file a run reports is the app's (pyproject: no ResourceWarning is ignored).
werkzeug.test.stream_encode_multipart = functools.partial(werkzeug.test.stream_encode_multipart, use_tempfile=False)  # type: ignore[assignment]


def _database_named(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


# Property tests run a bounded number of examples (CI, `dev.py test`); CML_THOROUGH=1 runs each at its full count.
THOROUGH = os.environ.get("CML_THOROUGH") == "1"


def examples(full: int) -> int:
    """How many examples a property test runs: `full` when thorough, else a third of it (never fewer than 25)."""
    return full if THOROUGH else max(full // 3, min(full, 25))


# The database this process's tests use: the configured one, or one of this worker's own next to it.
PG_URL = _database_named(PG_SERVER_URL, f"{make_url(PG_SERVER_URL).database}_{WORKER}") if PG_SERVER_URL and WORKER else PG_SERVER_URL


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Production argon2id costs ~0.25 s a hash; tests use tiny parameters unless marked real_argon2."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from cml.services import passwords

    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())


def cheap_hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


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


def _postgres_server() -> Any:
    """A connection to the configured PostgreSQL database, for creating and dropping the others."""
    import psycopg

    server = make_url(PG_SERVER_URL)
    return psycopg.connect(dbname=server.database, user=server.username, password=server.password, host=server.host, port=server.port,
                           autocommit=True)


def _create_postgres(name: str, template: str | None = None) -> str:
    """A new PostgreSQL database (a copy of `template` when given), dropped first if a run left it behind; its URL."""
    with _postgres_server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return _database_named(PG_SERVER_URL, name)


def _drop_postgres(name: str) -> None:
    with _postgres_server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def worker_database() -> Iterator[None]:
    """Under pytest-xdist on PostgreSQL: this worker's own database (PG_URL), for as long as the worker runs."""
    if not (PG_URL and WORKER):
        yield
        return
    _create_postgres(make_url(PG_URL).database or "")
    yield
    _drop_postgres(make_url(PG_URL).database or "")


@pytest.fixture(scope="session")
def migrated_database(worker_database: None, tmp_path_factory: pytest.TempPathFactory) -> str:
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


PASSWORD = "correct horse battery"
KEY_FILES = ("answer_key", "answer_key.old")  # cml.services.sealing: the instance's keys, which sealed the generated answers
PREBUILT = pytest.StashKey[str]()


def _load_world() -> None:
    """Demo regions, the shipped questionnaires, one account per role with known passwords, and a monitor in Odesa."""
    from cml.services import demo, users
    from cml.services.regions import region_by_code

    demo.load_demo(SURVEYS)
    for username in ("demo-monitor", "demo-lead", "demo-advocate", "demo-admin"):
        account = users.find_user(username)
        assert account is not None
        users.set_password(account, PASSWORD, None)
    # A monitor in another region, to check nobody crosses region lines.
    odesa = region_by_code("odesa")
    assert odesa is not None
    users.create_user("odesa-monitor", PASSWORD, "monitor", [odesa])
    db.session.commit()


def _generate() -> None:
    from cml.services import demo_data

    for _ in demo_data.generate(900, seed=11):
        db.session.commit()


class Templates:
    """The world, and the world with generated responses, each built once (when first asked for) into a database of its own."""

    STEPS = {"world": ("", _load_world), "generated": ("world", _generate)}

    def __init__(self, migrated: str, folder: Path) -> None:
        self.migrated, self.folder = migrated, folder
        self.built: dict[str, tuple[str, Path]] = {}  # kind -> (SQLite file or PostgreSQL database name, instance folder)

    def source(self, kind: str) -> tuple[str, Path]:
        if kind not in self.built:
            self.built[kind] = self._build(kind)
        return self.built[kind]

    def _build(self, kind: str) -> tuple[str, Path]:
        from cml.services import passwords

        base, step = self.STEPS[kind]
        instance = self.folder / kind
        instance.mkdir()
        if base:
            source, base_instance = self.source(base)
            for name in KEY_FILES:
                if (base_instance / name).exists():
                    shutil.copy2(base_instance / name, instance / name)
        if PG_URL:
            name = f"{make_url(PG_URL).database}_{kind}"
            url = _create_postgres(name, template=source if base else None)
            if not base:
                _upgrade(url, instance)
        else:
            name = str(instance / "cml.sqlite3")
            shutil.copy(source if base else self.migrated, name)
            url = f"sqlite:///{name}"
        app = create_app(_base_config(url, instance))
        hasher, passwords.HASHER = passwords.HASHER, cheap_hasher()  # as the tests' own (cheap_password_hashing)
        try:
            with app.app_context():
                step()
                db.session.remove()
                db.engine.dispose()
        finally:
            passwords.HASHER = hasher
        return name, instance


@pytest.fixture(scope="session")
def templates(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(migrated_database, tmp_path_factory.mktemp("templates"))
    yield made
    if PG_URL:
        for name, _ in made.built.values():
            _drop_postgres(name)


def _prebuilt_kind(request: pytest.FixtureRequest) -> str:
    """The richest template this test may start from: "generated", "world" or "" (the empty, migrated database)."""
    if request.node.get_closest_marker("real_argon2"):
        return ""  # its world's passwords are hashed with the production parameters, so it is loaded in the test
    if request.node.get_closest_marker("world_loaded_in_test"):
        return ""  # it changes the database before the world is loaded (e.g. an older version published first)
    names = request.fixturenames
    return "generated" if "generated" in names else "world" if "world" in names else ""


@pytest.fixture
def database_url(migrated_database: str, templates: Templates, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind = _prebuilt_kind(request)
    request.node.stash[PREBUILT] = kind
    if not kind:
        if PG_URL:
            yield PG_URL
            return
        copy = tmp_path / "cml.sqlite3"
        shutil.copy(migrated_database, copy)
        yield f"sqlite:///{copy}"
        return
    source, instance = templates.source(kind)
    for name in KEY_FILES:  # make_app's instance folder is tmp_path
        if (instance / name).exists():
            shutil.copy2(instance / name, tmp_path / name)
    if PG_URL:
        name = f"{make_url(PG_URL).database}_test"
        yield _create_postgres(name, template=source)
        _drop_postgres(name)
        return
    copy = tmp_path / "cml.sqlite3"
    shutil.copy(source, copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Build an app on this test's database with extra config."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({**_base_config(database_url, tmp_path), **overrides})
        made.append(app)
        if database_url == PG_URL and len(made) == 1:  # the shared database, not a copy of a template
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
def world(app: Flask, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Demo regions, the shipped questionnaires, and one account per role with known passwords."""
    if not request.node.stash.get(PREBUILT, ""):
        with app.app_context():
            _load_world()
    return {"password": PASSWORD}


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
def generated(app: Flask, world: dict[str, Any], request: pytest.FixtureRequest) -> None:
    """Some 900 realistic responses over the last 8 quarters (deterministic), on top of the world."""
    if request.node.stash.get(PREBUILT, "") != "generated":
        with app.app_context():
            _generate()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that use the test database (through its fixtures, or CML_TEST_DATABASE_URL itself): the PostgreSQL
    run selects them (-m database); the others are pure and would only repeat the SQLite run.

    Under pytest-xdist the tests marked slow go first, so that no worker starts a long one while the others end."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()) or "PG_URL" in vars(getattr(item, "module", None) or object()):
            item.add_marker(pytest.mark.database)
    if WORKER:
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: the same order on every worker
