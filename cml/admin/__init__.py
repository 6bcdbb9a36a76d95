"""Administration: users, regions and facilities, questionnaires."""

from cml.admin.views import bp

__all__ = ["bp"]
