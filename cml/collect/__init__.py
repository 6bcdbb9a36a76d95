"""Peer monitors fill questionnaires: forms from JSON, skip logic, exactly-once submission."""

from cml.collect.views import bp

__all__ = ["bp"]
