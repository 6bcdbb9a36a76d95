"""The reports' URLs (/reports): what leaves the platform — raw data, indicator tables, and the council brief (page and PDF)."""

from __future__ import annotations

from flask import Blueprint

from cml.reports import brief, tables, views

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

bp.add_url_rule("/raw", "raw", views.raw, methods=["GET", "POST"])
bp.add_url_rule("/indicators", "indicators", tables.indicators, methods=["GET", "POST"])
bp.add_url_rule("/brief", "brief", brief.brief, methods=["GET"])
bp.add_url_rule("/brief.pdf", "brief_pdf", brief.brief_pdf, methods=["GET"])
