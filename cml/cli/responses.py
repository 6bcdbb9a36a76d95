from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from cml.extensions import db
from cml.services import imports, surveys
from cml.web.answer_messages import error_message

group = AppGroup("responses", help="Responses.")


@group.command("import")
@click.option("--survey", "code", required=True, help="Questionnaire id, e.g. clinic_exit.")
@click.option("--version", "number", type=click.IntRange(min=1), help="The questionnaire version the paper forms were printed from (default: the latest).")
@click.option("--skip-invalid", is_flag=True, help="Store the valid rows even when some rows are bad.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(code: str, number: int | None, skip_invalid: bool, path: Path) -> None:
    """Import paper forms typed into a CSV file; nothing is stored unless every row is valid."""
    version = surveys.version_of(code, number)
    questionnaire = surveys.model_of(version) if version else None
    report = imports.import_csv(
        path.read_bytes(), code, None, lambda error: error_message(error, questionnaire, "en") if questionnaire else error.code, skip_invalid,
        version_number=number,
    )
    if report.file_problem:
        click.echo(f"{path}: {report.file_problem}")
        _record_failure(report, code)
        sys.exit(1)
    for problem in report.problems:
        click.echo(f"{path}: row {problem.row}, column {problem.column or '-'}: {problem.reason}")
    if report.more_problems:
        click.echo(f"{path}: ... and {report.more_problems} more problem(s) not listed")
    if report.stopped_at:
        click.echo(f"{path}: reading stopped after row {report.stopped_at}: far too many problems; is it the right file?")
    if report.problems and not skip_invalid:
        _record_failure(report, code)
        click.echo(f"{report.problem_count} problem(s) in {report.rows - report.valid} of {report.rows} rows; nothing stored (use --skip-invalid to store the {report.valid} valid rows)")
        sys.exit(1)
    db.session.commit()
    click.echo(f"{report.rows} rows: {report.stored} stored, {report.duplicates} already imported, {report.rows - report.valid} invalid")


def _record_failure(report: imports.ImportReport, code: str) -> None:
    db.session.rollback()
    imports.record_failure(report, code, None)
    db.session.commit()
