"""OpenRosa responses: the headers every one carries and the XML envelope of messages.

X-OpenRosa-Version on every response (the HTTP Request API; its Date header is the HTTP server's:
gunicorn and Werkzeug always send one, and a second would be a duplicate); the submission's
answers and errors in `<OpenRosaResponse>`, whose message ODK Collect shows the monitor as it is.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from flask import current_app
from werkzeug.wrappers import Response

from cml.web.i18n import current_language

RESPONSE_NS = "http://openrosa.org/http/response"
XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MAX_BODY_BYTES = 512 * 1024
"""A CML submission is a few kilobytes; more is not an interview (and there are no attachments)."""


def xml_response(body: bytes, status: int = 200, content_type: str = "text/xml; charset=utf-8") -> Response:
    response = current_app.response_class(body, status=status, content_type=content_type)
    return with_headers(response)


def with_headers(response: Response) -> Response:
    response.headers["X-OpenRosa-Version"] = "1.0"
    response.headers["Content-Language"] = current_language()
    response.headers["X-OpenRosa-Accept-Content-Length"] = str(MAX_BODY_BYTES)
    return response


def message(text: str, status: int) -> Response:
    """The OpenRosa envelope with one message: "submit_success" below 400, else "error"."""
    root = Element("OpenRosaResponse", {"xmlns": RESPONSE_NS})
    SubElement(root, "message", {"nature": "submit_success" if status < 400 else "error"}).text = text
    return xml_response(tostring(root, encoding="utf-8", xml_declaration=True), status)
