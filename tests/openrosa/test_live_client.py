"""A client that follows the OpenRosa specification against a live server, as ODK Collect does:
a bare request answered with a Basic challenge, the form list, each form's download checked
against its hash, the HEAD pre-flight, then a multipart submission and its resend."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from email.utils import formatdate
from typing import Any

import pytest
import requests
from defusedxml.ElementTree import fromstring
from sqlalchemy import select
from werkzeug.serving import make_server

from cml.extensions import db
from cml.models import Response
from cml.services import surveys
from tests.conftest import PASSWORD
from tests.openrosa.helpers import filled, form_list

HEADERS = {"X-OpenRosa-Version": "1.0"}
RESPONSE_NS = "{http://openrosa.org/http/response}"


@pytest.fixture
def server(app, world) -> Iterator[str]:
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}/openrosa"
    live.shutdown()
    thread.join(timeout=5)


def _headers() -> dict[str, str]:
    return {**HEADERS, "Date": formatdate(usegmt=True), "Accept-Language": "uk"}


def _conform(response: requests.Response) -> None:
    """What the OpenRosa HTTP Request API asks of every response."""
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert response.headers["Date"].endswith("GMT")


def test_a_spec_following_client_lists_downloads_and_submits(app, server) -> None:
    session = requests.Session()
    challenge = session.get(f"{server}/formList", headers=_headers(), timeout=30)
    _conform(challenge)
    assert challenge.status_code == 401 and challenge.headers["WWW-Authenticate"].startswith("Basic")
    session.auth = ("demo-monitor", PASSWORD)  # the client answers the challenge as its settings say

    listing = session.get(f"{server}/formList", headers=_headers(), timeout=30)
    _conform(listing)
    assert listing.status_code == 200 and listing.headers["Content-Type"].startswith("text/xml")
    forms = {form["formID"]: form for form in form_list(listing.content)}
    assert set(forms) == {"clinic_exit", "incident_report", "training_evaluation", "violence_12m"}
    downloaded = {}
    for code, form in forms.items():
        assert form["downloadUrl"].startswith(server)
        xform = session.get(form["downloadUrl"], headers=_headers(), timeout=30)
        _conform(xform)
        assert form["hash"] == "md5:" + hashlib.md5(xform.content).hexdigest()
        downloaded[code] = xform.content

    preflight = session.head(f"{server}/submission", headers=_headers(), timeout=30)
    _conform(preflight)
    assert preflight.status_code == 204
    limit = int(preflight.headers["X-OpenRosa-Accept-Content-Length"])

    with app.app_context():
        model = surveys.model_of(surveys.latest_version("clinic_exit"))
    place = int(fromstring(downloaded["clinic_exit"]).find(".//{http://www.w3.org/2002/xforms}instance[@id='cml_places']//"
                                                           "{http://www.w3.org/2002/xforms}name").text)
    answers: dict[str, Any] = {q.id: None for q in model.questions}
    answers.update({"visit_reasons": ["hiv_test"], "hiv_test_offered": "yes", "condoms_received": "yes_enough",
                    "lubricants_received": "yes_enough", "staff_attitude": "respectful", "private_consultation": "yes",
                    "confidentiality_breach": "no", "tested_without_consent": "no", "refused_service": "no",
                    "documents_demanded": "no", "informal_payment": "no", "know_how_to_complain": "yes", "rating_staff": 4,
                    "rating_overall": 5, "waiting_minutes": 20, "arv_received": "not_on_arv"})
    answers = {k: v for k, v in answers.items() if k in {q.id for q in model.questions}}
    for question in model.questions:  # any required choice not set above: its first choice
        if question.required and answers.get(question.id) is None and question.choices:
            answers[question.id] = question.choices[0].id
    sid = uuid.uuid4()
    body = filled(downloaded["clinic_exit"], answers, {q.id: str(q.type) for q in model.questions}, place, date.today(), sid)
    assert len(body) < limit
    files = {"xml_submission_file": ("submission.xml", body, "text/xml")}
    sent = session.post(f"{server}/submission", files=files, headers=_headers(), timeout=30)
    _conform(sent)
    message = fromstring(sent.content).find(f"{RESPONSE_NS}message")
    assert sent.status_code == 201, message.text
    assert message.get("nature") == "submit_success" and "Дякуємо" in message.text  # in the language the phone asked for
    resent = session.post(f"{server}/submission", files=files, headers=_headers(), timeout=30)
    assert resent.status_code == 201
    with app.app_context():
        rows = db.session.scalars(select(Response)).all()
        assert [(r.submission_id, r.source, r.facility_id) for r in rows] == [(sid, "openrosa", place)]
