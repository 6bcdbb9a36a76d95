"""`flask --app cml indicators export`: the council indicator table as a file, for scheduled jobs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask_babel import force_locale

from cml.cli.indicators import group
from cml.config import suppression_threshold
from cml.core.periods import parse_period
from cml.extensions import db
from cml.services import audit
from cml.services.indicator_export import ExportRequest, build
from cml.services.indicator_spreadsheets import indicator_csv, indicator_xlsx

BREAKDOWNS = {"region,period": ("region", "period"), "period": ("period",), "region": ("region",), "none": ()}


@group.command("export")
@click.option("--survey", "code", required=True, help="Questionnaire id, e.g. clinic_exit.")
@click.option("--by", type=click.Choice(sorted(BREAKDOWNS)), default="region,period", show_default=True)
@click.option("--grain", type=click.Choice(["quarter", "year"]), default="quarter", show_default=True,
              help="Published tables go no finer than quarters.")
@click.option("--period", help="One period (e.g. 2026Q3), or FIRST:LAST; all periods by default.")
@click.option("--language", default="en", show_default=True, help="Language of the indicator labels.")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write ('-' for CSV on standard output).")
def export(code: str, by: str, grain: str, period: str | None, language: str, file_format: str, output: Path) -> None:
    """Write the aggregates-only indicator table (small cells withheld), as for advocates."""
    period_range = None
    if period:
        parts = [parse_period(p) for p in period.split(":", 1)]
        if any(p is None or p[0] != grain for p in parts):
            click.echo(f"error: {period!r} is not a {grain} (or FIRST:LAST of them), e.g. 2026Q3", err=True)
            sys.exit(1)
        keys = [p[1] for p in parts if p is not None]
        period_range = (keys[0], keys[-1])
    request = ExportRequest(code=code, by=BREAKDOWNS[by], grain=grain, period_range=period_range, language=language,  # type: ignore[arg-type]
                            k=suppression_threshold())
    try:
        result = build(request)
    except LookupError:
        click.echo(f"error: no published questionnaire {code!r}", err=True)
        sys.exit(1)
    except ValueError as problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    with force_locale(language):
        data = indicator_csv(result) if file_format == "csv" else indicator_xlsx(result, "command line")
    if str(output) == "-":
        if file_format != "csv":
            click.echo("error: only CSV can go to standard output", err=True)
            sys.exit(1)
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
    audit.record("export.indicators", None, target=code, format=file_format, breakdown=by, rows=len(result.rows), username="command line")
    db.session.commit()
    click.echo(f"{len(result.rows)} rows written to {output}", err=True)
