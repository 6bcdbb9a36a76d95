"""A health endpoint for load balancers and monitoring: the app answers and the database too."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cml.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 otherwise; no login, no data."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


bench_bp = Blueprint("bench", __name__)


@bench_bp.get("/bench/ping")
def ping() -> Response:
    """A bare endpoint for the benchmark's baseline: no database, no session, no template.

    Registered only when BENCH_ROUTES is set (`CML_BENCH_ROUTES=true`), never by default.
    """
    return Response(b"ok", mimetype="text/plain")
