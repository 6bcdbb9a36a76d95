"""Generated demo data: the same whether chunks are made in worker processes or in this one."""

from __future__ import annotations

from datetime import date

import orjson
from sqlalchemy import delete, select

from cml.extensions import db
from cml.models import IndicatorFact, Response
from cml.services import demo_data
from cml.services.responses import all_answers


def test_worker_processes_generate_exactly_what_this_process_would(app, world) -> None:
    def run(workers: int) -> set[tuple]:
        done = []
        for chunk in demo_data.generate(90, seed=4, today=date(2025, 11, 5), chunk=20, workers=workers):
            db.session.commit()
            done.append(chunk)
        assert sum(c.stored for c in done) == 90 and sum(c.size for c in done) == 90
        # answers_hash is keyed by each row's own random key: the answers themselves are compared
        return {(r.submission_id, r.facility_id, orjson.dumps(all_answers(r), option=orjson.OPT_SORT_KEYS)) for r in db.session.scalars(select(Response))}

    with app.app_context():
        parallel = run(workers=1)
        db.session.execute(delete(IndicatorFact))
        db.session.execute(delete(Response))
        db.session.commit()
        assert run(workers=0) == parallel


def test_split_adds_up_and_the_window_is_eight_quarters() -> None:
    assert demo_data.split(10, demo_data.SHARES) == [("clinic_exit", 6), ("incident_report", 2), ("training_evaluation", 1), ("violence_12m", 1)]
    assert sum(n for _, n in demo_data.split(1_000_003, demo_data.SHARES)) == 1_000_003
    assert demo_data.window(date(2026, 2, 10)) == date(2024, 4, 1)
    assert demo_data.window(date(2025, 12, 31)) == date(2024, 1, 1)
    assert demo_data.default_workers(100, 2000) == 0
