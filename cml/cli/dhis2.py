"""`flask --app cml dhis2 …`: check a mapping file, export the published indicator table as a
DHIS2 dataValueSets payload, and optionally push it to the DHIS2 server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from cml.config import suppression_threshold
from cml.core.dhis2 import Dhis2Mapping
from cml.core.periods import period_label, read_period
from cml.extensions import db
from cml.services import audit, dhis2

group = AppGroup("dhis2", help="DHIS2: check mapping files, export and push the published indicator table.")


@group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Check DHIS2 mapping files: their format, then what they name in this database."""
    lines = []
    for path in paths:
        mapping, problems = dhis2.load_mapping(path)
        if mapping is not None:
            problems = dhis2.database_problems(mapping)
        lines += [p.format(str(path)) for p in problems]
        if mapping is not None and not problems:
            click.echo(f"{path}: OK: questionnaire {mapping.questionnaire}, data set {mapping.data_set}, {mapping.period_type}, "
                       f"{len(mapping.indicators)} indicator(s), {len(mapping.regions)} region(s)"
                       f"{', the nation' if mapping.national else ''}")
    for line in lines:
        click.echo(line)
    if lines:
        click.echo(f"{len(lines)} problem(s)", err=True)
        sys.exit(1)


def _mapping_or_exit(path: Path, code: str | None) -> Dhis2Mapping:
    mapping, problems = dhis2.load_mapping(path)
    if mapping is not None:
        problems = dhis2.database_problems(mapping)
    if mapping is None or problems:
        for problem in problems:
            click.echo(problem.format(str(path)), err=True)
        sys.exit(1)
    if code is not None and code != mapping.questionnaire:
        click.echo(f"error: {path} maps questionnaire {mapping.questionnaire!r}, not {code!r}", err=True)
        sys.exit(1)
    return mapping


def _period_range(mapping: Dhis2Mapping, first: str | None, last: str | None) -> tuple[int, int] | None:
    if not first and not last:
        return None
    keys = []
    for text in (first or last, last or first):
        key = read_period(text or "", mapping.grain)
        if key is None:
            example = "2026Q3" if mapping.grain == "quarter" else "2026"
            click.echo(f"error: {text!r} is not a period such as {example}", err=True)
            sys.exit(1)
        keys.append(key)
    if keys[0] > keys[1]:
        click.echo(f"error: --to {period_label(keys[1], mapping.grain)} comes before --from {period_label(keys[0], mapping.grain)}", err=True)
        sys.exit(1)
    return keys[0], keys[1]


@group.command("export")
@click.option("--mapping", "mapping_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The mapping file (JSON).")
@click.option("--questionnaire", "code", help="Questionnaire id; must be the mapping's (which is used by default).")
@click.option("--from", "first", help="First period, e.g. 2026Q1 (a year for a Yearly mapping).")
@click.option("--to", "last", help="Last period.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write the payload to ('-' for standard output).")
@click.option("--push", is_flag=True, help="POST the payload to the server's /api/dataValueSets.")
@click.option("--dry-run", is_flag=True, help="With --push: DHIS2 checks the values and stores nothing.")
@click.option("--server", help="DHIS2 base URL, instead of the mapping's \"server\".")
def export(mapping_path: Path, code: str | None, first: str | None, last: str | None, output: Path | None, push: bool, dry_run: bool,
           server: str | None) -> None:
    """Write (and push) the published indicator table as a DHIS2 dataValueSets payload.

    Only figures that pass disclosure control go in, for regions and the nation; withheld
    cells are absent. A push then deletes in DHIS2 every mapped number of the periods sent
    that CML does not publish now (withheld, or without data). Credentials for --push come
    from DHIS2_TOKEN (a personal access token) or DHIS2_USERNAME and DHIS2_PASSWORD, never
    from the mapping file.
    """
    if output is None and not push:
        click.echo("error: give -o FILE, --push, or both", err=True)
        sys.exit(1)
    if dry_run and not push:
        click.echo("error: --dry-run goes with --push", err=True)
        sys.exit(1)
    mapping = _mapping_or_exit(mapping_path, code)
    period_range = _period_range(mapping, first, last)
    credentials, base = None, (server or mapping.server or "").rstrip("/")
    if push:  # refuse before any work when the push cannot happen
        credentials = dhis2.credentials_from()
        problem = "no server: give --server or \"server\" in the mapping" if not base else dhis2.check_server(base)
        if credentials is None:
            problem = problem or f"no credentials: set {dhis2.TOKEN_VARIABLE}, or {dhis2.USER_VARIABLE} and {dhis2.PASSWORD_VARIABLE}"
        if problem:
            click.echo(f"error: {problem}", err=True)
            sys.exit(1)
    try:
        payload = dhis2.export_payload(mapping, region_ids=None, period_range=period_range, k=suppression_threshold())
    except (LookupError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    for warning in payload.warnings:
        click.echo(f"warning: {warning.text()}", err=True)
    text = json.dumps(payload.document, ensure_ascii=False, indent=1) + "\n"
    if output is not None:
        if str(output) == "-":
            click.echo(text, nl=False)
        else:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as error:
                click.echo(f"error: cannot write {output}: {error.strerror or error}", err=True)
                sys.exit(1)
    audit.record("export.dhis2", None, target=mapping.questionnaire, data_set=mapping.data_set, values=payload.values,
                 withheld=payload.withheld, username="command line")
    db.session.commit()
    click.echo(f"{payload.values} data value(s) of {mapping.questionnaire} for data set {mapping.data_set}"
               f"{f' written to {output}' if output is not None and str(output) != '-' else ''}; "
               f"{payload.withheld} withheld cell(s) left out", err=True)
    if push and credentials is not None:
        _push(payload.document, "CREATE_AND_UPDATE", mapping, base, credentials, dry_run)
        if payload.retractions:
            # DHIS2 keeps what it was sent: a number published before and withheld (or without data) now is taken out.
            click.echo(f"retracting {len(payload.retractions)} number(s) CML does not publish now (withheld, or without data)")
            _push(payload.retraction_document(), "DELETE", mapping, base, credentials, dry_run)


def _push(document: dict[str, object], strategy: dhis2.ImportStrategy, mapping: Dhis2Mapping, base: str, credentials: dhis2.Credentials,
          dry_run: bool) -> None:
    """One import into DHIS2, audited (never the credentials) and reported; exit 1 when it fails."""
    action = "export.dhis2_push" if strategy == "CREATE_AND_UPDATE" else "export.dhis2_retract"
    try:
        result = dhis2.push(document, base, credentials, dry_run=dry_run, strategy=strategy)
    except dhis2.PushError as error:
        audit.record(action, None, target=mapping.questionnaire, data_set=mapping.data_set, server=base, outcome="failed",
                     dry_run=dry_run, credentials=credentials.kind, username="command line")
        db.session.commit()
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    audit.record(action, None, target=mapping.questionnaire, data_set=mapping.data_set, server=base, outcome=result.status,
                 dry_run=dry_run, imported=result.imported, updated=result.updated, ignored=result.ignored, deleted=result.deleted,
                 conflicts=result.conflict_count, credentials=credentials.kind, username="command line")
    db.session.commit()
    for line in result.lines():
        click.echo(line)
    if result.status.upper() == "ERROR":
        sys.exit(1)
