"""`backup create | verify | restore | keygen`, on SQLite and (with CML_TEST_DATABASE_URL) PostgreSQL:
round trips that give a working app, refusals with clear messages, and a backup taken while clients submit."""

from __future__ import annotations

import secrets
import shutil
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from cml import create_app
from cml.extensions import db
from cml.models import Facility, IndicatorFact, IndicatorSum, Response
from cml.services import demo_data, sealing, surveys
from cml.services.backup_crypto import CHUNK, HEADER
from cml.services.committer import committer_for
from cml.services.responses import form_version, prepare
from tests.conftest import FIXTURES, PG_URL, _base_config

pytestmark = pytest.mark.skipif(bool(PG_URL) and shutil.which("pg_dump") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")),
                                reason="pg_dump is not installed")


@pytest.fixture
def seeded(app: Flask, world: dict[str, Any]) -> Flask:
    """The demo world with 120 generated responses (clinic exit interviews have sealed free text)."""
    with app.app_context():
        for _ in demo_data.generate(120, seed=5):
            db.session.commit()
    return app


@pytest.fixture
def targets(tmp_path: Path) -> Iterator[Any]:
    """Makes fresh, empty databases to restore into: new SQLite files, or new PostgreSQL databases (dropped afterwards)."""
    made: list[str] = []

    def new() -> str:
        made.append(f"cml_restore_{secrets.token_hex(4)}")
        if not PG_URL:
            return f"sqlite:///{tmp_path / (made[-1] + '.sqlite3')}"
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{made[-1]}"')
        return make_url(PG_URL).set(database=made[-1]).render_as_string(hide_password=False)

    yield new
    if PG_URL:
        with _admin() as admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin() -> Any:
    import psycopg

    server = make_url(PG_URL)
    return psycopg.connect(dbname=server.database, user=server.username, password=server.password, host=server.host, port=server.port,
                           autocommit=True)


@pytest.fixture
def target(targets: Any) -> str:
    """A fresh, empty database to restore into."""
    return str(targets())


def _app_on(url: str, instance: Path) -> Flask:
    instance.mkdir(exist_ok=True)
    return create_app(_base_config(url, instance))


def _one_backup(folder: Path) -> Path:
    [made] = [p for p in folder.iterdir() if p.is_file()]
    return made


def _sums(app: Flask) -> dict[tuple[Any, ...], tuple[float, ...]]:
    with app.app_context():
        rows = db.session.execute(select(IndicatorSum).where(IndicatorSum.facts != 0)).scalars()
        result = {(r.questionnaire_id, r.indicator, r.month, r.region_id, r.facility_id): (round(r.numerator, 6), round(r.denominator, 6),
                                                                                           round(r.numerator_squared, 6), r.facts) for r in rows}
        db.session.remove()
        return result


def _assert_working(url: str, instance: Path, expected_responses: int) -> Flask:
    """The restored database serves: schema at head, sums equal a full rebuild, every sealed answer opens."""
    restored = _app_on(url, instance)
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == expected_responses
        ring = sealing.keyring()
        sealed = db.session.execute(select(Response.submission_id, Response.sealed_answers).where(Response.sealed_answers.is_not(None))).all()
        assert sealed, "the generated data has sealed answers"
        for submission_id, value in sealed:
            assert isinstance(sealing.unseal(ring, sealing.identity("responses", submission_id), value), dict)
        db.session.remove()
    runner = restored.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # nothing to do: the backup's revision is the head
    with restored.app_context():
        from alembic.script import ScriptDirectory

        [head] = ScriptDirectory(restored.extensions["migrate"].directory).get_heads()
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        db.session.remove()
    before = _sums(restored)
    assert runner.invoke(args=["indicators", "rebuild"]).exit_code == 0
    assert _sums(restored) == before and before
    assert restored.test_client().get("/healthz").status_code == 200
    with restored.app_context():
        db.engine.dispose()
    return restored


