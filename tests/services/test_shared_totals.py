"""Within one read-only request, estimate_cells reads the facility sums once and cuts narrower ranges from them."""

from __future__ import annotations

from datetime import date
from unittest import mock

from cml.extensions import db
from cml.services import demo_data, estimates
from cml.settings import override
from tests.services.test_table_cache import web_request

TODAY = date(2026, 2, 10)


def _cells(table):
    return [(c.indicator, c.region_id, c.period, c.n, round(c.estimate, 12), c.change and round(c.change.estimate, 12)) for c in table.rows]


def test_a_page_reads_the_sums_once_and_gets_the_same_figures(app, world) -> None:
    override(app, table_cache=False)  # the sharing within one request, not the cache across requests (test_table_cache)
    with app.app_context():
        for _ in demo_data.generate(600, seed=5, today=TODAY, chunk=300):
            db.session.commit()
        expected_wide = _cells(estimates.estimate_cells("clinic_exit", by=("period",), period_range=(20253, 20254)))
        expected_narrow = _cells(estimates.estimate_cells("clinic_exit", by=("region", "period"), period_range=(20253, 20254), change=False))
        expected_all = _cells(estimates.estimate_cells("clinic_exit", by=("period",)))
    with web_request(app), mock.patch.object(estimates, "facility_totals", wraps=estimates.facility_totals) as spy:
        assert _cells(estimates.estimate_cells("clinic_exit", by=("period",), period_range=(20253, 20254))) == expected_wide
        assert _cells(estimates.estimate_cells("clinic_exit", by=("region", "period"), period_range=(20253, 20254), change=False)) == expected_narrow
        assert spy.call_count == 1  # the second range lies inside the first
        assert _cells(estimates.estimate_cells("clinic_exit", by=("period",))) == expected_all
        assert spy.call_count == 2  # a wider range is read
        assert _cells(estimates.estimate_cells("clinic_exit", by=("region", "period"), period_range=(20253, 20254), change=False)) == expected_narrow
        assert spy.call_count == 2


def test_a_request_that_may_write_never_shares(app, world) -> None:
    override(app, table_cache=False)
    with web_request(app, "/", method="POST"), mock.patch.object(estimates, "facility_totals", wraps=estimates.facility_totals) as spy:
        estimates.estimate_cells("clinic_exit", by=("period",), period_range=(20253, 20254))
        estimates.estimate_cells("clinic_exit", by=("period",), period_range=(20253, 20254))
        assert spy.call_count == 2
