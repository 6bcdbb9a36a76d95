"""Dashboards for regional leads, advocates and administrators."""

from cml.dashboard.urls import bp

__all__ = ["bp"]
