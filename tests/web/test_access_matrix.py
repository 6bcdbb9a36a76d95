"""Every route, as every role and as a stranger: nobody reaches what their role may not,
and no page or JSON leaks another region's facility-level figures."""

from __future__ import annotations

import uuid

import pytest

# The offline app's shell, service worker and manifest hold no user data and must open signed out (offline).
PUBLIC = {"auth.login", "static", "vendor.plotly_js", "i18n.set_language", "health.healthz", "collect.app_shell", "collect.service_worker", "collect.manifest"}
# Endpoint -> roles allowed to open it (GET). Anything not listed is a test failure, so
# a new route must be added here deliberately.
ALLOWED = {
    "home.index": {"monitor", "lead", "advocate", "admin"},
    "auth.change_password": {"monitor", "lead", "advocate", "admin"},
    "auth.logout": {"monitor", "lead", "advocate", "admin"},
    "auth.session_list": {"monitor", "lead", "advocate", "admin"},
    "auth.end_session": {"monitor", "lead", "advocate", "admin"},
    "auth.end_other_sessions": {"monitor", "lead", "advocate", "admin"},
    "collect.start": {"monitor", "lead", "admin"},
    "collect.page": {"monitor", "lead", "admin"},
    "collect.review": {"monitor", "lead", "admin"},
    "collect.resume": {"monitor", "lead", "admin"},
    "collect.submit": {"monitor", "lead", "admin"},
    "collect.receipt": {"monitor", "lead", "admin"},
    "collect.mine": {"monitor", "lead", "admin"},
    "collect_api.session_info": {"monitor", "lead", "admin"},
    "collect_api.setup": {"monitor", "lead", "admin"},
    "collect_api.submit": {"monitor", "lead", "admin"},
    "collect.import_page": {"lead", "admin"},
    "collect.import_template": {"lead", "admin"},
    "dashboard.overview": {"lead", "advocate", "admin"},
    "dashboard.indicator": {"lead", "advocate", "admin"},
    "dashboard.indicator_json": {"lead", "advocate", "admin"},
    "reports.raw": {"lead", "admin"},
    "reports.indicators": {"lead", "advocate", "admin"},
    "reports.brief": {"lead", "advocate", "admin"},
    "reports.brief_pdf": {"lead", "advocate", "admin"},
    "admin.index": {"admin"},
    "admin.user_list": {"admin"},
    "admin.user_edit": {"admin"},
    "admin.user_password": {"admin"},
    "admin.region_list": {"admin"},
    "admin.facility_edit": {"admin"},
    "admin.questionnaire_list": {"admin"},
    "admin.audit_log": {"admin"},
}
SAMPLE_ARGS = {"code": "clinic_exit", "submission_id": uuid.UUID(int=7), "number": 1, "user_id": 1, "facility_id": 1, "filename": "cml.css", "version": "0",
               "session_id": "0" * 64}
ROLES = ("stranger", "monitor", "lead", "advocate", "admin")
JSON_ONLY = "/collect/api/"
"""Routes a JSON client calls: a stranger gets 401 JSON there, never a redirect to a page."""


def routes(app):
    for rule in app.url_map.iter_rules():
        method = "GET" if "GET" in rule.methods else "POST"
        yield rule, method


def test_every_endpoint_is_in_the_matrix(app) -> None:
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    assert endpoints - PUBLIC - set(ALLOWED) == set(), "add new routes to ALLOWED deliberately"


@pytest.mark.parametrize("role", ROLES)
def test_role_by_route(client, as_role, app, role) -> None:
    if role != "stranger":
        as_role(role)
    failures = []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC or rule.endpoint == "auth.logout":
            continue
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{k: SAMPLE_ARGS[k] for k in rule.arguments})
        response = client.open(url, method=method)
        allowed = role in ALLOWED[rule.endpoint]
        if url.startswith(JSON_ONLY):
            if not response.is_json:
                failures.append((rule.endpoint, method, url, response.status_code, "not JSON"))
            ok = response.status_code == (401 if role == "stranger" else 403 if not allowed else response.status_code)
            ok = ok and response.status_code in (200, 400, 401, 403)
        elif role == "stranger":
            ok = response.status_code == 302 and "/login" in response.headers["Location"]
        elif allowed:
            ok = response.status_code in (200, 302, 303, 400, 404, 422)
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append((rule.endpoint, method, url, response.status_code))
    assert failures == []


def test_a_lead_cannot_open_another_regions_dashboard(client, as_role) -> None:
    as_role("lead")
    for path in ("/dashboard/?region=odesa", "/dashboard/indicator?indicator=hiv_test_offered&region=odesa",
                 "/dashboard/indicator.json?indicator=hiv_test_offered&region=odesa"):
        assert client.get(path).status_code == 404, path
    assert client.get("/dashboard/?region=kyiv").status_code == 200


def test_advocates_get_regions_never_facilities(client, as_role) -> None:
    as_role("advocate")
    for region in ("", "&region=kyiv"):
        data = client.get(f"/dashboard/indicator.json?survey=clinic_exit&indicator=hiv_test_offered{region}").get_json()
        assert data["unit"] == "region"
