"""The token API's URLs (/api/v1: questionnaires, submissions, indicator tables and exports, for a personal access
token) and the token pages (an account's own, and an administrator's for any account).

The API's blueprint is flask-smorest's: its `add_url_rule` also collects the OpenAPI documentation the views carry
(cml.api.views documents them with decorators that need no blueprint). cml.api `register` gives it to the Api, which
serves the document at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Blueprint
from flask_smorest import Blueprint as DocumentedBlueprint
from werkzeug.exceptions import UnprocessableEntity

from cml.api import pages, views
from cml.api.auth import note_token_use
from cml.api.tables import Unanswerable

bp = DocumentedBlueprint("api", __name__, url_prefix="/api/v1",
                         description="CML's data for the tools people already use (a personal access token).")
bp.teardown_request(note_token_use)
bp.register_error_handler(UnprocessableEntity, views.unprocessable)
bp.register_error_handler(Unanswerable, views.unanswerable)

bp.add_url_rule("/questionnaires", "questionnaires", views.questionnaires, methods=["GET"])
bp.add_url_rule("/questionnaires/<code>/versions/<int:number>", "questionnaire_version", views.questionnaire_version, methods=["GET"])
bp.add_url_rule("/submissions", "submit", views.submit, methods=["POST"])
bp.add_url_rule("/submissions", "my_submissions", views.my_submissions, methods=["GET"])
bp.add_url_rule("/indicators/<code>", "indicator_table", views.indicator_table, methods=["GET"])
bp.add_url_rule("/exports/<code>/indicators.csv", "indicator_csv_export", views.indicator_csv_export, methods=["GET"])

tokens_bp = Blueprint("api_tokens", __name__, template_folder="templates")

tokens_bp.add_url_rule("/account/tokens", "own_tokens", pages.own_tokens, methods=["GET", "POST"])
tokens_bp.add_url_rule("/account/tokens/<int:token_id>/revoke", "own_token_revoke", pages.own_token_revoke, methods=["POST"])
tokens_bp.add_url_rule("/admin/users/<int:user_id>/tokens", "user_tokens", pages.user_tokens, methods=["GET", "POST"])
tokens_bp.add_url_rule("/admin/users/<int:user_id>/tokens/<int:token_id>/revoke", "user_token_revoke", pages.user_token_revoke,
                       methods=["POST"])
