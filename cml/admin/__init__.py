"""Administration: users, regions and facilities, questionnaires."""

from cml.admin import audit, questionnaires  # noqa: F401  (register the audit and questionnaire pages)
from cml.admin.views import bp

__all__ = ["bp"]
