"""Council meetings with their agendas of actions, and the action register as XLSX."""

from cml.meetings.urls import bp

__all__ = ["bp"]
