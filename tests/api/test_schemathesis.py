"""schemathesis over the whole API against a live server, from its own OpenAPI document, as a lead and
as an advocate: no server error, and every status, content type, header and body as documented.

Property-based: valid and invalid parameters and bodies (mode "all"), the documented examples, the
coverage phase's boundary values and a small fuzzing budget per operation (CI time matters).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.api.helpers import token_for

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
MAX_EXAMPLES = 10


@pytest.fixture
def server(app, world) -> Iterator[str]:
    from cml.extensions import db
    from cml.services import demo_data

    with app.app_context():  # some figures to publish and to withhold
        for _ in demo_data.generate(120, seed=5):
            db.session.commit()
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()
    thread.join(timeout=5)


def _schemathesis() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if found is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("role", ["lead", "advocate"])
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, server, role, tmp_path) -> None:
    token = token_for(app, f"demo-{role}", days=1)
    command = [_schemathesis(), "run", f"{server}/api/v1/openapi.json", "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
               "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--seed", "21", "--no-color", "--generation-database", "none",
               "--header", f"Authorization: Bearer {token}", "--request-timeout", "30", "--suppress-health-check", "all",
               "--report", "junit", "--report-dir", str(tmp_path)]
    started = time.monotonic()
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"}, check=False)
    summary = ran.stdout.replace(token, "<token>")
    print(f"schemathesis as {role} in {time.monotonic() - started:.1f} s:\n{summary}")  # what it ran (pytest -s, or on failure)
    assert ran.returncode == 0, summary[-6000:] + ran.stderr[-2000:]
    assert "Server error" not in summary
