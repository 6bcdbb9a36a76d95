"""Group commit: the submissions that wait at the same moment share one transaction and one fsync.

A durable commit costs one fsync (SQLite in WAL with synchronous=FULL can do ~160 a second
on this machine's disk, whatever the rows). So the requests of one process hand their
prepared submission to the `Committer` and wait: the first to arrive leads, writes every
submission waiting by then in one BEGIN IMMEDIATE transaction, a savepoint each (so a
duplicate, a conflict or a failing item spoils none of the others), commits, and only then
answers each waiter. Whoever arrived during that commit is handed the lead for the next
batch, so a request never waits behind more than the batch before it.

Across processes, SQLite writers queue on an OS lock (`flock` on a file beside the
database) before BEGIN IMMEDIATE: the kernel wakes the next one as soon as the lock is
free, where SQLite's busy handler would sleep for up to 100 ms between tries. Other writers
(drafts, imports) do not take it and still wait on the busy timeout, so it only orders the
committers. A killed process releases it with its file descriptors. PostgreSQL needs no
such lock; its row locks and the unique index do the same, and it groups concurrent
commits into one WAL flush itself.

Nothing is acknowledged before the COMMIT has returned: an item's outcome is handed to its
waiter only after the batch's transaction committed; if the commit fails, every item of the
batch gets the error instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine

from cml.db import WRITE_LOCK_OPTION
from cml.models import IndicatorFact, PurgedSubmission, Response
from cml.services import dialects, fact_sums, response_rows, sealing
from cml.services.response_rows import FACT_COLUMNS, RESPONSE_COLUMNS
from cml.services.storage_faults import storage_fault

MAX_BATCH = 64
"""Enough to cover every request a process can have in flight; bounds one transaction's size."""


@dataclass(frozen=True)
class Submission:
    """A cleaned submission, ready to write: the response row and its facts (without ids)."""

    submission_id: uuid.UUID
    response: Mapping[str, Any]
    """Columns of `responses` except `id` and `received_at`; includes `answers_hash`."""
    facts: list[dict[str, Any]]
    """Rows of `indicator_facts` without `response_id`."""
    payload: str = ""
    """The canonical submission its `answers_hash` fingerprints, to compare with a stored response of the same id."""
    keyring: sealing.Keyring | None = None
    """Opens a stored response's digest key for that comparison."""


@dataclass(frozen=True)
class Outcome:
    status: str
    """"stored" (new), "duplicate" (same id, same answers: nothing written) or "conflict"
    (same id, different answers: nothing written)."""
    response_id: int
    """0 for the resend of a response purged from the trash: acknowledged, nothing stored."""


@dataclass(eq=False)
class _Ticket:
    item: Submission
    ready: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    outcome: Outcome | None = None
    error: BaseException | None = None

    def result(self) -> Outcome:
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


