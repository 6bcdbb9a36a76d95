"""What an OpenRosa client does: Basic credentials, the form list, and a filled instance as ODK Collect sends it."""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from typing import Any

from defusedxml.ElementTree import fromstring

from cml.core.openrosa import DATE_FIELD, PLACE_FIELD
from tests.conftest import PASSWORD

XF = "{http://www.w3.org/2002/xforms}"
LIST = "{http://openrosa.org/xforms/xformsList}"
ORX = "{http://openrosa.org/xforms}"


def basic(username: str = "demo-monitor", password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-OpenRosa-Version": "1.0", "Date": "Wed, 02 Dec 2026 12:00:00 GMT"}


def form_list(xml: bytes) -> list[dict[str, str]]:
    root = fromstring(xml)
    return [{child.tag.removeprefix(LIST): child.text or "" for child in item} for item in root.findall(f"{LIST}xform")]


def primary_instance(xform: bytes | str) -> ET.Element:
    """The form's main instance (the first <instance> of the model), as a fresh element to fill."""
    root = fromstring(xform)
    instance = root.find(f".//{XF}model/{XF}instance")
    assert instance is not None
    return next(iter(instance))


def odk_value(value: Any, kind: str) -> str:
    """An answer as ODK Collect writes it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if kind == "time":
        return f"{value}:00.000+02:00"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def filled(xform: bytes | str, answers: Mapping[str, Any], kinds: Mapping[str, str], place: int, day: date,
           instance_id: uuid.UUID | None = None) -> bytes:
    """The form's instance with these answers, the place, the date and an instanceID, as ODK Collect saves it."""
    data = primary_instance(xform)
    for element in data.iter():
        name = element.tag.removeprefix(XF)
        if len(element) == 0:
            if name == PLACE_FIELD:
                element.text = str(place)
            elif name == DATE_FIELD:
                element.text = day.isoformat()
            elif name == "instanceID":
                element.text = f"uuid:{instance_id or uuid.uuid4()}"
            elif name in answers:
                element.text = odk_value(answers[name], kinds.get(name, ""))
    return ET.tostring(data, encoding="utf-8", xml_declaration=True)


def with_instance_id(xml: bytes, instance_id: uuid.UUID) -> bytes:
    return re.sub(rb"uuid:[0-9a-f-]+", f"uuid:{instance_id}".encode(), xml)


def multipart(xml: bytes, **extra: Any) -> dict[str, Any]:
    import io

    return {"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml"), **extra}
