"""Every route, as every role and as a stranger: nobody reaches what their role may not,
and no page or JSON leaks another region's facility-level figures."""

from __future__ import annotations

import uuid

import pytest

from cml.auth.capabilities import ROLE_CAPABILITIES, roles_with
from tests.openrosa.helpers import basic

# The offline app's shell, service worker and manifest hold no user data and must open signed out (offline).
PUBLIC = {"auth.login", "static", "vendor.plotly_js", "i18n.set_language", "health.healthz", "collect.app_shell", "collect.service_worker", "collect.manifest",
          "api-docs.openapi_json"}  # the API's OpenAPI document describes, holds no data
SIGNED_IN = None  # any signed-in account, whatever its role
# Endpoint -> the capability it needs (GET); the roles come from cml.auth.capabilities, the
# table the views read. Anything not listed is a test failure, so a new route must be added
# here deliberately.
NEEDS = {
    "home.index": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.logout": SIGNED_IN,
    "auth.session_list": SIGNED_IN,
    "auth.end_session": SIGNED_IN,
    "auth.end_other_sessions": SIGNED_IN,
    "collect.start": "collect",
    "collect.page": "collect",
    "collect.review": "collect",
    "collect.resume": "collect",
    "collect.submit": "collect",
    "collect.receipt": "view_own_submissions",
    "collect.mine": "view_own_submissions",
    "collect_api.session_info": "collect",
    "collect_api.setup": "collect",
    "collect_api.submit": "collect",
    "collect.correct": "collect",  # then only a reviewer's regions, or the sender within the window
    "collect.withdraw": "withdraw_submissions",
    "collect.trash_list": "restore_from_trash",
    "collect.restore": "restore_from_trash",
    "collect.import_page": "import_paper",
    "collect.import_template": "import_paper",
    "dashboard.overview": "view_indicators",
    "dashboard.indicator": "view_indicators",
    "dashboard.indicator_json": "view_indicators",
    "reports.raw": "raw_export",
    "reports.indicators": "view_indicators",
    "reports.brief": "view_indicators",
    "reports.brief_pdf": "view_indicators",
    "dhis2.export": "view_indicators",  # the published aggregates as a DHIS2 file; a lead gets their regions only
    "review.submissions": "review_submissions",
    "review.submission": "review_submissions",
    "admin.index": "manage_accounts",
    "admin.user_list": "manage_accounts",
    "admin.user_edit": "manage_accounts",
    "admin.user_password": "manage_accounts",
    "admin.region_list": "manage_accounts",
    "admin.facility_edit": "manage_accounts",
    "admin.questionnaire_list": "manage_questionnaires",
    "admin.questionnaire_draft": "manage_questionnaires",
    "admin.questionnaire_preview": "manage_questionnaires",
    "admin.questionnaire_publish": "manage_questionnaires",
    "admin.questionnaire_discard": "manage_questionnaires",
    "admin.questionnaire_retire": "manage_questionnaires",
    "admin.audit_log": "audit_log",
    # OpenRosa (ODK Collect): HTTP Basic on every request, never the session cookie.
    "openrosa.form_list": "collect",
    "openrosa.form_download": "collect",
    "openrosa.submission_preflight": "collect",
    "openrosa.submit": "collect",
    "devices.own_devices": "collect",
    "devices.own_device_revoke": "collect",
    "devices.user_devices": "manage_accounts",
    "devices.user_device_revoke": "manage_accounts",
    "meetings.meeting_list": "manage_actions",
    "meetings.meeting": "view_actions",
    "meetings.agenda_add": "manage_actions",
    "meetings.agenda_remove": "manage_actions",
    "meetings.agenda_move": "manage_actions",
    "meetings.register": "view_actions",
    "actions.register": "view_actions",
    "actions.page": "view_actions",  # then only the actions of the reader's regions (404 otherwise)
    "actions.new": "manage_actions",
    "actions.edit": "manage_actions",
    "actions.change_state": "manage_actions",
    # The token API: a Bearer token on every request, never the session cookie.
    "api.questionnaires": "collect",
    "api.questionnaire_version": "collect",
    "api.submit": "collect",
    "api.my_submissions": "view_own_submissions",
    "api.indicator_table": "view_indicators",
    "api.indicator_csv_export": "view_indicators",
    "api_tokens.own_tokens": SIGNED_IN,
    "api_tokens.own_token_revoke": SIGNED_IN,
    "api_tokens.user_tokens": "manage_accounts",
    "api_tokens.user_token_revoke": "manage_accounts",
    # Cases: a monitor opens only the cases of the reports they filed (404 otherwise), advocates none.
    "cases.case_list": "view_own_submissions",
    "cases.report": "view_own_submissions",
    "cases.page": "view_own_submissions",
    "cases.add_step": "view_own_submissions",  # then a lead's regions, or the monitor who filed it
    "cases.change_state": "manage_cases",
    "cases.withdraw_consent": "manage_cases",
    "warnings.bulletin": "view_warnings",  # then only the reader's regions (404 otherwise)
    "warnings.bulletin_pdf": "view_warnings",
    "warnings.page": "view_warnings",  # then only a current warning of the reader's regions; drafts for those who manage
    "warnings.manage": "manage_warnings",
    "warnings.draft": "manage_warnings",  # then only a report of the lead's regions with consent to a warning
    "warnings.edit": "manage_warnings",
    "warnings.publish": "manage_warnings",
    "warnings.withdraw": "manage_warnings",
}
ALLOWED = {endpoint: set(ROLE_CAPABILITIES) if needs is SIGNED_IN else set(roles_with(needs)) for endpoint, needs in NEEDS.items()}
# What each role could open before capabilities: the table must keep it (no change of behaviour).
BEFORE_CAPABILITIES = {
    "collect": {"monitor", "lead", "admin"}, "view_own_submissions": {"monitor", "lead", "admin"},
    "import_paper": {"lead", "admin"}, "raw_export": {"lead", "admin"}, "view_indicators": {"lead", "advocate", "admin"},
    "manage_accounts": {"admin"}, "audit_log": {"admin"},
}
SAMPLE_ARGS = {"code": "clinic_exit", "submission_id": uuid.UUID(int=7), "number": 1, "user_id": 1, "facility_id": 1, "filename": "cml.css", "version": "0",
               "session_id": "0" * 64, "response_id": 1, "draft_id": 1, "token_id": 1,
               "meeting_id": 1, "action_id": 1, "case_id": 1, "report_id": 1, "warning_id": 1}
