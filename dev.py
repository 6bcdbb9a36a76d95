#!/usr/bin/env python3
"""Set up and run CML on a machine that has only Python 3.11+.

    python3 dev.py start   # venv, install, translations, database, demo; serves on http://127.0.0.1:5000
    python3 dev.py test    # venv, install with test extras, translations; lint, types, the test suite

Uses only the standard library, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CML_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env={**os.environ, **(env or {})})  # noqa: S603


def ensure_venv(extras: str) -> None:
    """Create the virtual environment and install the package, skipping work already done."""
    if sys.version_info < (3, 11):  # noqa: UP036  (this script may be started by an older python3)
        sys.exit(f"CML needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".cml-installed-{extras or 'base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]" if extras else ".")
    stamp.write_text(wanted)


def flask(*args: str) -> None:
    run(PYTHON, "-m", "flask", "--app", "cml", *args)


def flask_output(*args: str) -> str:
    """Run a flask command, show its output and return it."""
    print("+ flask --app cml", " ".join(args), flush=True)
    result = subprocess.run([str(PYTHON), "-m", "flask", "--app", "cml", *args], cwd=ROOT, check=True, capture_output=True, text=True)  # noqa: S603
    print(result.stdout, end="", flush=True)
    return result.stdout


def compile_translations() -> None:
    if (ROOT / "cml" / "translations").is_dir():
        flask("translate", "compile")


def start() -> None:
    ensure_venv("")
    compile_translations()
    flask("db", "upgrade")
    accounts = flask_output("demo", "load")
    responses = os.environ.get("CML_DEMO_RESPONSES", "6000")
    if responses != "0":
        flask("demo", "generate", "--responses", responses, "--if-empty")
    host, port = os.environ.get("CML_HOST", "127.0.0.1"), os.environ.get("CML_PORT", "5000")
    print(f"\nCML is running on http://{host}:{port}/ (Ctrl+C stops it).\n{accounts}", flush=True)
    flask("run", "--host", host, "--port", port)


def test(pytest_args: list[str]) -> None:
    ensure_venv("test")
    compile_translations()
    run(BIN / "ruff", "check", "cml", "tests", "dev.py")
    run(BIN / "mypy")  # strict, over the whole package: pyproject.toml's [tool.mypy]
    run(PYTHON, "-m", "pytest", *pytest_args)


def main() -> None:
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    try:
        if command == "start":
            start()
        elif command == "test":
            test(rest)
        else:
            sys.exit(__doc__)
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
