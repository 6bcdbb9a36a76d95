"""Collecting's URLs: filling a questionnaire in the browser, after a submission (correct, withdraw, the trash), the
installable offline app, paper-form import (all under /collect); and the offline app's JSON (/collect/api/v1)."""

from __future__ import annotations

from flask import Blueprint

from cml.collect import api, lifecycle, offline, paper, views

bp = Blueprint("collect", __name__, url_prefix="/collect", template_folder="templates")

bp.add_url_rule("/<code>/", "start", views.start, methods=["GET", "POST"])
bp.add_url_rule("/d/<uuid:submission_id>/<int:number>", "page", views.page, methods=["GET", "POST"])
bp.add_url_rule("/d/<uuid:submission_id>/continue", "resume", views.resume, methods=["GET"])
bp.add_url_rule("/d/<uuid:submission_id>/review", "review", views.review, methods=["GET"])
bp.add_url_rule("/<code>/submit", "submit", views.submit, methods=["POST"])
bp.add_url_rule("/receipt/<uuid:submission_id>", "receipt", views.receipt, methods=["GET"])
bp.add_url_rule("/mine", "mine", views.mine, methods=["GET"])

bp.add_url_rule("/submissions/<int:response_id>/correct", "correct", lifecycle.correct, methods=["GET", "POST"])
bp.add_url_rule("/submissions/<int:response_id>/withdraw", "withdraw", lifecycle.withdraw, methods=["GET", "POST"])
bp.add_url_rule("/trash", "trash_list", lifecycle.trash_list, methods=["GET"])
bp.add_url_rule("/trash/<int:response_id>/restore", "restore", lifecycle.restore, methods=["POST"])

bp.add_url_rule("/app/", "app_shell", offline.app_shell, methods=["GET"])
bp.add_url_rule("/app/sw.js", "service_worker", offline.service_worker, methods=["GET"])
bp.add_url_rule("/app/manifest.webmanifest", "manifest", offline.manifest, methods=["GET"])

bp.add_url_rule("/import", "import_page", paper.import_page, methods=["GET", "POST"])
bp.add_url_rule("/import/<code>/template.csv", "import_template", paper.import_template, methods=["GET"])

api_bp = Blueprint("collect_api", __name__, url_prefix="/collect/api/v1")
api_bp.before_request(api.small_bodies)

api_bp.add_url_rule("/session", "session_info", api.session_info, methods=["GET"])
api_bp.add_url_rule("/setup", "setup", api.setup, methods=["GET"])
api_bp.add_url_rule("/submissions", "submit", api.submit, methods=["POST"])
