"""The review's URLs (/review): the list of submissions to review, and one submission with its state buttons."""

from __future__ import annotations

from flask import Blueprint

from cml.review import views

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")

bp.add_url_rule("/", "submissions", views.submissions, methods=["GET"])
bp.add_url_rule("/<uuid:submission_id>", "submission", views.submission, methods=["GET", "POST"])
