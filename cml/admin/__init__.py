"""Administration: users, regions and facilities, questionnaires."""

from cml.admin import audit  # noqa: F401  (registers the audit page)
from cml.admin.views import bp

__all__ = ["bp"]
