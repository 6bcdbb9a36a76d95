"""Property-based fuzzing of every route, as every role: hostile values never give a 5xx.

The routes come from `app.url_map`, the field names from the forms the pages draw (plus the
query parameters the views read and a few unknown ones). Values are what an attacker or a
broken phone sends: lone surrogates, NUL, numbers past 64 bits, long strings, far dates,
wrong types, ids of other regions, malformed CSV and JSON uploads. CSRF is off (as in every
web test) so the requests reach the views. Bounded to a few thousand requests.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
import uuid
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cml.extensions import db
from cml.models import Facility, Response, User
from tests.conftest import FIXTURES, examples, login
from tests.fixtures.mini_survey import publish_mini
from tests.web.endpoints import is_html_page

ROLES = ("monitor", "lead", "advocate", "admin", "odesa", None)
SKIPPED = {
    "static", "vendor.plotly_js",  # files, no input
    "reports.brief_pdf",  # starts Chromium per request (503 by design where it is missing)
    "auth.logout",  # would end the role's session mid-run
    "meetings.register",  # an XLSX file; its only input is the signed-in user
}
QUERY_KEYS = ("action", "actor", "from", "to", "grain", "indicator", "lang", "next", "page", "period", "region", "repeat", "survey",
              "format", "questionnaire", "facility", "state", "month", "zzz_unknown")
MAX_EXAMPLES = examples(1200)  # random requests after the sweep (which is always whole)
JSON_ROUTES = "/collect/api/"
QUERY_VALUE_MAX = 200
"""A query value is cut to this many characters: the deployment's gunicorn refuses a request line over 4,094 bytes
(limit_request_line), so a longer URL never reaches the app, and Werkzeug's test client spends most of the run
re-reading megabyte URLs for its cookies. Long values still go in every form field."""

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\U0001f600", "‮", "'; DROP TABLE responses; --", "<script>alert(1)</script>",
    "=HYPERLINK(\"http://x\")", str(2**63), str(-(2**63) - 1), "9" * 5000, "1e309", "NaN", "-0", "0", "1", "-1", "3.5", "1,5",
    "0001-01-01", "9999-12-31", "1999-12-31", "2026-02-30", date.today().isoformat(), "31.12.2025", "x" * 70_000,
    str(uuid.uuid4()), "not-a-uuid", "mini", "clinic_exit", "kyiv", "odesa", "yes", "no", "next", "back", "labels", "codes",
    "true", "on", "[]", "{}", "null", "../../etc/passwd", "%00", "\r\n\r\n",
]


UPLOADS = ("collect.import_page", "admin.region_list", "admin.questionnaire_list")


SWEEP = ["\ud800", "a\x00b", str(2**63), "9" * 5000, "0001-01-01", "9999-12-31", "x" * 70_000, "<b>x</b>", "-1", "", "\U0001f600", "1e309"]
SWEEP_FILES = [
    (b'{"regions": [{"code": "x", "name": {"en": "\\ud800"}, "facilities": [{"code": "x-1", "name": "\\u0000"}]}]}', "r.json"),
    (b"region_code,region_name_en,facility_code,facility_name,facility_kind\nx,\xed\xa0\x80,x-1,A,clinic\n", "r.csv"),
    (b'{"id": "x", "id": "y"}', "q.json"),
    (b'{"id": "mini", "version": ' + b"9" * 5000 + b"}", "q.json"),
    (b"region,facility,date,wait\n" + b"?,?,?,?\n" * 20_000, "i.csv"),
    (b"region,facility,date,story\nkyiv,kyiv-01,2026-01-01," + b"x" * 140_000 + b"\n", "i.csv"),
]


def _opens(client: Any, rule: Any, argument_values: dict[str, list[str]]) -> bool:
    """Whether this client may use the route at all (not sent to the login page, not forbidden)."""
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(r"<(?:[a-z]+:)?" + name + ">", argument_values[name][0], url)
    try:
        status = client.get(url).status_code if "GET" in (rule.methods or ()) else client.post(url, data={}).status_code
    except Exception:  # noqa: BLE001 — a crash is for the sweep to report
        return True
    return status not in (302, 401, 403)


def _wire(text: str) -> bytes:
    """The bytes a client sends for `text`: a lone surrogate as the invalid UTF-8 an attacker would send."""
    return text.encode("utf-8", "surrogatepass")


def _names(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', html))


def _garbage_files() -> st.SearchStrategy[tuple[bytes, str]]:
    header = b"region,facility,date,tested,why_not,wait,cost,attitude,services,rating,visit_date,clinic_name_seen,story\n"
    cells = st.sampled_from([h.encode("utf-8", "surrogatepass") for h in HOSTILE[:30]] + [b'"', b'""', b"\x00", b"\xff\xfe"])
    row = st.lists(cells, min_size=0, max_size=15).map(lambda parts: b",".join(parts) + b"\n")
    csv_file = st.tuples(st.just(header), st.lists(row, max_size=20)).map(lambda t: t[0] + b"".join(t[1]))
    json_file = st.sampled_from([b'{"regions": [{"code": "x", "name": {"en": "\\ud800"}}]}', b'{"id": "x", "id": "y"}',
                                 b'{"a": ' + b"9" * 5000 + b"}", b"[" * 5000, b"\xef\xbb\xbf{}", b'{"regions": [1, "x", null]}'])
    return st.tuples(st.one_of(csv_file, json_file, st.binary(max_size=300)), st.sampled_from(["f.csv", "f.json", "f.txt", "f\x00.csv", ""]))


def _stored_responses(app: Any) -> tuple[list[str], list[str]]:
    """One stored interview in Kyiv and one in Odesa: submission ids and response ids."""
    from cml.services import surveys
    from cml.services.responses import store_response

    with app.app_context():
        version = surveys.latest_version("mini")
        assert version is not None
        for code in ("kyiv-01", "odesa-01"):
            facility = db.session.scalars(select(Facility).where(Facility.code == code)).one()
            store_response(uuid.uuid4(), version, facility, date.today(), {"tested": "yes", "wait": 10}, None)
        db.session.commit()
        rows = db.session.execute(select(Response.id, Response.submission_id).order_by(Response.id)).all()
    return [str(row.submission_id) for row in rows], [str(row.id) for row in rows]


def _meetings(app: Any, action_ids: list[str]) -> list[str]:
    """A Kyiv council meeting with the run's action on its agenda, so its page and agenda forms are reached."""
    from cml.models import Meeting
    from cml.services import meetings
    from cml.services.regions import region_by_code

    with app.app_context():
        lead = db.session.scalars(select(User).where(User.username == "demo-lead")).one()
        meeting = meetings.create_meeting(lead, meetings.REGIONAL, region_by_code("kyiv"), date.today(), "Kyiv council")
        for action_id in action_ids:
            meetings.add_to_agenda(lead, db.session.get(Meeting, meeting.id), action_id)
        db.session.commit()
        return [str(meeting.id)]


