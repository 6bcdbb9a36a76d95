"""Peer monitors fill questionnaires: forms from JSON, skip logic, exactly-once submission."""

from cml.collect import lifecycle, offline, paper  # noqa: F401  (register the correction and trash pages, the offline app and the paper-form import pages)
from cml.collect.api import bp as api_bp
from cml.collect.views import bp

__all__ = ["api_bp", "bp"]
