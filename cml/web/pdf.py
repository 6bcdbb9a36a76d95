"""Printing a page to PDF with headless Chromium on the server (the council brief, the warnings bulletin)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app

PDF_TIMEOUT_SECONDS = 60


def chromium() -> str | None:
    """The server's Chromium, or None (the pages then say to print from the browser)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def standalone_css() -> str:
    """The stylesheet's text, for a page Chromium opens from disk."""
    return (Path(current_app.static_folder or "") / "cml.css").read_text(encoding="utf-8")


def render_pdf(chromium: str, html: str) -> bytes:
    """Print a page to A4 PDF with headless Chromium, after its charts have drawn."""
    with tempfile.TemporaryDirectory(prefix="cml-pdf-") as folder:
        page, pdf, profile = Path(folder, "page.html"), Path(folder, "page.pdf"), Path(folder, "profile")
        page.write_text(html, encoding="utf-8")
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--allow-file-access-from-files", f"--user-data-dir={profile}",
            "--no-pdf-header-footer", "--virtual-time-budget=15000", "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={pdf}", page.as_uri(),
        ]
        subprocess.run(command, check=True, timeout=PDF_TIMEOUT_SECONDS, capture_output=True, env={**os.environ, "HOME": folder})  # noqa: S603
        return pdf.read_bytes()
