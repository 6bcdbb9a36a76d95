"""The actions' URLs (/actions): the register, opening an action from a dashboard figure, one action, its edit and state."""

from __future__ import annotations

from flask import Blueprint

from cml.actions import views

bp = Blueprint("actions", __name__, url_prefix="/actions", template_folder="templates")

bp.add_url_rule("/", "register", views.register, methods=["GET"])
bp.add_url_rule("/new", "new", views.new, methods=["GET", "POST"])
bp.add_url_rule("/<action_id>", "page", views.page, methods=["GET"])
bp.add_url_rule("/<action_id>/edit", "edit", views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<action_id>/state", "change_state", views.change_state, methods=["POST"])