def test_round_trip_gives_a_working_app(seeded: Flask, runner, tmp_path: Path, target: str) -> None:
    folder = tmp_path / "backups"
    made = runner.invoke(args=["backup", "create", "--to", str(folder)])
    assert made.exit_code == 0, made.output
    assert "120 responses" in made.output and "not encrypted" in made.output
    backup = _one_backup(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(backup.stat().st_mode) == 0o600
    key_text = (Path(seeded.instance_path) / sealing.KEY_FILE).read_text().strip()
    assert key_text.encode() not in backup.read_bytes(), "a plain backup never carries the answer key"
    checked = runner.invoke(args=["backup", "verify", str(backup)])
    assert checked.exit_code == 0 and ": OK," in checked.output, checked.output
    restored = runner.invoke(args=["backup", "restore", str(backup), "--to", target])
    assert restored.exit_code == 0, restored.output
    assert "ok: schema revision " in restored.output and "ok: row counts equal the manifest's (120 responses" in restored.output
    assert "ok: indicator sums equal the sums of the facts" in restored.output
    assert "ok: sealed answers of 120 response(s)" in restored.output
    # The same instance (its answer key) serves the restored database.
    _assert_working(target, Path(seeded.instance_path), 120)


def test_encrypted_round_trip_carries_the_answer_key_to_a_new_server(seeded: Flask, runner, tmp_path: Path, target: str) -> None:
    secret = tmp_path / "keys" / "backup-key"
    secret.parent.mkdir()
    made_keys = runner.invoke(args=["backup", "keygen", str(secret)])
    assert made_keys.exit_code == 0, made_keys.output
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert runner.invoke(args=["backup", "keygen", str(secret)]).exit_code == 1  # never overwritten
    folder = tmp_path / "offsite"
    made = runner.invoke(args=["backup", "create", "--to", str(folder), "--encrypt-to", f"{secret}.pub"])
    assert made.exit_code == 0 and "the answer key is inside" in made.output, made.output
    backup = _one_backup(folder)
    assert backup.name.endswith(".backup.tar.enc")
    assert b"manifest.json" not in backup.read_bytes() and b"SQLite format" not in backup.read_bytes()
    refused = runner.invoke(args=["backup", "verify", str(backup)])
    assert refused.exit_code == 1 and "encrypted: give the secret key with --identity" in refused.output
    assert runner.invoke(args=["backup", "verify", str(backup), "--identity", str(secret)]).exit_code == 0
    # A new server: an empty instance folder, no answer key yet.
    new_instance = tmp_path / "new-server"
    new_app = _app_on(target, new_instance)
    restored = new_app.test_cli_runner().invoke(args=["backup", "restore", str(backup), "--identity", str(secret)])
    assert restored.exit_code == 0, restored.output
    assert f"answer key written to {new_instance / sealing.KEY_FILE}" in restored.output
    assert stat.S_IMODE((new_instance / sealing.KEY_FILE).stat().st_mode) == 0o600
    assert (new_instance / sealing.KEY_FILE).read_text().strip() == (Path(seeded.instance_path) / sealing.KEY_FILE).read_text().strip()
    with new_app.app_context():
        db.engine.dispose()
    _assert_working(target, new_instance, 120)


def test_an_answer_key_in_the_way_is_kept_aside_only_with_force(seeded: Flask, runner, tmp_path: Path, targets: Any) -> None:
    secret = tmp_path / "k"
    assert runner.invoke(args=["backup", "keygen", str(secret)]).exit_code == 0
    assert runner.invoke(args=["backup", "create", "--to", str(tmp_path / "b"), "--encrypt-to", f"{secret}.pub"]).exit_code == 0
    backup = _one_backup(tmp_path / "b")
    instance = tmp_path / "other-server"
    instance.mkdir(mode=0o700)
    sealing.write_secret(instance / sealing.KEY_FILE, sealing.new_key_text(), replace=False)
    theirs = (instance / sealing.KEY_FILE).read_text()
    other = _app_on(targets(), instance)
    refused = other.test_cli_runner().invoke(args=["backup", "restore", str(backup), "--identity", str(secret)])
    assert refused.exit_code == 1 and "holds another answer key" in refused.output, refused.output
    assert (instance / sealing.KEY_FILE).read_text() == theirs
    forced = other.test_cli_runner().invoke(args=["backup", "restore", str(backup), "--identity", str(secret), "--force"])
    assert forced.exit_code == 0, forced.output
    [kept] = instance.glob("answer_key.replaced-*")
    assert kept.read_text() == theirs
    assert (instance / sealing.KEY_FILE).read_text().strip() == (Path(seeded.instance_path) / sealing.KEY_FILE).read_text().strip()
    with other.app_context():
        db.engine.dispose()


def _corrupt(path: Path, at: int) -> Path:
    copy = path.with_name("copy-" + path.name)
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    copy.write_bytes(bytes(data))
    return copy


def _other_digest(path: Path) -> Path:
    """The backup with one digit of its manifest's SHA-256 changed (the archive itself still reads)."""
    import re

    data = path.read_bytes()
    digest = re.search(rb'"sha256": "([0-9a-f]{64})"', data)
    assert digest is not None
    at = digest.start(1)
    copy = path.with_name("digest-" + path.name)
    copy.write_bytes(data[:at] + (b"1" if data[at:at + 1] != b"1" else b"2") + data[at + 1 :])
    return copy


def _cut(path: Path, length: int) -> Path:
    copy = path.with_name("cut-" + path.name)
    copy.write_bytes(path.read_bytes()[:length])
    return copy


def test_damaged_backups_and_wrong_keys_are_refused_with_a_reason(seeded: Flask, runner, tmp_path: Path, target: str) -> None:
    folder = tmp_path / "b"
    secret, other = tmp_path / "k", tmp_path / "other"
    for key in (secret, other):
        assert runner.invoke(args=["backup", "keygen", str(key)]).exit_code == 0
    assert runner.invoke(args=["backup", "create", "--to", str(folder)]).exit_code == 0
    plain = _one_backup(folder)
    assert runner.invoke(args=["backup", "create", "--to", str(tmp_path / "e"), "--encrypt-to", f"{secret}.pub"]).exit_code == 0
    encrypted = _one_backup(tmp_path / "e")
    size = plain.stat().st_size
    cases = [
        (["verify", str(_corrupt(plain, size // 2))], "was altered or is damaged"),
        (["verify", str(_other_digest(plain))], "SHA-256 differs from the manifest's"),
        (["verify", str(_cut(plain, size // 2))], "truncated"),
        (["verify", str(_cut(plain, 700))], "truncated"),
        (["verify", str(_corrupt(encrypted, encrypted.stat().st_size // 2)), "--identity", str(secret)], "tampered with or is damaged"),
        (["verify", str(_cut(encrypted, 64 * 1024 * 3 + 100)), "--identity", str(secret)], "truncated"),
        (["verify", str(_cut(encrypted, HEADER + 3 * (CHUNK + 16))), "--identity", str(secret)], "truncated"),
        (["verify", str(_cut(encrypted, 30)), "--identity", str(secret)], "truncated"),
        (["verify", str(encrypted), "--identity", str(other)], "encrypted to another key"),
        (["verify", str(encrypted), "--identity", f"{secret}.pub"], "is a public key; a secret key is needed here"),
        (["restore", str(_corrupt(plain, size // 2)), "--to", target], "was altered or is damaged"),
        (["restore", str(_other_digest(plain)), "--to", target], "SHA-256 differs"),
        (["restore", str(plain), "--to", "postgresql://nobody@127.0.0.1:1/none" if not PG_URL else f"sqlite:///{tmp_path / 'x.sqlite3'}"],
         "this is a backup of a"),
        (["verify", str(FIXTURES / "mini.json")], "truncated or damaged"),
        (["verify", str(tmp_path / "missing.tar")], "cannot open"),
    ]
    for args, reason in cases:
        result = runner.invoke(args=["backup", *args])
        assert result.exit_code == 1, (args, result.output)
        assert reason in result.output, (args, result.output)
        assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    # The target was never written by a refused restore; a non-empty one needs --force.
    assert runner.invoke(args=["backup", "restore", str(plain), "--to", target]).exit_code == 0
    again = runner.invoke(args=["backup", "restore", str(plain), "--to", target])
    assert again.exit_code == 1 and "the target database is not empty (120 responses)" in again.output
    forced = runner.invoke(args=["backup", "restore", str(plain), "--to", target, "--force"])
    assert forced.exit_code == 0, forced.output


def test_a_plain_backup_restored_without_the_answer_key_says_which_key_is_missing(seeded: Flask, runner, tmp_path: Path, target: str) -> None:
    assert runner.invoke(args=["backup", "create", "--to", str(tmp_path / "b")]).exit_code == 0
    new_app = _app_on(target, tmp_path / "bare-instance")
    result = new_app.test_cli_runner().invoke(args=["backup", "restore", str(_one_backup(tmp_path / "b"))])
    assert result.exit_code == 1
    with seeded.app_context():
        wanted = sealing.key_id(sealing.keyring().current).hex()
    assert f"sealed under answer key id {wanted}, which this instance lacks" in result.output
    assert not (tmp_path / "bare-instance" / sealing.KEY_FILE).exists(), "the check never makes up a key"
    with new_app.app_context():
        db.engine.dispose()


def test_keep_removes_only_the_oldest_backups(seeded: Flask, runner, tmp_path: Path) -> None:
    folder = tmp_path / "rotating"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")
    for _ in range(3):
        result = runner.invoke(args=["backup", "create", "--to", str(folder), "--keep", "2"])
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3 and "notes.txt" in names
    assert "removed old backup" in result.output


def test_a_backup_taken_while_clients_submit_holds_every_acknowledged_submission(seeded: Flask, runner, tmp_path: Path, target: str) -> None:
    """Threads store submissions through the group committer before, during and after `backup create`."""
    with seeded.app_context():
        published = surveys.publish((FIXTURES / "mini.json").read_bytes())
        db.session.commit()
        version = form_version("mini", published.version.id)
        kyiv = db.session.scalar(select(Facility).where(Facility.code == "kyiv-01"))
        place = type("Place", (), {"id": kyiv.id, "region_id": kyiv.region_id})()
        items = [prepare(uuid.uuid4(), version, place, date(2026, 10, 1), {"tested": "yes", "wait": n % 90, "attitude": "respectful",
                                                                             "story": f"private story {n}"}, None)
                 for n in range(1500)]
        committer = committer_for(seeded, db.engine)
    acknowledged: list[uuid.UUID] = []
    lock, stop = threading.Lock(), threading.Event()
    queue = iter(items)

    def client() -> None:
        while not stop.is_set():
            with lock:
                item = next(queue, None)
            if item is None:
                return
            if committer.store(item).status == "stored":
                with lock:
                    acknowledged.append(item.submission_id)

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        with lock:
            before = set(acknowledged)
        made = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "b")])
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert made.exit_code == 0, made.output
    assert len(acknowledged) > len(before), "submissions went on after the backup"
    backup = _one_backup(tmp_path / "b")
    assert b"private story" not in backup.read_bytes()
    restored = runner.invoke(args=["backup", "restore", str(backup), "--to", target])
    assert restored.exit_code == 0, restored.output
    restored_app = _app_on(target, Path(seeded.instance_path))
    with restored_app.app_context():
        present = set(db.session.scalars(select(Response.submission_id).where(Response.questionnaire_version_id == version.id)))
        # Of the responses written during the backup (a seeded incident report without consent to be counted has none, rightly).
        without_facts = db.session.scalar(select(func.count(Response.id)).where(Response.questionnaire_version_id == version.id,
                                                                                ~Response.id.in_(select(IndicatorFact.response_id))))
        db.session.remove()
        db.engine.dispose()
    assert before <= present, f"{len(before - present)} submissions acknowledged before the backup are missing"
    assert present <= {item.submission_id for item in items}
    assert without_facts == 0
    _assert_working(target, Path(seeded.instance_path), 120 + len(present))


def test_the_scheduled_command_and_the_readme_name_real_options(runner) -> None:
    """deploy/cml-backup.service runs options `backup create` has; the README documents every backup command."""
    from tests.conftest import ROOT

    unit = (ROOT / "deploy" / "cml-backup.service").read_text()
    [command] = [line.split("--app cml ", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")]
    words = command.split()
    assert words[:2] == ["backup", "create"]
    help_text = runner.invoke(args=["backup", "create", "--help"]).output
    for option in (word for word in words if word.startswith("--")):
        assert option in help_text, option
    assert "OnCalendar=" in (ROOT / "deploy" / "cml-backup.timer").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in ("create", "verify", "restore", "keygen"):
        assert f"`backup {name}" in readme
    assert "## Backup and restore" in readme and "Restore drill" in readme
