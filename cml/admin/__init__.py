"""Administration: users, regions and facilities, questionnaires."""

from cml.admin.urls import bp

__all__ = ["bp"]
