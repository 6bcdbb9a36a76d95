"""The benchmark's national data set: 25 regions x 400 facilities, 8 quarters, up to 1M responses.

Responses are clinic exit interviews made by `cml.core.synthetic` (valid, clustered by
facility). Generating each of a million answer sets in Python would take longer than
storing them, so a pool of generated answer sets (a dozen per facility) is drawn from
again and again, each copy with its own submission id, facility, interview date,
sealed answers (its own data key), fingerprint (`answers_hash`) and facts. The facts are `cml.core.indicators.contributions`
of the answers, as at ingest, computed once per answer set.

Rows go in through the driver: `executemany` on SQLite (one transaction per chunk, the
database's own synchronous=FULL kept), `COPY` on PostgreSQL; the production path,
`cml.services.bulk.store_many`, is measured on its own as the baseline of this loader.
The rows are the ones `store_many` would write: a test checks that `store_many` then
recognises every one of them as a duplicate.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from cml.core.indicators import Contribution, contributions
from cml.core.periods import month_key
from cml.core.synthetic import Generator, facility_profiles
from cml.extensions import db
from cml.models import Facility, QuestionnaireVersion, Region, Response
from cml.services import regions as region_service
from cml.services import response_rows, sealing
from cml.services.demo_data import window
from cml.services.indicators import facts_model
from cml.services.response_rows import submission_payload
from cml.services.surveys import latest_version, model_of

CODE = "clinic_exit"
REGIONS = 25
FACILITIES = 400
PER_FACILITY_POOL = 12
KINDS = ("clinic", "aids_centre", "ngo_site", "drop_in_centre", "pharmacy")
CHUNK = 20_000


def ensure_world() -> list[tuple[int, int]]:
    """The bench regions and facilities (codes bench-rNN, bench-rNN-fNN), created once; (facility id, region id) pairs."""
    if db.session.scalar(select(func.count(Region.id)).where(Region.code.like("bench-r%"))) != REGIONS:
        per_region = FACILITIES // REGIONS
        specs = [
            region_service.RegionSpec(
                f"bench-r{r:02d}",
                {"en": f"Bench region {r:02d}", "uk": f"Тестова область {r:02d}", "ru": f"Тестовая область {r:02d}"},
                [{"code": f"bench-r{r:02d}-f{f:02d}", "name": f"Bench facility {r:02d}-{f:02d}", "kind": KINDS[f % len(KINDS)]}
                 for f in range(1, per_region + 1)],
            )
            for r in range(1, REGIONS + 1)
        ]
        region_service.load_regions(specs)
        db.session.commit()
    rows = db.session.execute(
        select(Facility.id, Facility.region_id).join(Region).where(Region.code.like("bench-r%")).order_by(Facility.code)
    ).all()
    return [(f, r) for f, r in rows]


@dataclass(frozen=True)
class Template:
    facility_id: int
    region_id: int
    answers: dict[str, Any]
    answers_json: str
    """`answers` as `answers_hash` serialises them (sorted keys, compact, UTF-8)."""
    facts: tuple[Contribution, ...]
    plain_json: str
    """The answers that are not sensitive, as stored in `responses.answers`."""
    sensitive: dict[str, Any]
    """The answers sealed in `responses.sealed_answers`."""


class BenchData:
    """Adds responses to the bench world until it holds the wanted number."""

    def __init__(self, seed: int = 1, today: date | None = None, pool: int | None = None) -> None:
        self.today = today or date.today()
        self.first_day = window(self.today)
        self.days = (self.today - self.first_day).days
        version = latest_version(CODE)
        if version is None:
            raise RuntimeError("clinic_exit is not published (the demo load publishes it)")
        self.version_id, self.questionnaire_id = version.id, version.questionnaire_id
        self.places = ensure_world()
        self.rng = random.Random(f"bench:{seed}")
        self.seed = seed
        self.pool_size = pool or PER_FACILITY_POOL * len(self.places)
        self.templates: list[Template] = []
        self.dialect = db.engine.dialect.name

    @property
    def version(self) -> QuestionnaireVersion:
        """The questionnaire version, in the current session."""
        version = db.session.get(QuestionnaireVersion, self.version_id)
        assert version is not None
        return version

    def make_templates(self) -> None:
        if self.templates:
            return
        version = self.version
        model = model_of(version)
        facts = facts_model(version)
        profiles = facility_profiles(self.places, random.Random(f"bench:{self.seed}:facilities"))
        generator = Generator(model, profiles, self.first_day, self.today, self.today, f"bench:{self.seed}")
        for made in generator.responses(f"bench:{self.seed}:pool", self.pool_size):
            text = json.dumps(made.answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            plain, sensitive = sealing.split(model, made.answers)
            self.templates.append(Template(made.facility_id, made.region_id, made.answers, text, tuple(contributions(facts, made.answers)),
                                           response_rows.canonical_answers(plain), sensitive))

    def count(self) -> int:
        version_ids = select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == self.questionnaire_id)
        return int(db.session.scalar(select(func.count(Response.id)).where(Response.questionnaire_version_id.in_(version_ids))) or 0)

    def fill(self, total: int) -> int:
        """Add responses until `total` are stored; returns how many were added."""
        self.make_templates()
        have = self.count()
        added = 0
        while have + added < total:
            size = min(CHUNK, total - have - added)
            rows = self.rows(self.items(size))
            db.session.commit()  # the loader writes through its own connection
            self.insert(rows)
            added += size
        if added:
            # The loader writes facts past the services, so it sums them itself, month by month.
            from cml.services import fact_sums

            for month in fact_sums.fact_months(self.questionnaire_id):
                fact_sums.refresh(self.questionnaire_id, [month])
                db.session.commit()
        if added:
            from cml.services import fact_sums

            fact_sums.refresh(self.questionnaire_id)  # the loader wrote facts only; keep indicator_sums in step
            db.session.commit()
        if added and self.dialect == "postgresql":
            self.analyze()
        return added

    def analyze(self) -> None:
        """Fresh planner statistics and visibility map, as autovacuum would leave them."""
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            raw.cursor().execute("VACUUM (ANALYZE) responses, indicator_facts, indicator_sums")
            raw.driver_connection.autocommit = False  # type: ignore[union-attr]
        finally:
            raw.close()

    def items(self, count: int) -> list[tuple[uuid.UUID, Template, date]]:
        """`count` new (submission id, answer set, interview date) triples."""
        self.make_templates()
        out = []
        for _ in range(count):
            template = self.templates[self.rng.randrange(len(self.templates))]
            day = self.first_day + timedelta(days=self.rng.randrange(self.days + 1))
            out.append((uuid.UUID(int=self.rng.getrandbits(128), version=4), template, day))
        return out

    def rows(self, items: list[tuple[uuid.UUID, Template, date]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Insert rows (responses, facts) of new items, ids after the largest stored one."""
        next_id = int(db.session.scalar(select(func.coalesce(func.max(Response.id), 0))) or 0) + 1
        responses: list[tuple[Any, ...]] = []
        facts: list[tuple[Any, ...]] = []
        ring = sealing.keyring()
        for offset, (submission_id, template, day) in enumerate(items):
            response_id = next_id + offset
            month = month_key(day)
            submitted = response_rows.payload(self.version_id, template.facility_id, day, template.answers_json)
            if offset == 0:  # the shortcut must give exactly what the service computes
                assert submitted == submission_payload(self.version_id, template.facility_id, day, template.answers)
            sealed, key = sealing.seal(ring, sealing.identity("responses", submission_id), template.sensitive)
            sid: Any = submission_id.hex if self.dialect == "sqlite" else submission_id
            responses.append((response_id, sid, self.version_id, template.region_id, template.facility_id, day.isoformat(),
                              month, None, "demo", template.plain_json, sealed, sealing.fingerprint(key, submitted)))
            facts.extend(
                (response_id, part.indicator_id, self.questionnaire_id, self.version_id, template.region_id, template.facility_id,
                 month, part.numerator, part.denominator, part.numerator_squared)
                for part in template.facts
            )
        return responses, facts

    def insert(self, rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]) -> None:
        responses, facts = rows
        response_columns = ("id, submission_id, questionnaire_version_id, region_id, facility_id, interview_date, month, "
                            "submitted_by_id, source, answers, sealed_answers, answers_hash")
        fact_columns = ("response_id, indicator, questionnaire_id, questionnaire_version_id, region_id, facility_id, month, "
                        "numerator, denominator, numerator_squared")
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.dialect == "sqlite":
                # A large page cache for this connection only: the random index inserts of a
                # big load otherwise go to the OS for every page (3x slower).
                previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
                cursor.execute("PRAGMA cache_size = -400000")
                cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(f"INSERT INTO responses ({response_columns}) VALUES ({', '.join('?' * 12)})", responses)  # noqa: S608 (constant column lists)
                cursor.executemany(f"INSERT INTO indicator_facts ({fact_columns}) VALUES ({', '.join('?' * 10)})", facts)  # noqa: S608 (constant column lists)
                cursor.execute("COMMIT")
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")  # back to what the app runs with
            else:
                # The rows are consistent by construction; PostgreSQL's foreign-key triggers
                # (five per fact row) would make the load 8x slower, so this session skips them.
                cursor.execute("SET session_replication_role = replica")
                with cursor.copy(f"COPY responses ({response_columns}) FROM STDIN") as copy:
                    for row in responses:
                        copy.write_row(row)
                with cursor.copy(f"COPY indicator_facts ({fact_columns}) FROM STDIN") as copy:
                    for row in facts:
                        copy.write_row(row)
                cursor.execute("SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))")
                cursor.execute("RESET session_replication_role")
                raw.commit()
            cursor.close()
        finally:
            raw.close()
