"""The disclosure gate of a questionnaire: its protected cube, read from the sums once per write.

Every figure an advocate (or anyone, in an output made to leave the platform) sees passes
`Cube.status`: the dashboards, the brief and its PDF, the indicator export and the command
line all ask here. The cube covers every region and every quarter and year, whatever the
reader's scope or the periods asked for, so every output is a view of the same protected
table and no combination of them narrows a withheld figure (see `cml.core.publication`).
Only n and x decide publication, so the cells are counted (`cml.core.tabulate.cell_counts`),
not estimated. The result is kept per process until the next write of sums
(`cml.services.table_cache`).
"""

from __future__ import annotations

from cml.core.publication import Cube, linked_groups, protect_cube
from cml.core.tabulate import cell_counts
from cml.services import table_cache
from cml.services.estimates import plan_table, shared_facility_totals


def disclosure_cube(code: str, k: int) -> Cube:
    """The protected cube of a published questionnaire (LookupError if it has none)."""
    plan = plan_table(code, None, ("region", "period"), "quarter", None, change=False)
    questionnaire = plan.questionnaire

    def compute() -> Cube:
        totals = shared_facility_totals(plan.questionnaire_id, list(plan.specs), "quarter", None)
        quarterly = cell_counts(totals, plan.specs, ("region", "period"))
        return protect_cube(quarterly, linked_groups(questionnaire), k, questionnaire.disclosure)

    # Over every region and period whatever the reader's scope (see above), so the key has neither.
    key = table_cache.table_key("disclosure_cube", plan.key, table_cache.EVERY_REGION, k, questionnaire.disclosure)
    return table_cache.cached(key, compute, lambda cube: len(cube.published))
