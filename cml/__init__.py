"""CML: community-led monitoring of HIV/STI services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported only when an app is built, so cml.core stays free of it.
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, features, commands."""
    from flask import Flask

    app = Flask(__name__, instance_path=_instance_path(test_config), instance_relative_config=True)
    _configure(app, test_config)
    _configure_logging(app)
    _init_extensions(app)
    _register_features(app)
    _register_commands(app)
    return app


def _instance_path(test_config: dict[str, Any] | None) -> str | None:
    """Tests and deployments may keep the instance folder elsewhere (CML_INSTANCE_PATH)."""
    import os

    configured = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("CML_INSTANCE_PATH")
    return os.path.abspath(configured) if configured else None


def _configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    from cml import settings
    from cml.config import load_config

    load_config(app, test_config)
    settings.init_app(app)


def _configure_logging(app: Flask) -> None:
    from cml import logs

    logs.init_app(app)


def _init_extensions(app: Flask) -> None:
    from cml import models  # noqa: F401  (registers the tables)
    from cml.db import configure_engine
    from cml.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
    from cml.settings import settings
    from cml.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    compress.init_app(app)
    with app.app_context():
        configure_engine(db.engine, settings(app).sqlite_busy_timeout_ms)


def _migrations_dir() -> object:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _register_features(app: Flask) -> None:
    from cml.actions import bp as actions_bp
    from cml.admin import bp as admin_bp
    from cml.api import register as register_api
    from cml.auth.urls import bp as auth_bp
    from cml.cases import bp as cases_bp
    from cml.collect import api_bp as collect_api_bp
    from cml.collect import bp as collect_bp
    from cml.dashboard import bp as dashboard_bp
    from cml.dhis2 import bp as dhis2_bp
    from cml.meetings import bp as meetings_bp
    from cml.openrosa import bp as openrosa_bp
    from cml.openrosa import devices_bp
    from cml.reports import bp as reports_bp
    from cml.review import bp as review_bp
    from cml.warnings import bp as warnings_bp
    from cml.web import register_web

    register_web(app)
    register_api(app)
    for blueprint in (auth_bp, admin_bp, collect_bp, collect_api_bp, dashboard_bp, reports_bp, review_bp, openrosa_bp, devices_bp,
                      actions_bp, meetings_bp, dhis2_bp, cases_bp, warnings_bp):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from cml.cli import register_commands

    register_commands(app)
