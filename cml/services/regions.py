"""Loading regions and facilities from JSON or CSV: validated whole, then upserted by code."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from cml.core.bounds import is_plain_text, plain_text
from cml.core.strict_json import strict_loads
from cml.extensions import db
from cml.models import FACILITY_KINDS, Facility, Region, User
from cml.services import audit

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
MAX_NAME = 200
CSV_COLUMNS = ("region_code", "region_name_en", "facility_code", "facility_name", "facility_kind")
# A facility's name in another language: "name_uk" in JSON (or "name": {"en", "uk", …}), "facility_name_uk" in CSV.
LANGUAGE = re.compile(r"^[a-z]{2,3}\Z")


class RegionFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class RegionSpec:
    code: str
    name: dict[str, str]
    facilities: list[dict[str, str]] = field(default_factory=list)
    """Each {"code", "name" (English), "kind", and "name_<language>" for other languages}."""


@dataclass(frozen=True)
class LoadSummary:
    regions_added: int
    regions_updated: int
    facilities_added: int
    facilities_updated: int


def parse_regions_file(data: bytes, filename: str) -> list[RegionSpec]:
    """The regions a file describes; raises RegionFileError listing every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegionFileError([f"{filename}: " + _("not UTF-8 text")]) from None
    if filename.lower().endswith(".csv"):
        specs, problems = _from_csv(text)
    else:
        specs, problems = _from_json(text)
    problems += _check(specs)
    if problems:
        raise RegionFileError([f"{filename}: {p}" for p in problems])
    return specs


def _from_json(text: str) -> tuple[list[RegionSpec], list[str]]:
    document, problem = strict_loads(text)
    if problem is not None:
        where, what = problem
        return [], [_("not valid JSON: %(error)s", error=where + ": " + what)]
    if not isinstance(document, dict) or not isinstance(document.get("regions"), list):
        return [], [_('expected an object {"regions": [...]}')]
    specs, problems = [], []
    for i, raw in enumerate(document["regions"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), dict) or not isinstance(raw.get("facilities", []), list):
            problems.append(f"$.regions[{i}]: " + _('needs "code", "name" {"en": …} and a list "facilities"'))
            continue
        facilities = [_facility_from_json(f) if isinstance(f, dict) else {} for f in raw.get("facilities", [])]
        specs.append(RegionSpec(str(raw.get("code", "")), {str(k): str(v) for k, v in raw["name"].items()}, facilities))
    return specs, problems


def _facility_from_json(raw: dict[str, object]) -> dict[str, str]:
    """A facility's fields as text; "name" may be one name (English) or {"en": …, "uk": …}."""
    name = raw.get("name")
    facility = {str(k): str(v) for k, v in raw.items() if k != "name"}
    if isinstance(name, dict):
        facility.update({f"name_{k}": str(v) for k, v in name.items() if k != "en"})
        facility["name"] = str(name.get("en", ""))
    elif name is not None:
        facility["name"] = str(name)
    return facility


def facility_names(facility: dict[str, str]) -> dict[str, str]:
    """The non-English names of a parsed facility, by language."""
    return {key[5:]: value for key, value in facility.items() if key.startswith("name_") and value}


def _from_csv(text: str) -> tuple[list[RegionSpec], list[str]]:
    if not is_plain_text(text):
        return [], [_("the file holds NUL characters; save it from the spreadsheet as 'CSV UTF-8'")]
    try:
        return _read_csv(text)
    except csv.Error as error:  # e.g. a cell longer than the csv module's field limit
        return [], [_("not a readable CSV file: %(error)s", error=str(error)[:200])]


