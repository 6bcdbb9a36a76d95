"""What leaves the platform: raw data for leads and admins, indicator tables and briefs for councils."""

from cml.reports import brief, tables  # noqa: F401  (register their pages)
from cml.reports.views import bp

__all__ = ["bp"]
