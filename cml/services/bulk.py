"""Storing many responses at once (paper imports, generated demo data), exactly once.

The same promises as `store_response`: a known submission id with the same answers is a
duplicate, with different answers a conflict; facts and their sums are written in the
caller's transaction. Rows go in through the driver's own bulk path on the session's
connection (executemany on SQLite, COPY on PostgreSQL): no ORM object and no
per-row statement building, since an import writes some twenty facts per response.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, text

from cml.core.indicators import contribution_rows
from cml.core.questionnaire import Answer
from cml.extensions import db
from cml.models import PurgedSubmission, QuestionnaireVersion, Response
from cml.services import dialects, fact_sums, sealing, surveys
from cml.services.indicators import facts_model
from cml.services.response_rows import (
    FACT_COLUMNS,
    RESPONSE_COLUMNS,
    canonical_answers,
    payload,
    resent_earlier,
    response_row,
    row_encoder,
    same_submission,
)

CHUNK = 5000
"""Responses per duplicate lookup and per write: few round trips, bounded memory."""

@dataclass(frozen=True)
class NewResponse:
    submission_id: uuid.UUID
    facility_id: int
    region_id: int
    interview_date: date
    answers: Mapping[str, Answer]
    user_id: int | None = None


@dataclass
class BulkResult:
    stored: int = 0
    duplicates: int = 0
    conflicts: list[uuid.UUID] = field(default_factory=list)


def store_many(version: QuestionnaireVersion, items: Sequence[NewResponse], source: str) -> BulkResult:
    """Add every new response and its facts; repeats are counted, conflicts listed, nothing committed."""
    with _Writer() as writer:
        return _store(version, items, source, writer)


def _store(version: QuestionnaireVersion, items: Sequence[NewResponse], source: str, writer: _Writer) -> BulkResult:
    result = BulkResult()
    contribution_rows_of = contribution_rows(facts_model(version))  # the indicators' tests looked up once
    version_id, questionnaire_id = version.id, version.questionnaire_id  # plain ints: ORM attributes cost per access
    model, ring = surveys.model_of(version), sealing.keyring()
    encode_row = row_encoder(RESPONSE_COLUMNS, writer.encode.uuid, writer.encode.day, canonical_answers)
    sums: dict[tuple[str, int, int, int], list[float]] = {}
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        payloads = [payload(version_id, item.facility_id, item.interview_date, canonical_answers(item.answers)) for item in chunk]
        asked = [i.submission_id for i in chunk]
        known = {sid: (digest, sealed) for sid, digest, sealed in db.session.execute(
            select(Response.submission_id, Response.answers_hash, Response.sealed_answers).where(Response.submission_id.in_(asked))
        )}
        gone = set(db.session.scalars(select(PurgedSubmission.submission_id).where(PurgedSubmission.submission_id.in_(asked))))
        fresh: list[int] = []
        seen: dict[uuid.UUID, str] = {}
        for index, item in enumerate(chunk):
            stored = known.get(item.submission_id)
            if item.submission_id in gone:  # withdrawn and purged: never stored again
                same = True
            elif stored is not None:
                same = (same_submission(ring, item.submission_id, *stored, payloads[index])
                        or resent_earlier(writer.connection, ring, item.submission_id, payloads[index]))
            elif item.submission_id in seen:  # twice in this batch: compared in plain, nothing is stored yet
                same = seen[item.submission_id] == payloads[index]
            else:
                seen[item.submission_id] = payloads[index]
                fresh.append(index)
                continue
            if same:
                result.duplicates += 1
            else:
                result.conflicts.append(item.submission_id)
        if not fresh:
            continue
        responses: list[tuple[Any, ...]] = []
        facts: list[tuple[Any, ...]] = []
        for response_id, index in zip(writer.new_ids(len(fresh)), fresh, strict=True):
            item = chunk[index]
            row = response_row(ring, model, item.submission_id, version_id, item.region_id, item.facility_id, item.interview_date,
                               item.answers, item.user_id, source, payloads[index])
            row["id"] = response_id
            responses.append(encode_row(row))
            month, region_id, facility_id = row["month"], item.region_id, item.facility_id
            for indicator, numerator, denominator, squared in contribution_rows_of(item.answers):
                facts.append((response_id, indicator, questionnaire_id, version_id, region_id, facility_id, month, numerator, denominator, squared))
                total = sums.get(key := (indicator, month, region_id, facility_id))
                if total is None:
                    sums[key] = [numerator, denominator, squared, 1]
                else:
                    total[0] += numerator
                    total[1] += denominator
                    total[2] += squared
                    total[3] += 1
        writer.insert("responses", RESPONSE_COLUMNS, responses)
        writer.insert("indicator_facts", FACT_COLUMNS, facts)
        result.stored += len(fresh)
    # One upsert for the whole batch: each key's facts already summed, `count` of them.
    fact_sums.add_totals([(questionnaire_id, *key, *total) for key, total in sums.items()])
    return result


class _Writer:
    """Bulk writes on the session's own connection, so they are part of its transaction."""

    # SQLite's page cache while a batch is written, in KiB (negative): the facts' index takes
    # inserts all over, and with the default 2 MB every other page goes to the disk and back.
    SQLITE_CACHE_KIB = 200_000

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        self.encode = dialects.driver_encoding(self.connection.dialect.name)
        self.cache_size: int | None = None

    def __enter__(self) -> _Writer:
        if not self.postgresql:
            self.cache_size = int(self.connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{self.SQLITE_CACHE_KIB}")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.cache_size is not None:  # back to what the app runs with
            self.connection.exec_driver_sql(f"PRAGMA cache_size = {self.cache_size}")

    def new_ids(self, count: int) -> list[int]:
        """Ids for new responses, given out before the insert so facts can refer to them."""
        if self.postgresql:
            drawn = self.connection.execute(
                text("SELECT nextval(pg_get_serial_sequence('responses', 'id')) FROM generate_series(1, :count)"), {"count": count}
            )
            return [int(value) for value, in drawn]
        # SQLite: this transaction holds the write lock, and the primary key refuses a collision anyway.
        largest = int(self.connection.execute(text("SELECT coalesce(max(id), 0) FROM responses")).scalar_one())
        return list(range(largest + 1, largest + 1 + count))

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        driver = self.connection.connection.driver_connection
        assert driver is not None, "a connection in a transaction holds its driver's"
        cursor = driver.cursor()
        try:
            if self.postgresql:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)  # noqa: S608 (constant names)
        except Exception as error:
            failed = dialects.without_values(error)
            if failed is error:
                raise
            raise failed from None  # COPY's error quotes the failing line, answers and all
        finally:
            cursor.close()
