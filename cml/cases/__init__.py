"""Cases: incident reports followed up in their region (steps, state, the person's consent)."""

from cml.cases.views import bp

__all__ = ["bp"]
