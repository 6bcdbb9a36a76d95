"""Dashboards for regional leads, advocates and administrators."""

from cml.dashboard.views import bp

__all__ = ["bp"]
