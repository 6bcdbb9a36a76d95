"""The DHIS2 payload on the web: the published indicator table as a dataValueSets file."""

from cml.dhis2.views import bp

__all__ = ["bp"]
