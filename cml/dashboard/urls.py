"""The dashboard's URLs (/dashboard): the indicator overview, one indicator, and its figures as JSON for the charts."""

from __future__ import annotations

from flask import Blueprint

from cml.dashboard import views

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")

bp.add_url_rule("/", "overview", views.overview, methods=["GET"])
bp.add_url_rule("/indicator", "indicator", views.indicator, methods=["GET"])
bp.add_url_rule("/indicator.json", "indicator_json", views.indicator_json, methods=["GET"])
