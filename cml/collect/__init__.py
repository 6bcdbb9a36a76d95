"""Peer monitors fill questionnaires: forms from JSON, skip logic, exactly-once submission."""

from cml.collect.urls import api_bp, bp

__all__ = ["api_bp", "bp"]
