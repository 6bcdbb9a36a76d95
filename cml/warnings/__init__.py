"""Warnings to the community: drafting from a case with consent, publishing with an expiry, the regional bulletin
(page and PDF) and the messenger text."""

from cml.warnings.urls import bp

__all__ = ["bp"]
