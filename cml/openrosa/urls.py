"""OpenRosa's URLs: the server API ODK Collect, KoboCollect and Enketo talk to (/openrosa: form list, form download,
submission), with its own body limit and error answers; and the device token pages (an account's own and an
administrator's for any account)."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from cml.extensions import csrf
from cml.openrosa import auth, pages, views

bp = Blueprint("openrosa", __name__, url_prefix="/openrosa")
csrf.exempt(bp)  # HTTP Basic on every request, no cookie session: nothing a forged cross-site request could borrow
bp.before_request(views.small_bodies)
bp.register_error_handler(auth.Refusal, views.refused)
bp.register_error_handler(HTTPException, views.http_error)

bp.add_url_rule("/formList", "form_list", views.form_list, methods=["GET"])
bp.add_url_rule("/forms/<code>/<int:number>.xml", "form_download", views.form_download, methods=["GET"])
bp.add_url_rule("/submission", "submission_preflight", views.submission_preflight, methods=["HEAD"])
bp.add_url_rule("/submission", "submit", views.submit, methods=["POST"])

devices_bp = Blueprint("devices", __name__, template_folder="templates")

devices_bp.add_url_rule("/account/devices", "own_devices", pages.own_devices, methods=["GET", "POST"])
devices_bp.add_url_rule("/account/devices/<int:token_id>/revoke", "own_device_revoke", pages.own_device_revoke, methods=["POST"])
devices_bp.add_url_rule("/admin/users/<int:user_id>/devices", "user_devices", pages.user_devices, methods=["GET", "POST"])
devices_bp.add_url_rule("/admin/users/<int:user_id>/devices/<int:token_id>/revoke", "user_device_revoke", pages.user_device_revoke,
                        methods=["POST"])
