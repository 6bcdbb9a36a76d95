"""Council meetings with their agendas of actions, and the action register as XLSX."""

from cml.meetings import views  # noqa: F401  (register the pages)
from cml.meetings.views import bp

__all__ = ["bp"]
