"""A submission's XML instance, read without trusting it.

defusedxml refuses a DOCTYPE (so no entity expansion, no external entity or DTD fetch); the
reading stops at a depth or an element count no CML form reaches, so a deep or wide body costs
little before it is refused. Groups only nest the fields: the values are the leaves by name,
and a name met twice (a repeat, which CML forms have none of) is refused rather than guessed at.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Literal
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

MAX_DEPTH = 12
"""The instance root, a section's group and the meta block: a CML form needs 3 or 4 levels."""
MAX_ELEMENTS = 5000
MAX_VALUE_CHARS = 10_000
"""Longer than any CML answer (long texts stop at 4000): more is not an interview."""

Reason = Literal["malformed", "entities", "too_deep", "too_many", "too_long", "repeated", "no_instance_id"]


class SubmissionXmlError(ValueError):
    """The body is not an instance CML reads; `reason` says which rule it broke (no content in it)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: uuid.UUID
    values: dict[str, str]
    """Each answered or empty field by its name, outside the meta block."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_instance(data: bytes) -> Instance:
    """The form id, version, instanceID and field values of a submission, or SubmissionXmlError."""
    path: list[str] = []
    values: dict[str, str] = {}
    root_attributes: dict[str, str] = {}
    instance_id = ""
    counted = 0
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                path.append(_local(element.tag))
                counted += 1
                if len(path) > MAX_DEPTH:
                    raise SubmissionXmlError("too_deep")
                if counted > MAX_ELEMENTS:
                    raise SubmissionXmlError("too_many")
                if len(path) == 1:
                    root_attributes = {_local(k): v for k, v in element.attrib.items()}
                continue
            name = path.pop()
            if len(element) == 0 and path:  # a leaf field (the root itself is no field)
                text = (element.text or "").strip()
                if len(text) > MAX_VALUE_CHARS:
                    raise SubmissionXmlError("too_long")
                if "meta" in path[1:]:
                    if name == "instanceID":
                        instance_id = text
                elif name in values:
                    raise SubmissionXmlError("repeated")
                else:
                    values[name] = text
            if path:
                element.clear()  # the values are kept; the tree need not be
    except DefusedXmlException as error:
        raise SubmissionXmlError("entities") from error
    except (ParseError, UnicodeError) as error:
        raise SubmissionXmlError("malformed") from error
    identifier = _instance_uuid(instance_id or root_attributes.get("instanceID", ""))
    if identifier is None:
        raise SubmissionXmlError("no_instance_id")
    return Instance(root_attributes.get("id", ""), root_attributes.get("version", ""), identifier, values)


def _instance_uuid(text: str) -> uuid.UUID | None:
    """The UUID of an instanceID ("uuid:…", as ODK Collect and Enketo make them)."""
    body = text[5:] if text.lower().startswith("uuid:") else text
    try:
        return uuid.UUID(body) if len(body) <= 45 else None
    except ValueError:
        return None
