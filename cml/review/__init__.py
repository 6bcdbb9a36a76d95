"""Reviewing submissions: a list for leads (their regions) and admins, one page per submission."""

from cml.review.urls import bp

__all__ = ["bp"]
