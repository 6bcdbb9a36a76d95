"""The meetings' URLs (under /actions, beside the register): council meetings, their agendas of actions, and the
action register as XLSX."""

from __future__ import annotations

from flask import Blueprint

from cml.meetings import views

bp = Blueprint("meetings", __name__, url_prefix="/actions", template_folder="templates")

bp.add_url_rule("/meetings/", "meeting_list", views.meeting_list, methods=["GET", "POST"])
bp.add_url_rule("/meetings/<int:meeting_id>", "meeting", views.meeting, methods=["GET"])
bp.add_url_rule("/meetings/<int:meeting_id>/agenda", "agenda_add", views.agenda_add, methods=["POST"])
bp.add_url_rule("/meetings/<int:meeting_id>/agenda/<int:action_id>/remove", "agenda_remove", views.agenda_remove, methods=["POST"])
bp.add_url_rule("/meetings/<int:meeting_id>/agenda/<int:action_id>/move", "agenda_move", views.agenda_move, methods=["POST"])
bp.add_url_rule("/register.xlsx", "register", views.register, methods=["GET"])
