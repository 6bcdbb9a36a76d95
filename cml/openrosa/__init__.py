"""ODK Collect, KoboCollect and Enketo: the OpenRosa server API, and the device tokens they may sign in with."""

from cml.openrosa.pages import bp as devices_bp
from cml.openrosa.views import bp

__all__ = ["bp", "devices_bp"]