ROLES = ("stranger", "monitor", "lead", "advocate", "admin")
JSON_ONLY = "/collect/api/"
"""Routes a JSON client calls: a stranger gets 401 JSON there, never a redirect to a page."""
BASIC_ONLY = "/openrosa/"
"""Routes ODK Collect calls with HTTP Basic: the role's account by its password, a stranger with none (401)."""
BEARER_ONLY = "/api/v1/"
"""The token API: the role's account by a personal access token, a stranger with none (401); a cookie is no credential."""


def routes(app):
    for rule in app.url_map.iter_rules():
        method = "GET" if "GET" in rule.methods else "HEAD" if rule.methods <= {"HEAD", "OPTIONS"} else "POST"
        yield rule, method


def test_the_capability_table_keeps_what_each_role_could_open() -> None:
    for capability, roles in BEFORE_CAPABILITIES.items():
        assert set(roles_with(capability)) == roles, capability


def test_every_endpoint_is_in_the_matrix(app) -> None:
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    assert endpoints - PUBLIC - set(ALLOWED) == set(), "add new routes to ALLOWED deliberately"


@pytest.mark.parametrize("role", ROLES)
def test_role_by_route(client, as_role, app, role) -> None:
    from tests.api.helpers import bearer, token_for

    if role != "stranger":
        as_role(role)
    token = bearer(token_for(app, f"demo-{role}")) if role != "stranger" else {}
    failures = []
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC or rule.endpoint == "auth.logout":
            continue
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{k: SAMPLE_ARGS[k] for k in rule.arguments})
        allowed = role in ALLOWED[rule.endpoint]
        if url.startswith(BASIC_ONLY):
            cookie_only = client.open(url, method=method)  # a signed-in browser's cookie is no OpenRosa credential
            response = client.open(url, method=method, headers=basic(f"demo-{role}") if role != "stranger" else {})
            ok = cookie_only.status_code == 401 and response.status_code == (401 if role == "stranger" else 403 if not allowed else response.status_code)
            ok = ok and response.status_code in (200, 204, 400, 401, 403, 404)
            if not ok:
                failures.append((rule.endpoint, method, url, cookie_only.status_code, response.status_code))
            continue
        if url.startswith(BEARER_ONLY):
            cookie_only = client.open(url, method=method)
            response = client.open(url, method=method, headers=token)
            ok = cookie_only.status_code == 401 and cookie_only.is_json and (response.is_json or response.mimetype == "text/csv")
            ok = ok and response.status_code == (401 if role == "stranger" else 403 if not allowed else response.status_code)
            ok = ok and response.status_code in (200, 400, 401, 403, 404)
            if not ok:
                failures.append((rule.endpoint, method, url, cookie_only.status_code, response.status_code))
            continue
        response = client.open(url, method=method)
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
        refused = client.get(path)
        assert refused.status_code == 404 and "Odesa" not in refused.get_data(as_text=True), path
    own = client.get("/dashboard/?region=kyiv")
    assert own.status_code == 200 and '<option value="kyiv" selected>Kyiv' in own.get_data(as_text=True)


def test_advocates_get_regions_never_facilities(client, as_role) -> None:
    as_role("advocate")
    for region in ("", "&region=kyiv"):
        data = client.get(f"/dashboard/indicator.json?survey=clinic_exit&indicator=hiv_test_offered{region}").get_json()
        assert data["unit"] == "region"
