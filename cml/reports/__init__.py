"""What leaves the platform: raw data for leads and admins, indicator tables and briefs for councils."""

from cml.reports.urls import bp

__all__ = ["bp"]