class Committer:
    """One per process and database: `store` blocks until the submission is committed (or failed)."""

    def __init__(self, engine: Engine, lock_path: str | None = None) -> None:
        self.engine = engine
        self.lock_path = lock_path
        self._mutex = threading.Lock()
        self._waiting: list[_Ticket] = []
        self._busy = False
        self._lock_fd: int | None = None
        self.batches = 0
        """Transactions committed so far (for tests and the benchmark)."""
        self.before_commit: Callable[[list[Submission]], None] | None = None
        """Test hook, called inside the transaction just before COMMIT."""

    def store(self, item: Submission) -> Outcome:
        ticket = _Ticket(item)
        with self._mutex:
            self._waiting.append(ticket)
            lead = not self._busy
            self._busy = True
        if not lead:
            ticket.ready.wait()
            if not ticket.lead:
                return ticket.result()
        self._lead()
        return ticket.result()

    def _lead(self) -> None:
        with self._mutex:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        try:
            outcomes = self._write(batch)
        except BaseException as error:  # the whole transaction is gone: nobody is acknowledged
            for ticket in batch:
                ticket.error = dialects.without_values(error)
        else:
            for ticket, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    ticket.error = dialects.without_values(outcome)
                else:
                    ticket.outcome = outcome
        finally:
            with self._mutex:
                if self._waiting:  # they arrived during this batch: the first of them leads the next
                    following = self._waiting[0]
                    following.lead = True
                    following.ready.set()
                else:
                    self._busy = False
            for ticket in batch:
                ticket.ready.set()

    def _write(self, batch: list[_Ticket]) -> list[Outcome | BaseException]:
        outcomes: list[Outcome | BaseException] = []
        with self._writers_in_turn(), self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_LOCK_OPTION: True})
            with conn.begin():
                sql = _driver_sql(conn.dialect.name)
                cursor = conn.connection.cursor()
                try:
                    facts: list[dict[str, Any]] = []
                    settled: list[tuple[uuid.UUID, int | None]] = []
                    gone = _purged(cursor, sql, [ticket.item.submission_id for ticket in batch])
                    for ticket in batch:
                        cursor.execute("SAVEPOINT cml_item")
                        try:
                            outcome, rows = _write_one(conn, cursor, sql, ticket.item, ticket.item.submission_id in gone)
                        except Exception as error:  # noqa: BLE001 — this item fails alone, rolled back to its savepoint
                            if storage_fault(error) is not None:  # a full disk or a lock: the whole batch fails, unacknowledged
                                raise
                            cursor.execute("ROLLBACK TO SAVEPOINT cml_item")
                            cursor.execute("RELEASE SAVEPOINT cml_item")
                            outcomes.append(error)
                            continue
                        cursor.execute("RELEASE SAVEPOINT cml_item")
                        outcomes.append(outcome)
                        facts.extend(rows)
                        if outcome.status != "conflict":
                            settled.append((ticket.item.submission_id, ticket.item.response["submitted_by_id"]))
                    fact_sums.add(facts, conn)
                    if settled:  # a draft ends when its submission is stored: its owner's draft, never another user's
                        cursor.executemany(sql.delete_draft, [(sql.uuid(sid), user_id) for sid, user_id in settled])
                finally:
                    cursor.close()
                if self.before_commit is not None:
                    self.before_commit([t.item for t in batch])
            # COMMIT (and its fsync) has returned here
        self.batches += 1
        return outcomes

    @contextmanager
    def _writers_in_turn(self) -> Iterator[None]:
        if self.lock_path is None:
            yield
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


