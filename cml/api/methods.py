"""The interval methods of the indicator table (cml.core.tabulate's keys) in words, for the API's readers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

METHOD_WORDS = {
    "facility_strata_kg_nchs": _l("Korn-Graubard interval, each facility a stratum"),
    "facility_strata_kg_nchs_adjust": _l("Korn-Graubard interval, each facility a stratum, facilities with one person centred"),
    "collapsed_kg_nchs": _l("Korn-Graubard interval, facilities pooled"),
    "kg_nchs": _l("Korn-Graubard interval, facilities as clusters"),
    "region_strata_kg_nchs": _l("Korn-Graubard interval, facilities as clusters, regions as strata"),
    "region_strata_kg_nchs_adjust": _l("Korn-Graubard interval, facilities as clusters, regions as strata, lone facilities centred"),
    "wilson": _l("Wilson score interval"),
    "facility_strata_t": _l("t interval, each facility a stratum"),
    "facility_strata_t_adjust": _l("t interval, each facility a stratum, facilities with one person centred"),
    "collapsed_t": _l("t interval, facilities pooled"),
    "cluster_t": _l("t interval, facilities as clusters"),
    "region_strata_t": _l("t interval, facilities as clusters, regions as strata"),
    "region_strata_t_adjust": _l("t interval, facilities as clusters, regions as strata, lone facilities centred"),
    "t_single_facility": _l("t interval within one facility"),
    "single_response": _l("one answer: no interval"),
}


def method_words(key: object) -> str | None:
    """The method in the reader's language; None for a cell without a method (withheld or empty)."""
    words = METHOD_WORDS.get(key) if isinstance(key, str) else None
    return str(words) if words is not None else (key if isinstance(key, str) and key else None)
