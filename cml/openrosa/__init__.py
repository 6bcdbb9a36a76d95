"""ODK Collect, KoboCollect and Enketo: the OpenRosa server API, and the device tokens they may sign in with."""

from cml.openrosa.urls import bp, devices_bp

__all__ = ["bp", "devices_bp"]
