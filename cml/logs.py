"""Structured logs: one line per event, key=value (or JSON), with the request and user ids.

Configured once, from `create_app`. What a line may hold is decided here and nowhere else:
an event name, identifiers and counts the caller passes, and for an error the types of the
exceptions and where they were raised, never their messages. A database error's message can
quote the failing row (PostgreSQL's DETAIL), so messages of exceptions are left out
altogether, whoever logs them; request bodies, answers, passwords and typed usernames are
never passed to a log.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

log = logging.getLogger("cml")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_PLAIN = re.compile(r"[A-Za-z0-9._:/@+-]*")
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event. `fields` are identifiers and counts, never content typed by a person."""
    log.log(level, name, extra={"cml_fields": fields})


def error(name: str, exc: BaseException, **fields: Any) -> None:
    """Log an error event with its exception's types and places: not the exception itself, whose
    message any handler (not only ours) would print."""
    log.error(name, extra={"cml_fields": {**fields, **describe_exception((type(exc), exc, exc.__traceback__))}})


def describe_exception(exc_info: _ExcInfo) -> dict[str, str]:
    """The exception chain's types and the innermost frames: file, line and function only."""
    kinds, seen = [], set()
    current: BaseException | None = exc_info[1]
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kinds.append(f"{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    frames = traceback.extract_tb(exc_info[2])[-4:] if exc_info[2] is not None else []
    where = " < ".join(f"{_short(frame.filename)}:{frame.lineno}:{frame.name}" for frame in reversed(frames))
    return {"exception": " <- ".join(kinds), "where": where}


def _short(filename: str) -> str:
    for marker in ("/cml/", "/site-packages/"):
        if marker in filename:
            return filename.rsplit(marker, 1)[1]
    return filename.rsplit("/", 1)[-1]


class _Context(logging.Filter):
    """Adds the request id and the signed-in user's id to every record made during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("sqlalchemy") and record.levelno < logging.WARNING:
            return False  # SQL echo: statements' values and result rows, whatever level someone set
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.user_id = getattr(g.get("_login_user"), "id", None) or "-"  # only if already loaded: no query from a log
            record.address = request.remote_addr or "-"
        return True


class Formatter(logging.Formatter):
    """key=value (or JSON) lines; an exception by its types and frames, never its message."""

    def __init__(self, as_json: bool = False) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        own = getattr(record, "cml_fields", None)
        if own is not None:
            fields["event"] = record.msg
        elif record.name.startswith("sqlalchemy"):
            fields["msg"] = str(record.msg)[:200]  # its format string only: the arguments may be a statement's values
        else:
            fields["msg"] = record.getMessage()
        for key in ("request_id", "user_id", "address"):
            if hasattr(record, key):
                fields[key] = getattr(record, key)
        if own:
            fields.update(own)
        if record.exc_info and record.exc_info[1] is not None:
            fields.update(describe_exception(record.exc_info))
        if self.as_json:
            return json.dumps(fields, ensure_ascii=False, default=str)
        return " ".join(f"{key}={_value(value)}" for key, value in fields.items())

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return " ".join(f"{key}={_value(value)}" for key, value in describe_exception(ei).items())


def _value(value: Any) -> str:
    text = str(value)
    return text if text and _PLAIN.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def configure(level: str = "INFO", as_json: bool = False) -> None:
    """One handler on the root logger, writing lines to standard error (once per process)."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "cml_handler", False)]
    handler = ours[0] if ours else logging.StreamHandler(sys.stderr)
    handler.setFormatter(Formatter(as_json))
    if not ours:
        handler.cml_handler = True  # type: ignore[attr-defined]
        handler.addFilter(_Context())
        root.addHandler(handler)
    root.setLevel(level)
    log.setLevel(level)
    # SQLAlchemy logs statements with their values at INFO; never let that through.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at INFO whenever a command loads it: noise at every start.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """Structured logging for the app, a request id for every request (sent back as X-Request-Id)."""
    from cml.settings import settings

    configure(settings(app).log_level.upper(), settings(app).log_format == "json")
    app.logger.handlers.clear()  # Flask's own handler would write the same record again, with its message
    app.logger.propagate = True

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response
