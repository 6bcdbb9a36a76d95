"""Every page a role may open is reachable by following links from its home page: walk the
rendered pages as each role and compare with the role x route matrix of test_access_matrix."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from tests.web.endpoints import for_programs, is_html_page
from tests.web.test_access_matrix import ALLOWED

# Pages no menu should link to (besides what answers programs, tests/web/endpoints.py): steps of an interview
# begun by a POST (start, then its pages, review, receipt, and "Continue" of an unfinished one). One submission's
# pages (review, correction, withdrawal) are links of its row or page: this world has no submissions
# (tests/web/test_review.py follows them).
NOT_PAGES = {"collect.page", "collect.review", "collect.receipt", "collect.resume", "review.submission", "collect.correct", "collect.withdraw",
             # One action's pages are links of its row in the register, and "Open an action" a link of a figure:
             # this world has neither (tests/web/test_actions_pages.py follows them).
             "actions.page", "actions.edit", "actions.new", "meetings.meeting",
             # One case's pages are links of its row in the cases list: this world has no incident report (tests/web/test_cases.py).
             "cases.report", "cases.page",
             # One warning's pages are links of the bulletin and of the lead's list: this world has no warnings
             # (tests/web/test_warnings.py and tests/browser/test_warning_loop.py follow them).
             "warnings.page", "warnings.edit",
             "admin.questionnaire_draft", "admin.questionnaire_preview"}  # a draft's pages: linked once one is uploaded (test_questionnaire_authoring)
VISITS_PER_ENDPOINT = 3  # enough to leave a paged or filtered page by its links


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def pages_for(app, role: str) -> set[str]:
    """The endpoints a role may GET, by the access matrix."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and role in ALLOWED.get(rule.endpoint, set()) and rule.endpoint not in NOT_PAGES
            and not for_programs(rule.endpoint)}


def walk(client, app) -> set[str]:
    """Endpoints reached by following <a href> links from the home page."""
    adapter = app.url_map.bind("localhost")
    reached: dict[str, int] = {}
    seen: set[str] = set()
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        try:
            endpoint, _ = adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            continue
        if for_programs(endpoint) or reached.get(endpoint, 0) >= VISITS_PER_ENDPOINT:
            continue
        reached[endpoint] = reached.get(endpoint, 0) + 1
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200 or not is_html_page(endpoint):  # a download: its link is followed, not its content
            continue
        parser = Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            href = urldefrag(href)[0]
            if href.startswith("/") and not href.startswith("//") and href not in seen:
                seen.add(href)
                queue.append(href)
    return set(reached)


@pytest.mark.parametrize("role", ["monitor", "lead", "advocate", "admin"])
def test_every_page_a_role_may_open_is_in_reach_of_its_menu(client, app, as_role, role) -> None:
    as_role(role)
    assert pages_for(app, role) - walk(client, app) == set()


def test_the_advocate_reaches_the_indicator_export_and_the_brief(client, app, as_role) -> None:
    as_role("advocate")
    reached = walk(client, app)
    assert {"reports.indicators", "reports.brief", "reports.brief_pdf"} <= reached
