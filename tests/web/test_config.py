"""Configuration precedence: defaults < instance/config.py < CML_* environment < test overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from cml import create_app


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    (tmp_path / "config.py").write_text("SUPPRESSION_THRESHOLD = 7\nLOGIN_RATE_LIMIT = 'from instance'\nSECRET_KEY = 'instance-secret'\n")
    return tmp_path


def test_defaults_apply_without_any_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CML_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SUPPRESSION_THRESHOLD"] == 5
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cml.sqlite3'}"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_instance_file_overrides_defaults(instance: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["SUPPRESSION_THRESHOLD"] == 7
    assert app.config["SECRET_KEY"] == "instance-secret"


def test_environment_overrides_instance_file(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CML_SUPPRESSION_THRESHOLD", "10")
    monkeypatch.setenv("CML_DATABASE_URL", "postgresql://cml@db.example/cml")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["SUPPRESSION_THRESHOLD"] == 10  # parsed as JSON: a number, not text
    assert app.config["LOGIN_RATE_LIMIT"] == "from instance"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://cml@db.example/cml"


def test_test_overrides_win(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CML_SUPPRESSION_THRESHOLD", "10")
    app = create_app({"INSTANCE_PATH": str(instance), "SUPPRESSION_THRESHOLD": 3})
    assert app.config["SUPPRESSION_THRESHOLD"] == 3


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64


def test_secret_key_is_not_tracked_by_git() -> None:
    ignore = (Path(__file__).resolve().parents[2] / ".gitignore").read_text()
    assert "instance/*" in ignore


def test_creating_the_app_creates_no_schema(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from cml.extensions import db

    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
