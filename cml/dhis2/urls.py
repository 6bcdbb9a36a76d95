"""The DHIS2 payload's URL (/dhis2/): the form, and the published indicator table as a dataValueSets file."""

from __future__ import annotations

from flask import Blueprint

from cml.dhis2 import views

bp = Blueprint("dhis2", __name__, url_prefix="/dhis2", template_folder="templates")

bp.add_url_rule("/", "export", views.export, methods=["GET", "POST"])
