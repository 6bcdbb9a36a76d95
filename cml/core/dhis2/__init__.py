"""DHIS2: the published indicator table as a dataValueSets payload, through a mapping file.

`mapping` reads and checks the mapping file, `payload` builds the JSON body from the
table's published figures, `summary` reads DHIS2's import summary. Pure: no Flask, no
database, no network (cml.services.dhis2 sends it).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from cml.core.dhis2.mapping import Dhis2Mapping, IndicatorTargets, Target, read_mapping
from cml.core.dhis2.payload import Dhis2Payload, Dhis2Warning, Figure, build_payload, dhis2_period, format_value
from cml.core.dhis2.summary import ImportResult, read_import_summary

__all__ = [
    "Dhis2Mapping", "Dhis2Payload", "Dhis2Warning", "Figure", "ImportResult", "IndicatorTargets", "Target",
    "build_payload", "datavalueset_schema", "dhis2_period", "format_value", "read_import_summary", "read_mapping",
]


@cache
def datavalueset_schema() -> dict[str, Any]:
    """The JSON Schema of a DHIS2 dataValueSets import, written from DHIS2's documentation."""
    text = resources.files("cml.core.dhis2").joinpath("datavalueset.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
