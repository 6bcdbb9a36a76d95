"""The cases' URLs (/cases): a region's cases, the case of an incident report, one case, its steps, state and withdrawn consent."""

from __future__ import annotations

from flask import Blueprint

from cml.cases import views

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")

bp.add_url_rule("/", "case_list", views.case_list, methods=["GET"])
bp.add_url_rule("/report/<report_id>", "report", views.report, methods=["GET"])
bp.add_url_rule("/<case_id>", "page", views.page, methods=["GET"])
bp.add_url_rule("/<case_id>/steps", "add_step", views.add_step, methods=["POST"])
bp.add_url_rule("/<case_id>/state", "change_state", views.change_state, methods=["POST"])
bp.add_url_rule("/<case_id>/consent", "withdraw_consent", views.withdraw_consent, methods=["POST"])
