"""Documented incidents: incident reports counted by kind of violence and by perpetrator, per region and quarter.

The council brief shows these counts beside the service indicators. They are made of the
reports' non-sensitive choice answers only (never the free text), and they go through the same
disclosure gate as every published figure (`cml.core.publication.protect_cube`): each count is a
cell with n (the reports counted in the region's quarter) and x (those of this kind or
perpetrator), so the questionnaire's rule withholds a count of 1 to k-1, or one that leaves 1 to
k-1 reports out, and complementary suppression keeps every withheld count from being worked out
from the regions' years and the nation's quarters.

Pure: the caller reads the reports (and which of them may be counted) from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cml.core.periods import period_key

REPORTS = "reports"
"""The count of every report counted in a region's quarter: the n of the other counts."""
KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("physical", "violence_types", ("physical",)),
    ("sexual", "violence_types", ("sexual",)),
    ("economic", "violence_types", ("unpaid", "theft", "extortion")),
    ("verbal", "violence_types", ("verbal",)),
    ("documents", "documents_confiscated", ("yes",)),
)
"""(kind, the question it is read from, the answers that make a report one of this kind): the five kinds of the
12-month violence survey. Documents taken are their own question in the incident report."""
PERPETRATORS = ("client", "police", "third_party", "partner", "medical_staff", "other")
PERPETRATOR_QUESTION = "perpetrator"
GROUPS: tuple[tuple[str, ...], ...] = (
    (REPORTS,),
    tuple(kind for kind, question, _ in KINDS if question == "violence_types"),
    ("documents",),
    tuple(f"by_{who}" for who in PERPETRATORS),
)
"""Counts read from one question are withheld together, as `cml.core.publication.linked_groups` does for indicators."""
MIRRORS = {REPORTS: "incidents_physical", "physical": "incidents_physical", "sexual": "incidents_sexual",
           "economic": "incidents_economic", "by_police": "incidents_by_police"}
"""Counts that the incident report's own indicators also publish (as their x, or for REPORTS their n): such a
count is shown only when the indicator's cell is published too, so the dashboard's figures and these never
combine into more than either protects alone."""


@dataclass(frozen=True)
class IncidentCount:
    """One cell of the documented-incidents cube, in the shape `protect_cube` takes (`Counted`)."""

    indicator: str
    """REPORTS, a kind, or "by_" and a perpetrator."""
    region_id: int | None
    period: int | None
    n: int
    x: int | None


def may_be_counted(answers: Mapping[str, object]) -> bool:
    """A report is counted unless the person said no to being counted.

    Version 4 of the incident report asks everyone (`consent_count`, required). Reports of earlier
    versions have no such answer and are counted as before: their form told the person, before any
    question, that the report is collected to be counted in the statistics, and they chose to make it.
    """
    return answers.get("consent_count") != "no"


def _chosen(answers: Mapping[str, object], question: str) -> frozenset[object]:
    answer = answers.get(question)
    return frozenset(answer) if isinstance(answer, list) else frozenset((answer,))


def labels_of(answers: Mapping[str, object]) -> list[str]:
    """The counts one report adds to: its kinds and its perpetrators."""
    chosen = {question: _chosen(answers, question) for question in {*(q for _, q, _ in KINDS), PERPETRATOR_QUESTION}}
    kinds = [kind for kind, question, values in KINDS if not chosen[question].isdisjoint(values)]
    return kinds + [f"by_{who}" for who in PERPETRATORS if who in chosen[PERPETRATOR_QUESTION]]


def tally(reports: Iterable[tuple[int, int, Mapping[str, object]]]) -> list[IncidentCount]:
    """Counts by region and quarter of reports given as (region id, month YYYYMM, answers), the
    ones that may not be counted left out. Every count of a region's quarter with any report is
    there (zeros included), so a zero is published as a zero."""
    totals: dict[tuple[int, int], int] = {}
    hits: dict[tuple[str, int, int], int] = {}
    for region_id, month, answers in reports:
        if not may_be_counted(answers):
            continue
        cell = (region_id, period_key(month, "quarter"))
        totals[cell] = totals.get(cell, 0) + 1
        for label in labels_of(answers):
            hits[(label, *cell)] = hits.get((label, *cell), 0) + 1
    names = [name for group in GROUPS for name in group if name != REPORTS]
    counts = [IncidentCount(REPORTS, region, quarter, n, None) for (region, quarter), n in sorted(totals.items())]
    for (region, quarter), n in sorted(totals.items()):
        counts.extend(IncidentCount(name, region, quarter, n, hits.get((name, region, quarter), 0)) for name in names)
    return counts
