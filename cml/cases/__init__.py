"""Cases: incident reports followed up in their region (steps, state, the person's consent)."""

from cml.cases.urls import bp

__all__ = ["bp"]
