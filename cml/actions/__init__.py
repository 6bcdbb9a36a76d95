"""Actions: findings taken to duty bearers, re-checked by the data."""

from cml.actions.urls import bp

__all__ = ["bp"]
