"""Bytes the collecting app costs a phone: compressed, as a browser fetches them.

First visit of the offline app (/collect/app/): the shell, its style, scripts, manifest and
service worker, the session and the setup (questionnaires, places, messages), and the service
worker's install, which asks for each file again with validators (a 304 each). A later visit:
the service worker serves the shell and files from its cache; the browser asks for sw.js
(its update check), the session, and the setup with its ETag (a 304). Baseline: the
server-rendered form path, the start page and every page of one clinic-exit interview
(GETs only), with its style and script on a first visit.
Bytes are bodies as sent plus response status line and headers; requests are not counted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cml.bench.databases import BenchDatabase
from cml.bench.report import Report

ENCODING = {"Accept-Encoding": "br, gzip"}


def _size(response: Any) -> int:
    head = sum(len(f"{name}: {value}\r\n") for name, value in response.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
    return head + len(response.get_data())


def _get(client: Any, url: str, **headers: str) -> Any:
    response = client.get(url, headers={**ENCODING, **headers})
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def _revalidate(client: Any, url: str, first: Any) -> int:
    """What a request with the validators of `first` costs (a 304 when unchanged)."""
    validators = {}
    if first.headers.get("ETag"):
        validators["If-None-Match"] = first.headers["ETag"]
    if first.headers.get("Last-Modified"):
        validators["If-Modified-Since"] = first.headers["Last-Modified"]
    return _size(_get(client, url, **validators))


def app_visits(client: Any) -> tuple[int, int, dict[str, int]]:
    """(first visit, later visit, bytes per URL of the first visit) of the offline app, for a signed-in client."""
    from cml.collect.offline import STATIC

    files = ["/collect/app/", "/collect/app/manifest.webmanifest", *(f"/static/{name}" for name in STATIC)]
    fetched = {url: _get(client, url) for url in [*files, "/collect/app/sw.js", "/collect/api/v1/session", "/collect/api/v1/setup"]}
    sizes = {url: _size(response) for url, response in fetched.items()}
    install = sum(_revalidate(client, url, fetched[url]) for url in files)
    first = sum(sizes.values()) + install
    setup = fetched["/collect/api/v1/setup"]
    later = (_size(_get(client, "/collect/app/sw.js")) + _size(_get(client, "/collect/api/v1/session"))
             + _size(_get(client, "/collect/api/v1/setup", **{"If-None-Match": setup.headers["ETag"]})))
    return first, later, sizes


def form_visit(client: Any) -> tuple[int, int]:
    """(first visit, one interview) of the server-rendered form: start, every page, review; style and script once."""
    import re
    import uuid

    start = _get(client, "/collect/clinic_exit/")
    place = re.search(r'<option value="(\d+)"', client.get("/collect/clinic_exit/").get_data(as_text=True))  # uncompressed, to read
    assert place is not None
    submission = str(uuid.uuid4())
    client.post("/collect/clinic_exit/", data={"submission_id": submission, "facility": place.group(1), "interview_date": date.today().isoformat()})
    pages = [_get(client, f"/collect/d/{submission}/{n}") for n in range(1, 6)] + [_get(client, f"/collect/d/{submission}/review")]
    interview = _size(start) + sum(_size(p) for p in pages)
    assets = sum(_size(_get(client, url)) for url in ("/static/cml.css", "/static/collect.js", "/static/favicon.svg"))
    return interview + assets, interview


def run(database: BenchDatabase, report: Report) -> None:
    app = database.app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    signed_in = client.post("/login", data={"username": "demo-monitor", "password": database.accounts["demo-monitor"]})
    assert signed_in.status_code == 302, signed_in.status_code
    first, later, sizes = app_visits(client)
    form_first, form_interview = form_visit(client)
    report.emit("offline_app_first_visit_bytes", first, "bytes (compressed; target <= 150 KB)", baseline=form_first,
                baseline_of="server-rendered form: start page, 5 pages and review of one interview, with its style and script",
                largest={url: size for url, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:4]})
    report.emit("offline_app_later_visit_bytes", later, "bytes (compressed; target <= 10 KB)", baseline=form_interview,
                baseline_of="server-rendered form: the pages of one more interview (style and script cached)")