def _purged(cursor: Any, sql: _DriverSql, submission_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the batch's submission ids belong to responses purged from the trash: one query per batch."""
    cursor.execute(sql.find_purged(len(submission_ids)), [sql.uuid(sid) for sid in submission_ids])
    found = {str(value).replace("-", "") for value, in cursor.fetchall()}
    return {sid for sid in submission_ids if sid.hex in found}


def _write_one(conn: Any, cursor: Any, sql: _DriverSql, item: Submission, purged: bool) -> tuple[Outcome, list[dict[str, Any]]]:
    """Insert the response unless its id is known; a known id is a duplicate or a conflict
    (`response_rows` decides, with earlier versions and purged ids).

    ON CONFLICT DO NOTHING makes a concurrent insert of the same id (another process, on
    PostgreSQL) wait for that one to finish and then insert nothing, so two rows can never exist.
    """
    if purged:  # withdrawn and purged: acknowledged, never stored again
        return Outcome("duplicate", 0), []
    cursor.execute(sql.insert_response, sql.response_values(item.response))
    inserted = cursor.fetchall()  # to the end: SQLite cannot release a savepoint under an unfinished statement
    if not inserted:
        cursor.execute(sql.find_response, (sql.uuid(item.submission_id),))
        existing_id, existing_hash, existing_sealed = cursor.fetchone()
        same = False
        if item.keyring is not None:
            same = (response_rows.same_submission(item.keyring, item.submission_id, existing_hash, existing_sealed, item.payload)
                    or response_rows.resent_earlier(conn, item.keyring, item.submission_id, item.payload))
        return Outcome("duplicate" if same else "conflict", existing_id), []
    new_id = inserted[0][0]
    rows = [{**fact, "response_id": new_id} for fact in item.facts]
    if rows:
        cursor.executemany(sql.insert_fact, [tuple(row[c] for c in FACT_COLUMNS) for row in rows])
    return Outcome("stored", new_id), rows


_RESPONSE_COLUMNS = tuple(name for name in RESPONSE_COLUMNS if name != "id")  # the database gives the id here


@dataclass(frozen=True)
class _DriverSql:
    """The committer's statements in the driver's own terms, and values encoded as SQLAlchemy's
    column types store them (SQLite: a Uuid as 32 hex digits, a date as ISO text, JSON as
    `json.dumps` text; PostgreSQL: uuid and date natively, JSON as psycopg's `Json`), so the
    rows are the ones the ORM would write (tests/services/test_committer.py compares them).
    Through the bare cursor an item costs a fraction of what SQLAlchemy's statement handling did."""

    insert_response: str
    find_response: str
    purged_table: str
    insert_fact: str
    marker: str
    uuid: Callable[[uuid.UUID], Any]
    day: Callable[[date], Any]
    json: Callable[[Any], Any]
    encode_row: Callable[[Mapping[str, Any]], tuple[Any, ...]]

    def response_values(self, response: Mapping[str, Any]) -> tuple[Any, ...]:
        return self.encode_row(response)

    def find_purged(self, count: int) -> str:
        return f"SELECT submission_id FROM {self.purged_table} WHERE submission_id IN ({', '.join([self.marker] * count)})"  # noqa: S608 (markers only)

    @property
    def delete_draft(self) -> str:
        return f"DELETE FROM drafts WHERE submission_id = {self.marker} AND user_id = {self.marker}"  # noqa: S608 (markers only)


@lru_cache(maxsize=4)
def _driver_sql(dialect: str) -> _DriverSql:
    """Built once per dialect from the tables' own names (sqlite3 takes `?`, psycopg `%s`)."""
    responses, facts = Response.__table__, IndicatorFact.__table__
    encoding = dialects.driver_encoding(dialect)
    marker = encoding.marker
    markers = ", ".join([marker] * len(_RESPONSE_COLUMNS))
    if dialect == "postgresql":
        from psycopg.types.json import Json

        encode_json: Callable[[Any], Any] = Json
    else:
        encode_json = json.dumps
    fact_markers = ", ".join([marker] * len(FACT_COLUMNS))
    return _DriverSql(
        insert_response=f"INSERT INTO {responses.name} ({', '.join(_RESPONSE_COLUMNS)}) VALUES ({markers}) "  # noqa: S608 (constant names)
                        "ON CONFLICT (submission_id) DO NOTHING RETURNING id",
        find_response=f"SELECT id, answers_hash, sealed_answers FROM {responses.name} WHERE submission_id = {marker}",  # noqa: S608 (constant names)
        purged_table=PurgedSubmission.__table__.name,
        insert_fact=f"INSERT INTO {facts.name} ({', '.join(FACT_COLUMNS)}) VALUES ({fact_markers})",  # noqa: S608 (constant names)
        marker=marker, uuid=encoding.uuid, day=encoding.day, json=encode_json,
        encode_row=response_rows.row_encoder(_RESPONSE_COLUMNS, encoding.uuid, encoding.day, encode_json),
    )


_CREATING = threading.Lock()


def committer_for(app: Any, engine: Engine) -> Committer:
    """The app's committer for this engine (one per worker process: gunicorn builds the app after forking)."""
    committer: Committer | None = app.extensions.get("cml_committer")
    if committer is None or committer.engine is not engine:
        with _CREATING:
            committer = app.extensions.get("cml_committer")
            if committer is None or committer.engine is not engine:
                path = engine.url.database if engine.dialect.name == "sqlite" else None
                lock = f"{path}-writers.lock" if path and path != ":memory:" else None
                committer = app.extensions["cml_committer"] = Committer(engine, lock)
    return committer
