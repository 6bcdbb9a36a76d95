from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

from cml.core.periods import GRAINS, parse_period
from cml.extensions import db
from cml.services import estimates, indicators

group = AppGroup("indicators", help="Indicator facts and estimates.")


@group.command("rebuild")
@click.option("--survey", "code", help="Questionnaire id, e.g. clinic_exit (all questionnaires by default).")
def rebuild(code: str | None) -> None:
    """Recompute the indicator facts of every response with the current definitions, in batches."""
    try:
        versions = indicators.rebuild_plan(code)
    except LookupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    total = indicators.responses_of(versions)
    done = deleted = inserted = 0
    started = time.perf_counter()
    with click.progressbar(length=total, label="rebuilding facts", file=sys.stderr) as bar:
        for batch in indicators.rebuild(versions):
            db.session.commit()  # one batch, one transaction: no response is ever seen without facts
            done, deleted, inserted = done + batch.responses, deleted + batch.facts_deleted, inserted + batch.facts_inserted
            bar.update(batch.responses)
    seconds = time.perf_counter() - started
    click.echo(
        f"rebuilt {done} responses of {len(versions)} questionnaire version(s): "
        f"{deleted} facts removed, {inserted} written ({seconds:.1f} s)"
    )


@group.command("table")
@click.argument("code")
@click.option("--by", default="region,period", show_default=True, help="Comma-separated: region, facility, period (or 'none').")
@click.option("--grain", type=click.Choice(GRAINS), default="quarter", show_default=True)
@click.option("--from", "first", help="First period, e.g. 2025Q1, 2025-01 or 2025, at the grain.")
@click.option("--to", "last", help="Last period, at the grain.")
@click.option("--indicator", "indicator_ids", multiple=True, help="Indicator id; repeat for several (all by default).")
def table(code: str, by: str, grain: str, first: str | None, last: str | None, indicator_ids: tuple[str, ...]) -> None:
    """Print an indicator table (tab-separated): n, estimate, interval, verdict, change."""
    dims = tuple(d.strip() for d in by.split(",") if d.strip() and d.strip() != "none")
    period_range = None
    if first or last:
        keys = []
        for text in (first or last, last or first):
            parsed = parse_period(text or "")
            if parsed is None or parsed[0] != grain:
                click.echo(f"error: {text!r} is not a {grain} such as 2025Q1, 2025-01 or 2025", err=True)
                sys.exit(1)
            keys.append(parsed[1])
        period_range = (keys[0], keys[1])
    started = time.perf_counter()
    try:
        result = estimates.estimate_cells(code, indicator_ids or None, dims, grain, period_range)  # type: ignore[arg-type]
    except (LookupError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    seconds = time.perf_counter() - started
    click.echo("\t".join(["indicator", "region", "facility", "period", "n", "estimate", "lower", "upper", "method", "verdict", "change"]))
    for row in result:
        scale = 100.0 if row.kind == "proportion" else 1.0
        verdict = f"{row.verdict}{' (clear)' if row.clear else ''}" if row.verdict else ""
        change = ""
        if row.change is not None:
            change = f"{row.change.estimate * scale:+.1f} [{row.change.lower * scale:+.1f}, {row.change.upper * scale:+.1f}]"
            change += " clear" if row.change.clear else ""
        click.echo("\t".join(str(v) for v in [
            row.indicator, row.region_id or "", row.facility_id or "", row.period_label or "", row.n,
            f"{row.estimate * scale:.1f}", f"{row.lower * scale:.1f}", f"{row.upper * scale:.1f}", row.method, verdict, change,
        ]))  # fmt: skip
    click.echo(f"{len(result)} cells in {seconds:.2f} s", err=True)
