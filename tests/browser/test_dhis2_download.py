"""An advocate checks, then downloads, the DHIS2 file on a 360 px phone in Ukrainian: the page fits
the screen, the check tells what the file holds, and the download is a valid dataValueSets payload."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from werkzeug.serving import make_server

from cml.core.dhis2 import datavalueset_schema
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_phone_layout import OVERFLOW

pytestmark = [pytest.mark.browser]
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "dhis2_mapping.example.json"


@pytest.fixture
def mapped_server(make_app, generated, tmp_path):
    folder = tmp_path / "dhis2"
    folder.mkdir()
    (folder / "clinic_exit.json").write_text(EXAMPLE.read_text())
    app = make_app(WTF_CSRF_ENABLED=True, DHIS2_MAPPINGS_DIR=str(folder))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_an_advocate_checks_and_downloads_the_dhis2_file_on_a_phone(browser, mapped_server, tmp_path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, mapped_server, "demo-advocate")
    page.click("form.lang button[value=uk]")
    page.goto(f"{mapped_server}/dhis2/")  # linked from the indicator table page
    assert page.locator("h1").inner_text() == "Файл для DHIS2"
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "dhis2-phone-uk-form")
    page.click("button[value=check]")
    status = page.locator("[role=status]").inner_text()
    assert "значень даних для DHIS2" in status or "значення даних для DHIS2" in status
    assert "Індикатора overall_rating немає у відповідності" in page.content()
    assert page.evaluate(OVERFLOW) == []
    screenshot(page, "dhis2-phone-uk-check")
    with page.expect_download() as download:
        page.click("button[value=download]")
    path = tmp_path / "payload.json"
    download.value.save_as(path)
    payload = json.loads(path.read_text())
    assert download.value.suggested_filename.startswith("cml-clinic_exit-dhis2-")
    assert payload["dataValues"] and list(Draft202012Validator(datavalueset_schema()).iter_errors(payload)) == []
    context.close()
