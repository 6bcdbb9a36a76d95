from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cml.core.questionnaire import Questionnaire, check_bytes, check_warnings
from cml.extensions import db
from cml.services import surveys
from cml.settings import settings

group = AppGroup("surveys", help="Check and publish questionnaires.")


def surveys_dir() -> Path:
    configured = settings().surveys_dir
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


@group.command("import-xlsform")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the questionnaire JSON to this file (default: print it).")
def import_xlsform(path: Path, output: Path | None) -> None:
    """Read an XLSForm (.xlsx) into a questionnaire JSON file; every problem on its own line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        click.echo(f"{path}: cannot read the file: {error.strerror}")
        sys.exit(1)
    from cml.core.xlsform import read_xlsform  # pyxform and openpyxl only when a workbook is read

    result = read_xlsform(data)
    if result.questionnaire is None:
        for problem in result.problems:
            click.echo(f"{path}: {problem.format()}")
        click.echo(f"{len(result.problems)} problem(s); nothing written", err=True)
        sys.exit(1)
    text = json.dumps(result.questionnaire, ensure_ascii=False, indent=2) + "\n"
    for warning in check_warnings(text.encode()):
        click.echo(warning.format(str(output or path)), err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    document = result.questionnaire
    count = sum(len(section["questions"]) for section in document["sections"])
    click.echo(f"{output}: {document['id']} version {document['version']}: {len(document['sections'])} sections, "
               f"{count} questions, {len(document.get('indicators', []))} indicators; check it, then publish it")


@group.command("export-xlsform")
@click.argument("source")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The .xlsx file to write.")
@click.option("--version", "number", type=int, help="A published version (default: the latest).")
def export_xlsform(source: str, output: Path, number: int | None) -> None:
    """Write a questionnaire (a published CODE, or a FILE.json) as an XLSForm .xlsx."""
    path = Path(source)
    if source.endswith(".json") or path.is_file():
        try:
            data = path.read_bytes()
        except OSError as error:
            click.echo(f"{path}: $: cannot read the file: {error.strerror}")
            sys.exit(1)
        questionnaire, problems = check_bytes(data)
        if questionnaire is None:
            for problem in problems:
                click.echo(problem.format(str(path)))
            sys.exit(1)
        document = json.loads(data)
    else:
        version = surveys.version_of(source, number)
        if version is None:
            click.echo(f"{source}: no such published questionnaire{f' version {number}' if number else ''}; "
                       "give a questionnaire code (flask --app cml surveys check lists the files) or a .json file")
            sys.exit(1)
        document = json.loads(version.content)
    from cml.core.xlsform import write_xlsform  # XlsxWriter only when a workbook is written

    output.write_bytes(write_xlsform(document))
    click.echo(f"{output}: {document['id']} version {document['version']} as XLSForm (survey, choices, settings, indicators)")
