"""Each role's main pages at a phone's 360 px and at desktop width, in English, Ukrainian and
Russian: nothing wider than the screen unless inside its own scrolling box, no word split
across lines by a squeezed column. Screenshots are
saved to screenshots/ to look at."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update

from cml.extensions import db
from cml.models import Response, User
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = {"phone": 360, "desktop": 1280}
YEAR = date.today().year - 1
DASHBOARD = ["/dashboard/?survey=clinic_exit", f"/dashboard/indicator?survey=clinic_exit&indicator=hiv_test_offered&grain=year&period={YEAR}"]
REPORTS = ["/reports/indicators", "/reports/brief?survey=clinic_exit"]
PAGES = {
    "monitor": ["/", "/collect/mine", "RECEIPT", "/collect/clinic_exit/"],
    "lead": ["/", *DASHBOARD, *REPORTS, "/collect/mine", "/collect/import", "/reports/raw"],
    "advocate": ["/", *DASHBOARD, *REPORTS],
    "admin": ["/admin/", "/admin/users", "/admin/audit", "/admin/questionnaires", "/admin/regions"],
}

OVERFLOW = """() => {
  const width = window.innerWidth, found = [];
  if (document.documentElement.scrollWidth > width) found.push("page " + document.documentElement.scrollWidth + " > " + width);
  const scrolls = el => { for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= 0 || (box.left >= -1 && box.right <= width + 1)) continue;  // off to the left: a measuring helper, no scroll
    if (!scrolls(el)) found.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? "." + el.className : "") +
                                 " " + Math.round(box.left) + ".." + Math.round(box.right) + " " + (el.textContent || "").trim().slice(0, 30));
  }
  return found.slice(0, 8);
}"""

BROKEN_WORDS = r"""() => {
  // Words split across lines mid-word: a column squeezed until its text reads a few letters a line.
  const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let checked = 0;
  for (let node = walker.nextNode(); node && checked < 4000; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("code, svg, script, style, noscript, .visually-hidden, option, select") || !parent.getClientRects().length) continue;
    const re = /[^\s\-–—\/]{2,}/g;
    for (let m = re.exec(node.data); m && checked < 4000; m = re.exec(node.data)) {
      checked++;
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) found.push("broken word: " + m[0]);
    }
  }
  return found.slice(0, 8);
}"""


@pytest.fixture
def receipts(app: Any, generated: None) -> str:
    """Some generated interviews handed to the demo monitor: their list and a receipt to show."""
    with app.app_context():
        monitor = db.session.scalar(select(User).where(User.username == "demo-monitor"))
        ids = db.session.scalars(select(Response.id).order_by(Response.id).limit(12)).all()
        db.session.execute(update(Response).where(Response.id.in_(ids)).values(submitted_by_id=monitor.id))
        db.session.commit()
        submission = db.session.scalar(select(Response.submission_id).where(Response.id == ids[0]))
    return f"/collect/receipt/{submission}"


@pytest.mark.parametrize("role", list(PAGES))
def test_every_main_page_fits_a_phone_and_a_desktop_in_each_language(browser, live_server, receipts, role) -> None:
    problems: list[str] = []
    for device, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, live_server, f"demo-{role}")
        for language in ("en", "uk", "ru"):
            page.goto(f"{live_server}/")
            page.click(f"form.lang button[value={language}]")
            for index, path in enumerate(PAGES[role]):
                response = page.goto(f"{live_server}{receipts if path == 'RECEIPT' else path}")
                assert response is not None and response.status == 200, (path, response and response.status)
                if page.locator(".chart[data-figure]").count():
                    page.wait_for_function("[...document.querySelectorAll('.chart[data-figure]')].every(c => c.querySelector('.main-svg'))")
                for found in page.evaluate(OVERFLOW) + page.evaluate(BROKEN_WORDS):
                    problems.append(f"{role} {device} {language} {path}: {found}")
                screenshot(page, f"layout-{role}-{device}-{language}-{index}")
        context.close()
    assert not problems, "\n".join(problems)
