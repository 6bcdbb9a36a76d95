"""Actions: findings taken to duty bearers, re-checked by the data."""

from cml.actions.views import bp

__all__ = ["bp"]
