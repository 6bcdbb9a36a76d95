"""A published indicator table as a DHIS2 `dataValueSets` JSON payload.

Only published figures go in: a cell that disclosure control withholds is absent from the
payload (never a zero, which DHIS2 would store as a number). Figures nobody mapped are
counted in warnings, never dropped silently.

A push also retracts: DHIS2 keeps what it was sent, so a cell published once and withheld now
(a correction, a withdrawn consent, responses moved to the trash), or without any data now,
would stay there with a figure CML no longer stands behind. When the table covers every region,
`retractions` lists the address of every mapped cell of the periods sent that is not published
(no value: nothing withheld is worked out to say which), for an import with importStrategy=DELETE.

Values are text, as DHIS2 stores them: a proportion is a percentage (estimate x 100) and a
mean is on its own scale, each rounded to the indicator's decimal places (default 1 for
percentages, 2 for means) with halves rounded away from zero; numerators and denominators
are whole numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from typing import Any, Literal

from cml.core.dhis2.mapping import DEFAULT_DECIMALS, Dhis2Mapping, Target
from cml.core.periods import Grain

WarningKind = Literal["unmapped_region", "unmapped_indicator", "no_national", "not_in_table", "mean_numerator"]


@dataclass(frozen=True)
class Figure:
    """One cell of the published indicator table (`cml.services.indicator_export`)."""

    indicator: str
    kind: str
    """"proportion" or "mean"."""
    region: str | None
    """The region's CML code; None for the nation."""
    period: int
    """The period key at the mapping's grain (YYYYQ or YYYY)."""
    published: bool
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    level: float = 0.95


@dataclass(frozen=True)
class Dhis2Warning:
    kind: WarningKind
    subject: str
    """The region code or indicator id concerned ("" for the nation)."""
    count: int = 0
    """How many figures stay out of the payload because of it."""

    def text(self) -> str:
        """The warning in English, for the command line."""
        messages = {
            "unmapped_region": f"region \"{self.subject}\" has no orgUnit in the mapping: {self.count} figure(s) not sent",
            "unmapped_indicator": f"indicator \"{self.subject}\" is not in the mapping: {self.count} figure(s) not sent",
            "no_national": f"the mapping has no orgUnits.national: {self.count} national figure(s) not sent",
            "not_in_table": f"indicator \"{self.subject}\" is mapped but the questionnaire has no such indicator",
            "mean_numerator": f"indicator \"{self.subject}\" is a mean: it has no numerator, so its \"numerator\" target gets nothing",
        }
        return messages[self.kind]


@dataclass(frozen=True)
class Dhis2Payload:
    document: dict[str, Any]
    """The JSON body for POST /api/dataValueSets."""
    warnings: list[Dhis2Warning] = field(default_factory=list)
    withheld: int = 0
    """Cells of mapped indicators and places withheld by disclosure control, and so absent."""
    retractions: list[dict[str, str]] = field(default_factory=list)
    """Addresses (data element, period, org unit, combos) of mapped numbers not published now: to delete in DHIS2."""

    @property
    def values(self) -> int:
        return len(self.document["dataValues"])

    def retraction_document(self) -> dict[str, Any]:
        """The body of the DELETE import that takes the numbers no longer published out of DHIS2."""
        return {"dataSet": self.document["dataSet"], "dataValues": self.retractions}


def dhis2_period(key: int, grain: Grain) -> str:
    """A CML period key in DHIS2's period format: 2026Q3 (quarterly), 2026 (yearly), 202607 (monthly)."""
    if grain == "quarter":
        return f"{key // 10:04d}Q{key % 10}"
    if grain == "month":
        return f"{key // 100:04d}{key % 100:02d}"
    return f"{key:04d}"


def format_value(number: float, decimals: int) -> str:
    """`number` rounded to `decimals` places, halves away from zero, as plain decimal text (never -0)."""
    rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)
    return f"{rounded:f}"


def interval_comment(figure: Figure, decimals: int) -> str | None:
    """`95% CI 71.2–86.0; n = 123`, the uncertainty DHIS2 has no field for."""
    if figure.lower is None or figure.upper is None or figure.denominator is None or not math.isfinite(figure.lower + figure.upper):
        return None
    scale = 100.0 if figure.kind == "proportion" else 1.0
    low, high = format_value(figure.lower * scale, decimals), format_value(figure.upper * scale, decimals)
    return f"{round(figure.level * 100):d}% CI {low}–{high}; n = {figure.denominator}"


