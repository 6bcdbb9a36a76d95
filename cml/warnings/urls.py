"""The warnings' URLs (/warnings): the region's bulletin (page and PDF), one warning, and the lead's pages to draft one
from a case, edit, publish and withdraw it; and the templates' `last_day` filter."""

from __future__ import annotations

from flask import Blueprint

from cml.core.warnings.expiry import last_day_of
from cml.warnings import views

bp = Blueprint("warnings", __name__, url_prefix="/warnings", template_folder="templates")
bp.add_app_template_filter(last_day_of, "last_day")  # the last day a warning is shown, from its expiry moment

bp.add_url_rule("/", "bulletin", views.bulletin, methods=["GET"])
bp.add_url_rule("/bulletin.pdf", "bulletin_pdf", views.bulletin_pdf, methods=["GET"])
bp.add_url_rule("/<int:warning_id>", "page", views.page, methods=["GET"])
bp.add_url_rule("/manage", "manage", views.manage, methods=["GET"])
bp.add_url_rule("/draft/<int:report_id>", "draft", views.draft, methods=["POST"])
bp.add_url_rule("/<int:warning_id>/edit", "edit", views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:warning_id>/publish", "publish", views.publish, methods=["POST"])
bp.add_url_rule("/<int:warning_id>/withdraw", "withdraw", views.withdraw, methods=["POST"])
