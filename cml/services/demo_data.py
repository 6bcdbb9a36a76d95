"""Generated demo responses: the shipped questionnaires at the demo facilities, last 8 quarters.

Answers come from `cml.core.synthetic` (clustered by facility, valid by construction)
and are stored with `cml.services.bulk.store_many` in chunks, so a million responses
take flat memory; the caller commits after every chunk. Large runs generate in worker
processes while the main process stores (SQLite has one writer anyway). Submission ids are uuid5 of
the seed, the questionnaire and the response's number, and each chunk draws from its
own seeded generator, so the same seed gives the same responses: running again adds
nothing (a chunk whose ids all exist is skipped without generating it), and a larger
N adds only the responses beyond the first run's.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from cml.core.periods import month_range, period_of, previous_period
from cml.core.synthetic import Generator, SyntheticResponse, facility_profiles
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region, Response
from cml.services.bulk import NewResponse, store_many
from cml.services.scope import stand_in
from cml.services.surveys import latest_version, model_of

SHARES = (("clinic_exit", 7), ("incident_report", 2), ("training_evaluation", 1), ("violence_12m", 2))
"""How N is split between the shipped questionnaires (clinic exit interviews the most)."""
QUARTERS = 8
CHUNK = 2000
NAMESPACE = uuid.UUID("3f0c2a4e-6d1b-5c8e-9a7f-2b4d6e8f0a1c")


class DemoDataError(RuntimeError):
    pass


@dataclass(frozen=True)
class ChunkDone:
    questionnaire: str
    size: int
    stored: int
    duplicates: int
    conflicts: int


def split(total: int, shares: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """`total` divided by the shares, largest remainders rounded up, so the parts add up."""
    weight = sum(share for _, share in shares)
    exact = [(code, total * share / weight) for code, share in shares]
    parts = {code: int(value) for code, value in exact}
    left = total - sum(parts.values())
    for code, _ in sorted(exact, key=lambda item: item[1] - int(item[1]), reverse=True)[:left]:
        parts[code] += 1
    return [(code, parts[code]) for code, _ in shares]


def window(today: date) -> date:
    """First day of the quarter `QUARTERS - 1` quarters before today's."""
    key = period_of(today)
    for _ in range(QUARTERS - 1):
        key = previous_period(key, "quarter")
    first_month = month_range(key, "quarter")[0]
    return date(first_month // 100, first_month % 100, 1)


def submission_id(seed: int, code: str, number: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{seed}:{code}:{number}")


def has_responses() -> bool:
    return db.session.scalar(select(Response.id).limit(1)) is not None


def default_workers(total: int, chunk: int) -> int:
    """Processes that generate while this one stores: none for small runs, else up to 3, leaving a core."""
    if total < 4 * chunk:
        return 0
    return max(1, min(3, (os.cpu_count() or 1) - 1))


def generate(
    total: int, seed: int = 1, today: date | None = None, chunk: int = CHUNK, workers: int | None = None
) -> Iterator[ChunkDone]:
    """Generate and add `total` responses, one chunk per yield (the caller commits after each).

    With `workers` > 0 (by default for large runs), chunks are generated in that many
    other processes while this one stores, at most `workers + 1` chunks ahead, so memory
    stays flat; what is generated does not depend on it. Raises DemoDataError when no
    shipped questionnaire is published or there is no active facility.
    """
    today = today or date.today()
    first_day = window(today)
    versions = [(code, share, v) for code, share in SHARES if (v := latest_version(code)) is not None]
    if not versions:
        raise DemoDataError("none of the shipped questionnaires is published; run `flask --app cml demo load` first")
    places = db.session.execute(
        select(Facility.id, Facility.region_id).where(Facility.active.is_(True), Facility.stands_for_region.is_(False)).order_by(Facility.code)
    ).all()
    if not places:
        raise DemoDataError("there are no active facilities; run `flask --app cml demo load` first")
    profiles = facility_profiles([(f, r) for f, r in places], random.Random(f"{seed}:facilities"))
    stand_ins = [stand_in(region) for region in db.session.scalars(select(Region).where(Region.id.in_({r for _, r in places})).order_by(Region.code))]
    regional = facility_profiles([(f.id, f.region_id) for f in stand_ins], random.Random(f"{seed}:regions"))
    """Questionnaires whose responses belong to a region or an event are answered at the regions' stand-ins."""
    workers = default_workers(total, chunk) if workers is None else workers
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if workers > 0 else None
    pending: deque[tuple[QuestionnaireVersion, str, list[uuid.UUID], Future[list[SyntheticResponse]] | list[SyntheticResponse]]] = deque()
    try:
        for code, count in split(total, tuple((code, share) for code, share, _ in versions)):
            version = next(v for c, _, v in versions if c == code)
            model = model_of(version)
            generator = Generator(model, profiles if model.at_facility else regional, first_day, today, today, str(seed))
            for index, start in enumerate(range(0, count, chunk)):
                ids = [submission_id(seed, code, number) for number in range(start, min(start + chunk, count))]
                known = db.session.scalar(select(func.count(Response.id)).where(Response.submission_id.in_(ids)))
                if known == len(ids):
                    yield ChunkDone(code, len(ids), 0, len(ids), 0)
                    continue
                chunk_seed = f"{seed}:{code}:{chunk}:{index}"
                made = pool.submit(generator.responses, chunk_seed, len(ids)) if pool else generator.responses(chunk_seed, len(ids))
                pending.append((version, code, ids, made))
                while len(pending) > workers:
                    yield _store(*pending.popleft())
        while pending:
            yield _store(*pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _store(
    version: QuestionnaireVersion, code: str, ids: list[uuid.UUID], made: Future[list[SyntheticResponse]] | list[SyntheticResponse]
) -> ChunkDone:
    responses = made.result() if isinstance(made, Future) else made
    items = [NewResponse(i, r.facility_id, r.region_id, r.interview_date, r.answers) for i, r in zip(ids, responses, strict=True)]
    result = store_many(version, items, source="demo")
    return ChunkDone(code, len(ids), result.stored, result.duplicates, len(result.conflicts))
