"""Which cells of an advocate's table may be published: the one place that assembles it.

Disclosure control looks at each indicator as a table of regions by periods whose
column totals are the national figures (`cml.core.publication`). Those margins are
national whatever the reader's scope, so the regional and national tables are always
over every region. Only n and x decide publication, so the cells are counted
(`cml.core.tabulate.cell_counts`), not estimated; the sums come from
`shared_facility_totals`, which the page's or export's own estimates usually read already.
The dashboards, the brief and the indicator export all ask here; the result is kept per
process until the next write of sums (`cml.services.table_cache`).
"""

from __future__ import annotations

from collections.abc import Sequence

from cml.core.periods import Grain
from cml.core.publication import Publication, PublicationKey, publication_status
from cml.core.tabulate import Dimension, cell_counts, without_regions
from cml.services import table_cache
from cml.services.estimates import plan_table, shared_facility_totals


def publication_table(
    code: str,
    k: int,
    by: Sequence[Dimension] = ("region", "period"),
    grain: Grain = "quarter",
    period_range: tuple[int, int] | None = None,
    indicator_ids: Sequence[str] | None = None,
) -> dict[PublicationKey, Publication]:
    """Publication status of every regional (when `by` has "region") and national cell.

    :param by: the breakdown of the published table, without "facility"; its national
        margins are the same breakdown without "region".
    :param period_range: (first, last) period keys at `grain`, inclusive; None for all.
    A cell missing from the result has no respondents.
    """
    plan = plan_table(code, indicator_ids, by, grain, period_range, change=False)
    if not plan.specs:
        return {}

    def compute() -> dict[PublicationKey, Publication]:
        totals = shared_facility_totals(plan.questionnaire_id, list(plan.specs), grain, plan.months)
        if "region" not in plan.by:
            return publication_status([], cell_counts(totals, plan.specs, plan.by, period_range), k)
        regional = cell_counts(totals, plan.specs, plan.by, period_range)
        return publication_status(regional, without_regions(regional), k)

    # Over every region whatever the reader's scope (see above), so the key has no scope.
    key = ("publication_table", plan.version_id, tuple(plan.specs), plan.by, grain, period_range and tuple(period_range), k)
    table = table_cache.cached(key, compute, len)
    return dict(table)  # a copy: the cached table stays as computed
