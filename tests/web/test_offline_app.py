"""The offline app's shell, service worker and manifest: the same bytes for everyone, no user data, kept offline."""

from __future__ import annotations

import json
import re

from cml.collect.offline import STATIC
from tests.conftest import login


def test_the_shell_is_the_same_for_every_user_and_holds_no_user_data(client, world) -> None:
    signed_out = client.get("/collect/app/")
    assert signed_out.status_code == 200
    login(client, "demo-monitor")
    monitor = client.get("/collect/app/")
    client.post("/logout")
    login(client, "odesa-monitor")
    other = client.get("/collect/app/")
    assert monitor.data == other.data == signed_out.data
    page = monitor.get_data(as_text=True)
    for private in ("demo-monitor", "odesa-monitor", "csrf_token", "Kyiv", "Odesa"):
        assert private not in page
    assert monitor.headers["Cache-Control"] == "no-cache"


def test_the_shell_carries_its_words_in_every_language(client) -> None:
    page = client.get("/collect/app/").get_data(as_text=True)
    strings = json.loads(re.search(r'<script type="application/json" id="app-strings">(.*?)</script>', page, re.S).group(1))
    assert set(strings) == {"en", "uk", "ru"}
    assert strings["en"].keys() == strings["uk"].keys() == strings["ru"].keys()
    assert strings["uk"]["send_now"] != strings["en"]["send_now"]
    assert strings["ru"]["lock"] != strings["en"]["lock"]


def test_the_service_worker_keeps_the_shell_and_its_files_but_never_the_api(client) -> None:
    response = client.get("/collect/app/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    source = response.get_data(as_text=True)
    files = json.loads(re.search(r"var FILES = (\[.*?\]);", source).group(1))
    assert "/collect/app/" in files and "/collect/app/manifest.webmanifest" in files
    assert {f"/static/{name}" for name in STATIC} <= set(files)
    assert not [f for f in files if "/api/" in f]
    for url in files:  # every file it keeps exists
        kept = client.get(url)
        assert kept.status_code == 200 and kept.data, url


def test_a_changed_file_makes_a_new_service_worker(client, monkeypatch) -> None:
    from cml.collect import offline

    first = client.get("/collect/app/sw.js").get_data(as_text=True)
    offline._static_digest.cache_clear()
    monkeypatch.setattr(offline, "STATIC", (*offline.STATIC[:-1],))
    second = client.get("/collect/app/sw.js").get_data(as_text=True)
    offline._static_digest.cache_clear()
    assert re.search(r'CACHE = "(.*?)"', first).group(1) != re.search(r'CACHE = "(.*?)"', second).group(1)


def test_the_manifest_installs_the_app_at_its_shell(client) -> None:
    response = client.get("/collect/app/manifest.webmanifest")
    body = json.loads(response.data)
    assert body["start_url"] == body["scope"] == "/collect/app/"
    assert body["display"] == "standalone" and body["icons"]


def test_monitors_find_the_app_from_home_and_the_form(client, as_role) -> None:
    as_role("monitor")
    assert 'href="/collect/app/"' in client.get("/").get_data(as_text=True)
    assert 'href="/collect/app/"' in client.get("/collect/clinic_exit/").get_data(as_text=True)