def _read_csv(text: str) -> tuple[list[RegionSpec], list[str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [_("missing column(s): %(columns)s", columns=", ".join(missing))]
    by_code: dict[str, RegionSpec] = {}
    for row in reader:
        code = (row["region_code"] or "").strip()
        names = {lang: (row.get(f"region_name_{lang}") or "").strip() for lang in ("en", "uk", "ru")}
        spec = by_code.setdefault(code, RegionSpec(code, {k: v for k, v in names.items() if v}))
        if (row["facility_code"] or "").strip():
            other_names = {key[len("facility_"):]: (value or "").strip() for key, value in row.items()
                           if key and key.startswith("facility_name_") and key != "facility_name_en" and (value or "").strip()}
            english = (row.get("facility_name_en") or row["facility_name"] or "").strip()
            spec.facilities.append({"code": row["facility_code"].strip(), "name": english,
                                    "kind": (row["facility_kind"] or "clinic").strip(), **other_names})
    return list(by_code.values()), []


def _check(specs: list[RegionSpec]) -> list[str]:
    problems = []
    region_codes: set[str] = set()
    facility_codes: set[str] = set()
    for spec in specs:
        where = _("region '%(code)s'", code=plain_text(spec.code)[:64])
        if not CODE.match(spec.code):
            problems.append(f"{where}: " + _("code must be lower-case letters, digits, '_' or '-'"))
        if spec.code in region_codes:
            problems.append(f"{where}: " + _("listed twice"))
        region_codes.add(spec.code)
        if not spec.name.get("en"):
            problems.append(f"{where}: " + _("needs an English name"))
        if any(len(name) > MAX_NAME or not is_plain_text(name) or not is_plain_text(language) or len(language) > 16
               for language, name in spec.name.items()):
            problems.append(f"{where}: " + _("each name needs at most 200 characters of plain text"))
        for facility in spec.facilities:
            code = facility.get("code", "")
            fwhere = _("%(region)s, facility '%(code)s'", region=where, code=plain_text(code)[:64])
            if not CODE.match(code):
                problems.append(f"{fwhere}: " + _("code must be lower-case letters, digits, '_' or '-'"))
            if code in facility_codes:
                problems.append(f"{fwhere}: " + _("facility code listed twice"))
            facility_codes.add(code)
            if not facility.get("name") or len(facility["name"]) > MAX_NAME or not is_plain_text(facility["name"]):
                problems.append(f"{fwhere}: " + _("needs a name of at most 200 characters"))
            for language, name in facility_names(facility).items():
                if not LANGUAGE.match(language) or len(name) > MAX_NAME or not is_plain_text(name):
                    problems.append(f"{fwhere}: " + _("each name needs at most 200 characters of plain text"))
            if facility.get("kind", "clinic") not in FACILITY_KINDS:
                problems.append(f"{fwhere}: " + _("kind must be one of %(kinds)s", kinds=", ".join(FACILITY_KINDS)))
    return problems


def load_regions(specs: list[RegionSpec], actor: User | None = None) -> LoadSummary:
    """Add new regions and facilities and update existing ones, matched by code."""
    counts = {"ra": 0, "ru": 0, "fa": 0, "fu": 0}
    for spec in specs:
        region = db.session.scalar(select(Region).where(Region.code == spec.code))
        if region is None:
            region = Region(code=spec.code, name=spec.name)
            db.session.add(region)
            counts["ra"] += 1
        else:
            region.name = {**region.name, **spec.name}
            counts["ru"] += 1
        db.session.flush()
        for raw in spec.facilities:
            facility = db.session.scalar(select(Facility).where(Facility.code == raw["code"]))
            names = facility_names(raw)
            if facility is None:
                db.session.add(Facility(region_id=region.id, code=raw["code"], name=raw["name"], names=names or None, kind=raw.get("kind", "clinic")))
                counts["fa"] += 1
            else:
                facility.name, facility.kind, facility.region_id = raw["name"], raw.get("kind", "clinic"), region.id
                # Names in languages the file leaves out are kept, as for regions.
                facility.names = {**(facility.names or {}), **names} or None
                counts["fu"] += 1
    db.session.flush()
    summary = LoadSummary(counts["ra"], counts["ru"], counts["fa"], counts["fu"])
    audit.record("regions.load", actor, **summary.__dict__)
    return summary


def region_by_code(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code))

