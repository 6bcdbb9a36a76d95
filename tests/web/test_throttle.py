"""Sign-in throttling that works: shared by every worker process, per username and address,
counting failures only, with addresses as the trusted proxy saw them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cml.extensions import db
from cml.limit_storage import SqliteFileStorage
from cml.services import users
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent


def attempt(client, username: str, password: str = "wrong-password", address: str = "127.0.0.1", forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address},
                       headers=headers).status_code


def test_the_limit_is_counted_across_worker_processes(make_app, world, database_url, tmp_path) -> None:
    """Two processes on one instance folder count together. (Two apps in one process would
    share Flask-Limiter's one storage object whatever it is, so this needs processes.)"""
    make_app()  # the world is in the database
    script = """
import sys
from pathlib import Path
from cml import create_app
from tests.conftest import _base_config
config = {**_base_config(sys.argv[1], Path(sys.argv[2])), "LOGIN_USERNAME_RATE_LIMIT": "3 per minute"}
client = create_app(config).test_client()
print(" ".join(str(client.post("/login", data={"username": "demo-lead", "password": "wrong-password"}).status_code) for _ in range(2)))
"""
    codes = []
    for _worker in range(2):
        done = subprocess.run([sys.executable, "-c", script, database_url, str(tmp_path)], cwd=ROOT, capture_output=True,  # noqa: S603
                              text=True, timeout=120, check=False)
        codes.append(done.stdout.strip().splitlines()[-1:])
    assert codes == [["422 422"], ["422 429"]], codes


def test_the_real_person_signs_in_from_elsewhere_while_a_guesser_is_held_back(make_app, world) -> None:
    app = make_app(LOGIN_USERNAME_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="100 per minute", LOGIN_USERNAME_CEILING="100 per minute")
    guesser, person = app.test_client(), app.test_client()
    assert [attempt(guesser, "demo-lead", address="10.0.0.66") for _ in range(5)] == [422, 422, 422, 429, 429]
    assert attempt(person, "demo-lead", PASSWORD, address="10.9.9.9") == 302
    # The guesser's right guess is refused too while the limit lasts.
    assert attempt(guesser, "demo-lead", PASSWORD, address="10.0.0.66") == 429


def test_many_addresses_guessing_one_account_meet_the_ceiling(make_app, world) -> None:
    app = make_app(LOGIN_USERNAME_RATE_LIMIT="100 per minute", LOGIN_RATE_LIMIT="100 per minute", LOGIN_USERNAME_CEILING="4 per minute")
    client = app.test_client()
    assert [attempt(client, "demo-lead", address=f"10.0.{n}.1") for n in range(6)] == [422, 422, 422, 422, 429, 429]
    assert attempt(client, "demo-advocate", PASSWORD, address="10.0.9.1") == 302  # other accounts are untouched


def test_a_training_room_signs_in_from_one_address_with_the_default_limits(make_app, world) -> None:
    from cml.settings import defaults

    app = make_app(**{name: defaults()[name] for name in ("LOGIN_RATE_LIMIT", "LOGIN_USERNAME_RATE_LIMIT", "LOGIN_USERNAME_CEILING")})
    with app.app_context():
        for n in range(20):
            users.create_user(f"trainee-{n:02d}", PASSWORD, "monitor", [])
        db.session.commit()
    codes = []
    for n in range(20):  # each one mistypes once, then signs in, all from the room's one address
        client = app.test_client()
        codes.append((attempt(client, f"trainee-{n:02d}", "typo-password", address="192.0.2.10"),
                      attempt(client, f"trainee-{n:02d}", PASSWORD, address="192.0.2.10")))
    assert codes == [(422, 302)] * 20


def test_forwarded_addresses_are_believed_only_behind_trusted_proxies(make_app, world) -> None:
    limits = {"LOGIN_RATE_LIMIT": "2 per minute", "LOGIN_USERNAME_RATE_LIMIT": "100 per minute", "LOGIN_USERNAME_CEILING": "100 per minute"}
    direct = make_app(**limits).test_client()
    # Without a trusted proxy a client cannot pick its address by sending the header.
    assert [attempt(direct, f"guess-{n}", forwarded=f"10.1.{n}.1") for n in range(3)] == [422, 422, 429]

    proxied_app = make_app(TRUSTED_PROXIES=1, **limits)
    proxied = proxied_app.test_client()
    # Behind one proxy each person counts on their own, though all arrive from the proxy.
    assert [attempt(proxied, f"guess-{n}", address="127.0.0.2", forwarded=f"10.2.{n}.1") for n in range(3)] == [422, 422, 422]
    # Only the proxy's own hop is believed: what the client put in front of it is not.
    assert [attempt(proxied, "someone", address="127.0.0.2", forwarded=f"10.3.{n}.1, 10.4.4.4") for n in range(3)] == [422, 422, 429]
    assert attempt(proxied, "demo-lead", PASSWORD, address="127.0.0.2", forwarded="203.0.113.9") == 302
    page = proxied.get("/account/sessions").get_data(as_text=True)
    assert "203.0.113.0/24" in page


def test_limit_keys_hold_neither_usernames_nor_addresses(make_app, world, tmp_path) -> None:
    app = make_app()
    client = app.test_client()
    attempt(client, "perhaps-a-real-name", address="198.51.100.7")
    uri = app.config["RATELIMIT_STORAGE_URI"]
    assert uri.startswith("cml+sqlite:///") and uri.endswith("rate-limits.sqlite3")
    with sqlite3.connect(uri.split("://", 1)[1]) as connection:
        keys = [row[0] for row in connection.execute("SELECT key FROM counters")]
    assert len(keys) == 3
    assert not any("perhaps" in key or "198.51" in key for key in keys)


def test_the_file_storage_counts_windows_for_every_instance(tmp_path) -> None:
    uri = f"cml+sqlite:///{tmp_path / 'limits' / 'counts.sqlite3'}"
    one, two = SqliteFileStorage(uri), SqliteFileStorage(uri)
    assert one.check()
    assert [one.incr("k", 60), two.incr("k", 60), one.incr("k", 60, amount=2)] == [1, 2, 4]
    assert two.get("k") == 4 and one.get("other") == 0
    assert time.time() < two.get_expiry("k") <= time.time() + 60
    assert one.incr("short", 0.05) == 1
    time.sleep(0.1)
    assert two.get("short") == 0 and two.incr("short", 60) == 1  # a new window after expiry
    two.clear("k")
    assert one.get("k") == 0
    assert one.reset() == 1 and two.get("short") == 0
