"""Administration's URLs (/admin): accounts, regions and facilities, the audit log, and questionnaires
(upload a draft, preview, publish or discard it, retire a published version)."""

from __future__ import annotations

from flask import Blueprint

from cml.admin import audit, questionnaires, views

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_url_rule("/", "index", views.index, methods=["GET"])
bp.add_url_rule("/users", "user_list", views.user_list, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", "user_edit", views.user_edit, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/password", "user_password", views.user_password, methods=["POST"])
bp.add_url_rule("/regions", "region_list", views.region_list, methods=["GET", "POST"])
bp.add_url_rule("/facilities/<int:facility_id>", "facility_edit", views.facility_edit, methods=["GET", "POST"])

bp.add_url_rule("/audit", "audit_log", audit.audit_log, methods=["GET"])

bp.add_url_rule("/questionnaires", "questionnaire_list", questionnaires.questionnaire_list, methods=["GET", "POST"])
bp.add_url_rule("/questionnaires/drafts/<int:draft_id>", "questionnaire_draft", questionnaires.questionnaire_draft, methods=["GET"])
bp.add_url_rule("/questionnaires/drafts/<int:draft_id>/preview", "questionnaire_preview", questionnaires.questionnaire_preview,
                methods=["GET"])
bp.add_url_rule("/questionnaires/drafts/<int:draft_id>/publish", "questionnaire_publish", questionnaires.questionnaire_publish,
                methods=["POST"])
bp.add_url_rule("/questionnaires/drafts/<int:draft_id>/discard", "questionnaire_discard", questionnaires.questionnaire_discard,
                methods=["POST"])
bp.add_url_rule("/questionnaires/<code>/<int:number>/retire", "questionnaire_retire", questionnaires.questionnaire_retire,
                methods=["POST"])