def build_payload(figures: Iterable[Figure], mapping: Dhis2Mapping, indicators: Iterable[str] = (),
                  kinds: dict[str, str] | None = None, today: date | None = None, *, every_region: bool = False) -> Dhis2Payload:
    """The dataValueSets payload of the published figures the mapping places.

    :param indicators: the questionnaire's indicator ids, to warn of mapped ones it lacks.
    :param kinds: indicator id -> "proportion" or "mean", to warn of a mean's numerator target.
    :param today: the completeDate, when the mapping marks the data set complete.
    :param every_region: the figures are the whole table (every region and the nation), so a mapped
        cell of their periods that is not published is retracted (a reader's narrower table retracts nothing).
    """
    values: list[dict[str, str]] = []
    periods: set[int] = set()
    withheld = 0
    unmapped_regions: Counter[str] = Counter()
    unmapped_indicators: Counter[str] = Counter()
    national_left = 0
    for figure in figures:
        periods.add(figure.period)
        targets = mapping.indicators.get(figure.indicator)
        org_unit = mapping.national if figure.region is None else mapping.regions.get(figure.region)
        if not figure.published:  # counted only where it would have gone: what disclosure control kept out
            withheld += targets is not None and org_unit is not None
            continue
        if targets is None:
            unmapped_indicators[figure.indicator] += 1
            continue
        if org_unit is None:
            if figure.region is None:
                national_left += 1
            else:
                unmapped_regions[figure.region] += 1
            continue
        decimals = targets.decimals if targets.decimals is not None else DEFAULT_DECIMALS.get(figure.kind, 2)
        period = dhis2_period(figure.period, mapping.grain)
        scale = 100.0 if figure.kind == "proportion" else 1.0
        estimate = figure.estimate if figure.estimate is not None and math.isfinite(figure.estimate) else None
        numbers: list[tuple[Target | None, str | None, str | None]] = [
            (targets.value, None if estimate is None else format_value(estimate * scale, decimals),
             interval_comment(figure, decimals) if mapping.interval_comment else None),
            (targets.numerator, None if figure.numerator is None else str(int(figure.numerator)), None),
            (targets.denominator, None if figure.denominator is None else str(int(figure.denominator)), None),
        ]
        for target, value, comment in numbers:
            if target is None or value is None:
                continue
            values.append(_data_value(target, period, org_unit, value, comment, mapping))
    retractions = _unpublished(values, mapping, periods) if every_region else []
    document: dict[str, Any] = {"dataSet": mapping.data_set}
    if mapping.mark_complete and today is not None:
        document["completeDate"] = today.isoformat()
    document["dataValues"] = values
    warnings = [Dhis2Warning("unmapped_indicator", name, count) for name, count in sorted(unmapped_indicators.items())]
    warnings += [Dhis2Warning("unmapped_region", code, count) for code, count in sorted(unmapped_regions.items())]
    if national_left:
        warnings.append(Dhis2Warning("no_national", "", national_left))
    known = set(indicators)
    if known:
        warnings += [Dhis2Warning("not_in_table", name) for name in sorted(mapping.indicators) if name not in known]
    for name, kind in sorted((kinds or {}).items()):
        targets = mapping.indicators.get(name)
        if kind == "mean" and targets is not None and targets.numerator is not None:
            warnings.append(Dhis2Warning("mean_numerator", name))
    return Dhis2Payload(document, warnings, withheld, retractions)


def _unpublished(values: list[dict[str, str]], mapping: Dhis2Mapping, periods: set[int]) -> list[dict[str, str]]:
    """The address of every number the mapping places in these periods that `values` does not hold."""
    sent = {_key(value) for value in values}
    org_units = [*([mapping.national] if mapping.national else []), *mapping.regions.values()]
    numbers = [t for spec in mapping.indicators.values() for t in (spec.value, spec.numerator, spec.denominator) if t is not None]
    every = (_address(target, dhis2_period(key, mapping.grain), org_unit, mapping)
             for key, target, org_unit in product(sorted(periods), numbers, org_units))
    return [address for address in every if _key(address) not in sent]


def _key(value: dict[str, str]) -> tuple[str, ...]:
    return tuple(value.get(name, "") for name in ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo"))


def _address(target: Target, period: str, org_unit: str, mapping: Dhis2Mapping) -> dict[str, str]:
    """Where a number goes in DHIS2: data element, period, org unit and the combos the mapping gives."""
    address = {"dataElement": target.data_element, "period": period, "orgUnit": org_unit}
    if target.category_option_combo:
        address["categoryOptionCombo"] = target.category_option_combo
    if mapping.attribute_option_combo:
        address["attributeOptionCombo"] = mapping.attribute_option_combo
    return address


def _data_value(target: Target, period: str, org_unit: str, value: str, comment: str | None, mapping: Dhis2Mapping) -> dict[str, str]:
    data_value = _address(target, period, org_unit, mapping)
    data_value["value"] = value
    if comment:
        data_value["comment"] = comment
    return data_value
