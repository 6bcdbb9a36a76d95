"""Peer monitors fill questionnaires: forms from JSON, skip logic, exactly-once submission."""

from cml.collect import paper  # noqa: F401  (registers the paper-form import pages)
from cml.collect.views import bp

__all__ = ["bp"]
