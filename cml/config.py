"""Configuration: defaults, then instance/config.py, then CML_* environment variables, then test overrides."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from cml.settings import defaults, settings

DEFAULTS: dict[str, Any] = {  # Flask's and its extensions' keys; the domain's are cml.settings.Settings
    "LANGUAGES": ("en", "uk", "ru"),
    "BABEL_DEFAULT_LOCALE": "en",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # The cookie lasts as long as the session may stay unused (SESSION_IDLE_DAYS, set in
    # load_config) and is sent again only when the server notes a use, at most once a minute.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # A monitor may take long over a form in a clinic corridor; the token lives with the session.
    "WTF_CSRF_TIME_LIMIT": None,
    # Sign-in limits (LOGIN_* in cml.settings) count failed attempts only, so a room of monitors
    # signing in from one address costs nothing; a typo costs one (cml.auth.throttle).
    "RATELIMIT_HEADERS_ENABLED": True,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # hide_parameters: a failed statement's error (and so any log of it) never carries its values,
    # which include answers.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    # Pages, CSS, JS and JSON go out compressed; streamed exports are left alone so they
    # keep their constant memory.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIN_SIZE": 1024,
    # Static files change only with a release; a day of caching spares slow connections.
    "SEND_FILE_MAX_AGE_DEFAULT": 86400,
}

ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill `app.config` in precedence order, lowest first."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(defaults())
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "cml.sqlite3")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="CML")
    for alias, key in ENV_ALIASES.items():
        if alias in app.config:
            app.config[key] = app.config.pop(alias)
    if test_config:
        app.config.update(test_config)
    _normalise_database_url(app)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=float(app.config["SESSION_IDLE_DAYS"]))
    app.config["BABEL_DEFAULT_TIMEZONE"] = _time_zone(app.config["TIMEZONE"])
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        # Shared by every worker process of this server (cml.limit_storage).
        app.config["RATELIMIT_STORAGE_URI"] = "cml+sqlite:///" + str(Path(app.instance_path) / "rate-limits.sqlite3")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    if Path(app.instance_path).is_dir():
        private_folder(Path(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _time_zone(name: object) -> str:
    """A known IANA zone name, or the app refuses to start (a wrong zone would shift every time shown)."""
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"TIMEZONE {name!r} is not a time zone name such as Europe/Kyiv") from None
    return str(name)


def _normalise_database_url(app: Flask) -> None:
    """Accept postgres:// and postgresql:// URLs and use psycopg 3 for them."""
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    app.config["SQLALCHEMY_DATABASE_URI"] = url


def private_folder(folder: Path) -> None:
    """The instance folder (database, keys): created for its owner only (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)  # whatever the umask, and a folder made before this rule


def _instance_secret_key(instance: Path) -> str:
    """The instance's secret key, generated on first run and kept out of version control."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_folder(instance)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def session_idle_limit() -> timedelta:
    """How long an unused session stays signed in."""
    return timedelta(days=settings().session_idle_days)


def suppression_threshold() -> int:
    """k: published cells need at least k respondents and k people on each side of a proportion."""
    return settings().suppression_threshold
