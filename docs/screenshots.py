"""Regenerate the README's screenshots: `.venv/bin/python docs/screenshots.py` (needs Chromium).

A throw-away database with the demo and 3,000 generated responses, served on a free loopback
port; a lead's indicator page on a desktop and a monitor's form on a 360-pixel phone, in
Ukrainian, written to docs/*.png.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from cml import create_app  # noqa: E402
from cml.extensions import db  # noqa: E402
from cml.services import demo, demo_data, users  # noqa: E402

PASSWORD = secrets.token_urlsafe(16)  # a throw-away database; the accounts die with it
SHOTS = {  # file: (account, viewport, path)
    "dashboard.png": ("demo-lead", {"width": 1280, "height": 900},
                      f"/dashboard/indicator?survey=clinic_exit&indicator=hiv_test_offered&grain=year&period={date.today().year - 1}"),
    "form-phone.png": ("demo-monitor", {"width": 360, "height": 740}, None),
}


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is needed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cml.sqlite3", "INSTANCE_PATH": folder,
                          "SURVEYS_DIR": str(ROOT / "surveys"), "SECRET_KEY": "screenshots"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            demo.load_demo(ROOT / "surveys")
            for username in ("demo-lead", "demo-monitor"):
                users.set_password(users.find_user(username), PASSWORD, None)
            db.session.commit()
            for _ in demo_data.generate(3000, seed=1, workers=0):
                db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for name, (account, viewport, path) in SHOTS.items():
                page = browser.new_context(viewport=viewport, locale="uk-UA").new_page()
                page.goto(f"{base}/login?lang=uk")
                page.fill("#username", account)
                page.fill("#password", PASSWORD)
                page.click("button.primary")
                page.wait_for_url(f"{base}/")
                if path is None:  # a form: start an interview, the first page of questions
                    page.goto(f"{base}/collect/clinic_exit/")
                    page.click("button.primary")
                    page.wait_for_url("**/collect/d/**")
                else:
                    page.goto(base + path)
                    page.wait_for_timeout(1500)  # the charts draw
                page.screenshot(path=str(ROOT / "docs" / name), full_page=path is None)
                print("wrote", ROOT / "docs" / name)
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