def _actions(app: Any) -> list[str]:
    """An action on the mini interviews stored for the run (Kyiv, this quarter), so its pages reach their forms."""
    from cml.core.action_check import next_quarter
    from cml.core.periods import period_of
    from cml.services import actions
    from cml.services.regions import region_by_code

    with app.app_context():
        lead = db.session.scalars(select(User).where(User.username == "demo-lead")).one()
        unit = actions.Unit(region_by_code("kyiv"), None)
        try:
            figure = actions.figure_for(lead, "mini", "offered_test", unit, period_of(date.today(), "quarter"))
        except actions.NotAFigure:
            return []
        action = actions.new_action(lead, figure, {}, problem="p", duty_bearer_kind="other", duty_bearer="d", asked="a", owner="o",
                                    due_period=next_quarter(period_of(date.today(), "quarter")))
        db.session.commit()
        return [str(action.id)]


@pytest.mark.slow
def test_no_route_answers_5xx_to_hostile_input(make_app, world) -> None:
    app = make_app(PROPAGATE_UNEXPECTED=False)
    mini = publish_mini(app)
    with app.app_context():
        facilities = [str(f) for f in db.session.scalars(select(Facility.id))]
        user_ids = [str(u) for u in db.session.scalars(select(User.id))]
    clients: dict[str | None, Any] = {}
    for role in ROLES:
        client = app.test_client()
        if role is not None:
            assert login(client, f"demo-{role}" if role != "odesa" else "odesa-monitor").status_code == 302
        clients[role] = client
    drafts = []
    for role in ("monitor", "lead", "odesa"):  # real drafts, so the page routes reach their forms
        sid = str(uuid.uuid4())
        clients[role].post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
        drafts.append(sid)
    uploaded = clients["admin"].post("/admin/questionnaires", data={"file": (io.BytesIO(json.dumps({**json.loads((FIXTURES / "mini.json").read_text()), "version": 2}).encode()), "mini.json")},
                                     content_type="multipart/form-data")
    questionnaire_drafts = [uploaded.headers["Location"].rsplit("/", 1)[-1]]  # a real draft, so its pages reach their forms
    sent, responses = _stored_responses(app)  # real submissions, so review and correction pages reach their forms
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED]
    values = HOSTILE + facilities + user_ids + drafts + responses + [str(mini.version)]
    fields: set[str] = {"q_" + q for q in ("tested", "why_not", "wait", "cost", "attitude", "services", "rating", "visit_date", "clinic_name_seen", "story")}
    fields |= {"submission_id", "facility", "interview_date", "version", "action", "q_unknown", "file", "state", "comment", "reason", "place", "region",
               "direction", "kind", "held_on", "title"}
    fields |= {"problem", "duty_bearer_kind", "duty_bearer", "asked", "commitment", "commitment_where", "commitment_on", "owner",
               "due_period", "seen"}  # an action's form (its page needs a figure in the link)
    for role, client in clients.items():  # the names of every field the pages draw, for every role
        for rule in rules:
            if "GET" in (rule.methods or ()) and not rule.arguments and is_html_page(rule.endpoint):
                fields |= _names(client.get(rule.rule).get_data(as_text=True))
    fields -= {"csrf_token"}
    action_ids = _actions(app)
    argument_values = {"code": ["mini", "clinic_exit", "\ud800", "x" * 300, "%00"], "user_id": user_ids + [str(2**63), "0"],
                       "submission_id": sent + drafts + [str(uuid.uuid4())], "response_id": responses + [str(2**63), "0", "-1"], "token_id": ["1", "0", str(2**63)], "number": ["1", "2", "3", "99", str(2**64)],
                       "session_id": ["0" * 64, "x" * 300, "\ud800", "%00", str(uuid.uuid4())], "facility_id": facilities + [str(2**63), "0"],
                       "draft_id": questionnaire_drafts + [str(2**63), "0"],
                       "action_id": action_ids + [str(2**63), "0", "-1", "\ud800", "x" * 300],
                       "meeting_id": _meetings(app, action_ids) + [str(2**63), "0", "-1"],
                       "report_id": responses + [str(2**63), "0", "-1", "\ud800"], "case_id": ["1", "2", str(2**63), "0", "-1", "\ud800", "x" * 300],
                       "warning_id": ["1", "2", str(2**63), "0"]}

    errors: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())

    handler = Catch()
    logging.getLogger().addHandler(handler)
    sent = {"requests": 0}
    failures: list[str] = []
    value = st.one_of(st.sampled_from(values), st.text(max_size=40), st.integers().map(str))

    def send(role: str | None, rule: Any, post: bool, data: dict[str, Any], query: dict[str, str], arguments: dict[str, str], upload: tuple[bytes, str]) -> None:
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(r"<(?:[a-z]+:)?" + name + ">", lambda _m, name=name: quote(_wire(arguments.get(name, "x")), safe=""), url)
        url += "?" + urlencode([(k, _wire(v[:QUERY_VALUE_MAX])) for k, v in query.items()])
        method = "POST" if post and "POST" in (rule.methods or ()) else "GET"
        client = clients[role]
        pairs = [(k, item) for k, v in data.items() for item in (v if isinstance(v, list) else [v])]
        try:
            status = _send(client, url, method, rule, data, pairs, upload)
        except Exception as error:  # noqa: BLE001 — what escapes Flask's handlers is a 500 from a real server
            status = 500
            errors.append(f"{type(error).__name__} escaped on {method} {url[:200]}")
        sent["requests"] += 1
        if status >= 500:
            failures.append(f"{role} {method} {url[:200]} -> {status}")

    def _send(client: Any, url: str, method: str, rule: Any, data: dict[str, Any], pairs: list[tuple[str, str]], upload: tuple[bytes, str]) -> int:
        if method == "POST" and ("file" in data or rule.endpoint in UPLOADS):
            # Multipart: the test client encodes text as UTF-8, so a surrogate goes as the server would decode it.
            form: dict[str, Any] = {k: [_wire(i).decode("utf-8", "replace") for i in (v if isinstance(v, list) else [v])] for k, v in data.items()}
            form["file"] = (io.BytesIO(upload[0]), upload[1].replace("\x00", ""))
            return int(client.post(url, data=form, content_type="multipart/form-data").status_code)
        if method == "POST" and rule.rule.startswith(JSON_ROUTES):  # the collection app's JSON; its own fuzz is in test_collect_api
            return int(client.post(url, data=json.dumps(data), content_type="application/json").status_code)
        if method == "POST":
            return int(client.post(url, data=urlencode([(k, _wire(v)) for k, v in pairs]), content_type="application/x-www-form-urlencoded").status_code)
        return int(client.get(url).status_code)

    started = time.perf_counter()
    # A sweep first: every route, as every role that may open it, each hostile value in every field at once.
    for rule in rules:
        allowed = [role for role in ROLES if _opens(clients[role], rule, argument_values)]
        for role in allowed or [None]:
            for post in ((False, True) if "POST" in (rule.methods or ()) else (False,)):
                for index, hostile in enumerate(SWEEP):
                    arguments = {k: (v[0] if index % 2 else hostile) for k, v in argument_values.items()}
                    upload = SWEEP_FILES[index % len(SWEEP_FILES)]
                    send(role, rule, post, {f: hostile for f in fields}, dict.fromkeys(QUERY_KEYS, hostile), arguments, upload)
    swept = sent["requests"]

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(
        role=st.sampled_from(ROLES),
        rule=st.sampled_from(rules),
        post=st.booleans(),
        data=st.dictionaries(st.sampled_from(sorted(fields)), st.one_of(value, st.lists(value, max_size=4)), max_size=8),
        query=st.dictionaries(st.sampled_from(QUERY_KEYS), value, max_size=4),
        arguments=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in argument_values.items()}),
        upload=_garbage_files(),
    )
    def one_request(role, rule, post, data, query, arguments, upload) -> None:
        send(role, rule, post, data, query, arguments, upload)

    try:
        one_request()
    finally:
        logging.getLogger().removeHandler(handler)
    elapsed = time.perf_counter() - started
    print(f"fuzz: {sent['requests']} requests ({swept} in the sweep) over {len(rules)} routes x {len(ROLES)} roles in {elapsed:.1f} s")
    assert not failures, failures[:20]
    assert not errors, errors[:20]
    assert sent["requests"] >= MAX_EXAMPLES // 2
