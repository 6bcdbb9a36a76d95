"""At rest: free text never in the database file in plain, and the instance's files readable by their owner only."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from cml import create_app
from cml.extensions import db
from cml.models import Draft, Response
from cml.services import drafts
from cml.services.responses import all_answers


def _mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_plain_text_of_free_text_is_not_in_the_database_file(client, app, as_role, mini) -> None:
    """After a web submission, neither the SQLite file nor its WAL holds the free text (nor its draft's)."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        pytest.skip("reads the SQLite file")
    as_role("monitor")
    with app.app_context():
        kyiv = mini.kyiv
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": kyiv, "interview_date": date.today().isoformat()})
    client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "30"})
    client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_attitude": "rude", "q_clinic_name_seen": "Zhuravlivka-clinic-7",
                                             "q_story": "Svitlana-was-threatened-by-guard"})
    with app.app_context():  # the draft, mid-way
        draft = db.session.get(Draft, uuid.UUID(sid))
        assert draft is not None and drafts.answers_of(draft)["story"] == "Svitlana-was-threatened-by-guard"
    response = client.post("/collect/mini/submit", data={
        "submission_id": sid, "version": str(mini.version), "facility": str(kyiv), "interview_date": date.today().isoformat(),
        "q_tested": "yes", "q_wait": "30", "q_attitude": "rude", "q_clinic_name_seen": "Zhuravlivka-clinic-7",
        "q_story": "Svitlana-was-threatened-by-guard"})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Response).where(Response.submission_id == uuid.UUID(sid)))
        assert all_answers(stored)["story"] == "Svitlana-was-threatened-by-guard"
    contents = b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if os.path.exists(p))
    assert os.path.exists(path + "-wal")
    for secret in ("Svitlana-was-threatened-by-guard", "Zhuravlivka-clinic-7"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert secret.encode(encoding) not in contents
    assert b"rude" in contents  # the plain answers are there: the search would have found text


def test_database_keys_and_instance_folder_are_private(client, app, as_role, mini) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    as_role("monitor")
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    client.post(f"/collect/d/{sid}/2", data={"action": "next", "q_story": "kept"})  # seals: the answer key is made
    instance = app.instance_path
    assert _mode(instance) == 0o700
    assert _mode(os.path.join(instance, "answer_key")) == 0o600
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for name in (path, path + "-wal", path + "-shm"):
            assert _mode(name) == 0o600, name


def test_a_new_instance_is_made_private_whatever_the_umask(tmp_path) -> None:
    instance = tmp_path / "fresh"
    previous = os.umask(0o022)
    try:
        app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/cml.sqlite3", "TESTING": True})
        with app.app_context():
            db.session.execute(text("CREATE TABLE t (x)"))  # the first write makes the file, its WAL and shared memory
            db.session.commit()
            db.session.execute(text("INSERT INTO t VALUES (1)"))
            db.session.commit()
            db.engine.dispose()
    finally:
        os.umask(previous)
    assert _mode(str(instance)) == 0o700
    assert _mode(str(instance / "secret_key")) == 0o600
    assert _mode(str(instance / "cml.sqlite3")) == 0o600
    for extra in ("cml.sqlite3-wal", "cml.sqlite3-shm"):
        if (instance / extra).exists():
            assert _mode(str(instance / extra)) == 0o600
