"""The council brief printed by headless Chromium: a PDF per language, and PNGs to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_brief_pdf_and_pictures_in_each_language(browser, live_server, generated, client, as_role) -> None:
    as_role("advocate")
    SCREENSHOTS.mkdir(exist_ok=True)
    for language in ("en", "uk", "ru"):
        client.post("/language", data={"lang": language})
        response = client.get("/reports/brief.pdf?survey=clinic_exit")
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF") and len(response.data) > 20_000
        (SCREENSHOTS / f"brief-{language}.pdf").write_bytes(response.data)
    page = browser.new_page(viewport={"width": 1024, "height": 1400})
    sign_in(page, live_server, "demo-advocate")
    for language in ("en", "uk", "ru"):
        page.goto(f"{live_server}/")
        page.click(f"form.lang button[value={language}]")  # the saved choice beats ?lang=
        page.goto(f"{live_server}/reports/brief?survey=clinic_exit")
        assert page.locator("html").get_attribute("lang") == language
        page.wait_for_selector(".chart .main-svg")
        screenshot(page, f"brief-{language}")
    page.close()


def words_per_page(pdf: bytes, folder: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """(width, height, words as (x0, y0, x1, y1, text)) per page, from poppler's pdftotext."""
    source, out = folder / "brief.pdf", folder / "brief.html"
    source.write_bytes(pdf)
    subprocess.run(["pdftotext", "-bbox", str(source), str(out)], check=True, timeout=60)  # noqa: S603, S607
    pages = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out.read_text(encoding="utf-8"), re.S):
        words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page[2])]
        pages.append((float(page[0]), float(page[1]), words))
    return pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_the_brief_pdf_fills_its_first_page_and_its_table_fits_a4(browser, generated, client, as_role, tmp_path, language) -> None:
    as_role("advocate")
    client.post("/language", data={"lang": language})
    response = client.get("/reports/brief.pdf?survey=clinic_exit")
    assert response.status_code == 200
    pages = words_per_page(response.data, tmp_path)
    width, height, first = pages[0]
    assert round(width) == 595 and round(height) == 842  # A4
    assert max(w[3] for w in first) > 0.75 * height, "the first page is mostly empty"
    for page_width, _height, words in pages:
        assert all(w[2] <= page_width - 25 for w in words), [w[4] for w in words if w[2] > page_width - 25]  # inside the 12 mm margin
