"""The DHIS2 payload on the web: the published indicator table as a dataValueSets file."""

from cml.dhis2.urls import bp

__all__ = ["bp"]
