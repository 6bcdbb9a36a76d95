from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cml.core.questionnaire import Questionnaire, check_bytes, check_warnings
from cml.extensions import db
from cml.services import surveys

group = AppGroup("surveys", help="Check and publish questionnaires.")


def surveys_dir() -> Path:
    configured = current_app.config.get("SURVEYS_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "surveys"


def _read(path: Path) -> tuple[Questionnaire | None, list[str], list[str]]:
    """The questionnaire (None when invalid), its problems and its warnings, as output lines."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [f"{path}: $: cannot read the file: {error.strerror}"], []
    questionnaire, problems = check_bytes(data)
    return questionnaire, [p.format(str(path)) for p in problems], [w.format(str(path)) for w in check_warnings(data)]


@group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files (all of surveys/ by default); every problem on its own line."""
    files = list(paths) or sorted(surveys_dir().glob("*.json"))
    if not files:
        click.echo("no questionnaire files found", err=True)
        sys.exit(1)
    good, lines, warnings = [], [], []
    for path in files:
        questionnaire, problems, cautions = _read(path)
        lines += problems
        warnings += cautions
        if questionnaire is not None:
            good.append(questionnaire)
    for line in warnings:  # a warning does not fail the check
        click.echo(line, err=True)
    for line in lines:
        click.echo(line)
    if lines:
        click.echo(f"{len(lines)} problem(s) in {len(files) - len(good)} of {len(files)} file(s)", err=True)
        sys.exit(1)
    summary = ", ".join(
        f"{q.id} v{q.version} ({len(q.sections)} sections, {len(q.questions)} questions, {len(q.indicators)} indicators)" for q in good
    )
    click.echo(f"{len(good)} questionnaire(s) OK: {summary}")


@group.command("publish")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def publish(paths: tuple[Path, ...]) -> None:
    """Publish questionnaire files as new versions (refused with the check's messages when invalid)."""
    failed = False
    for path in paths:
        try:
            data = path.read_bytes()
            published = surveys.publish(data)
        except OSError as error:
            click.echo(f"{path}: $: cannot read the file: {error.strerror}")
            failed = True
            continue
        except surveys.PublishError as error:
            db.session.rollback()
            for problem in error.problems:
                click.echo(problem.format(str(path)))
            failed = True
            continue
        db.session.commit()
        version = published.version
        state = "published" if published.created else "already published, unchanged"
        click.echo(f"{path}: {version.questionnaire.code} version {version.version} {state} ({version.content_hash[:12]})")
    if failed:
        sys.exit(1)
