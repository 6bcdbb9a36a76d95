"""Configuration: defaults, then instance/config.py, then CML_* environment variables, then test overrides."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

DEFAULTS: dict[str, Any] = {
    "LANGUAGES": ("en", "uk", "ru"),
    "BABEL_DEFAULT_LOCALE": "en",
    # The organisation's time zone: every time on a page is shown in it, with its name.
    "TIMEZONE": "Europe/Kyiv",
    "SQLITE_BUSY_TIMEOUT_MS": 10_000,
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
    # Sign-in limits count failed attempts only, so a room of monitors signing in from one
    # address costs nothing; a typo costs one (cml.auth.throttle).
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "30 per minute; 200 per hour",
    "LOGIN_USERNAME_RATE_LIMIT": "5 per minute; 20 per hour",
    "LOGIN_USERNAME_CEILING": "100 per hour; 500 per day",
    # Proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto are believed.
    "TRUSTED_PROXIES": 0,
    # A session nobody used for this long is over (cml.auth.loading), and its cookie expires:
    # long enough for a monitor's offline week in the field. The one setting for both.
    "SESSION_IDLE_DAYS": 14,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "SUPPRESSION_THRESHOLD": 5,
    # Drafts (forms being filled page by page) per user: how many, how many characters of
    # answers in all (a full questionnaire's draft is a few thousand), and days kept untouched.
    "DRAFT_MAX_PER_USER": 50,
    "DRAFT_MAX_CHARS_PER_USER": 2_000_000,
    "DRAFT_MAX_AGE_DAYS": 30,
    # The monitor who sent an interview may correct it for this many days after it was received
    # (leads and admins at any time); a withdrawn or deleted one stays restorable in the trash
    # this long, then `flask --app cml trash purge` removes it with its history.
    "CORRECTION_WINDOW_DAYS": 7,
    "TRASH_DAYS": 30,
    # A community warning is shown this many days after it is published unless its lead chooses another last day.
    "WARNING_DAYS": 90,
    # /healthz answers 503 when the SQLite database's disk has less free space than this.
    "HEALTH_MIN_FREE_BYTES": 64 * 1024 * 1024,
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
    return timedelta(days=float(current_app.config["SESSION_IDLE_DAYS"]))


def suppression_threshold() -> int:
    """k: published cells need at least k respondents and k people on each side of a proportion."""
    return int(current_app.config["SUPPRESSION_THRESHOLD"])
