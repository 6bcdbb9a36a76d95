"""DHIS2 exports: the published indicator table through a mapping file, and the push of it
to a DHIS2 server's /api/dataValueSets.

The figures come from `cml.services.indicator_export.build` with aggregates only, so the
payload passes exactly the disclosure gate of advocates' tables: regions and the nation,
quarters or years, withheld cells absent. Credentials come from the environment, never
from the mapping file, and are never logged or audited.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from cml.core.dhis2 import Dhis2Mapping, Dhis2Payload, Figure, ImportResult, build_payload, read_import_summary, read_mapping
from cml.core.periods import parse_period
from cml.core.questionnaire.problems import Problem
from cml.extensions import db
from cml.models import Region
from cml.services import surveys
from cml.services.indicator_export import ExportRequest, build

PUSH_TIMEOUT_SECONDS = 120


def load_mapping(path: Path) -> tuple[Dhis2Mapping | None, list[Problem]]:
    """The mapping file at `path`, or None and its problems (a file that cannot be read is one)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [Problem("$", f"cannot read the file: {error.strerror or error}")]
    return read_mapping(data)


def database_problems(mapping: Dhis2Mapping) -> list[Problem]:
    """What the mapping names that this database does not have: a questionnaire, regions, indicators."""
    published = {q.code: q for q in surveys.published_questionnaires()}
    if mapping.questionnaire not in published:
        return [Problem("$.questionnaire", f"no published questionnaire \"{mapping.questionnaire}\" here")]
    problems = []
    codes = set(db.session.scalars(select(Region.code)))
    problems += [Problem(f"$.orgUnits.regions.{code}", f"no region with the code \"{code}\" here") for code in mapping.regions if code not in codes]
    indicators = _indicator_kinds(mapping.questionnaire)
    problems += [Problem(f"$.indicators.{name}", f"questionnaire \"{mapping.questionnaire}\" has no indicator \"{name}\"")
                 for name in mapping.indicators if name not in indicators]
    return problems


def _indicator_kinds(code: str) -> dict[str, str]:
    """The current version's indicators and whether each is a proportion or a mean."""
    version = surveys.latest_version(code)
    if version is None:
        return {}
    return {i.id: "proportion" if i.type == "proportion" else "mean" for i in surveys.model_of(version).indicators}


def export_payload(mapping: Dhis2Mapping, *, region_ids: set[int] | None, period_range: tuple[int, int] | None, k: int,
                   today: date | None = None) -> Dhis2Payload:
    """The dataValueSets payload of the mapping's questionnaire, as published to this reader.

    `region_ids` is the reader's scope (None: every region and the nation). Raises
    LookupError for a questionnaire that is not published.
    """
    request = ExportRequest(code=mapping.questionnaire, by=("region", "period"), grain=mapping.grain, period_range=period_range,
                            region_ids=region_ids, aggregates_only=True, k=k)
    table = build(request)
    codes = {region_id: code for region_id, code in db.session.execute(select(Region.id, Region.code))}
    figures = []
    for row, kind, region_id in zip(table.rows, table.kinds, table.region_ids, strict=True):
        parsed = parse_period(str(row["period"] or ""))
        if parsed is None or parsed[0] != mapping.grain:
            continue
        figures.append(Figure(
            indicator=str(row["indicator"]), kind=kind, region=None if region_id is None else codes.get(region_id, f"#{region_id}"),
            period=parsed[1], published=row["suppressed"] == "no", estimate=_number(row["estimate"]), lower=_number(row["lower"]),
            upper=_number(row["upper"]), numerator=_whole(row["numerator"]), denominator=_whole(row["denominator"]),
            level=_number(row["level"]) or request.level,
        ))
    kinds = {str(row["indicator"]): kind for row, kind in zip(table.rows, table.kinds, strict=True)}
    return build_payload(figures, mapping, [i.id for i in table.table.indicators], kinds, today or date.today(), every_region=region_ids is None)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _whole(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# Pushing to a DHIS2 server.


class PushError(Exception):
    """The push did not reach an import: no server, refused credentials, no import summary."""


@dataclass(frozen=True)
class Credentials:
    authorization: str
    """The Authorization header's value; never printed, logged or audited."""
    kind: str
    """"token" or "password", for the audit log."""


TOKEN_VARIABLE, USER_VARIABLE, PASSWORD_VARIABLE = "DHIS2_TOKEN", "DHIS2_USERNAME", "DHIS2_PASSWORD"


def credentials_from(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """A personal access token (DHIS2_TOKEN) or a user name and password (DHIS2_USERNAME, DHIS2_PASSWORD)."""
    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if token:
        return Credentials(f"ApiToken {token}", "token")
    user, password = environ.get(USER_VARIABLE, ""), environ.get(PASSWORD_VARIABLE, "")
    if user and password:
        return Credentials("Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii"), "password")
    return None


def check_server(server: str) -> str | None:
    """Why credentials may not go to this address, or None: plain http only to this machine."""
    parts = urllib.parse.urlsplit(server)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        try:
            if parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback:
                return None
        except ValueError:
            pass
        return f"{server} is plain http: credentials go only over https (http only to this machine, for testing)"
    return f"{server} is not an http(s) address"


ImportStrategy = Literal["CREATE_AND_UPDATE", "DELETE"]


def push(document: dict[str, Any], server: str, credentials: Credentials, *, dry_run: bool, strategy: ImportStrategy = "CREATE_AND_UPDATE",
         timeout: float = PUSH_TIMEOUT_SECONDS) -> ImportResult:
    """POST the payload to {server}/api/dataValueSets and read DHIS2's import summary.

    `strategy` DELETE removes the values the document addresses (`Dhis2Payload.retraction_document`)."""
    problem = check_server(server)
    if problem:
        raise PushError(problem)
    query = urllib.parse.urlencode({"dryRun": "true" if dry_run else "false", "importStrategy": strategy})
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked above: http(s) only)
        f"{server.rstrip('/')}/api/dataValueSets?{query}", data=json.dumps(document).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", "Authorization": credentials.authorization},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            status, body = answer.status, answer.read(10 * 1024 * 1024)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(10 * 1024 * 1024)
        if status in (401, 403):
            raise PushError(f"DHIS2 refused the credentials (HTTP {status})") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PushError(f"cannot reach {server}: {reason}") from None
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    result = read_import_summary(parsed)
    if result is None:
        message = parsed.get("message") if isinstance(parsed, dict) else None
        detail = f": {str(message)[:200]}" if message else " (is the address right?)"
        raise PushError(f"DHIS2 answered HTTP {status} without an import summary{detail}")
    if dry_run and not result.dry_run:
        result = ImportResult(**{**result.__dict__, "dry_run": True})
    return result
