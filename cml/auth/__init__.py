"""Signing in and out."""

from cml.auth.views import bp

__all__ = ["bp"]
