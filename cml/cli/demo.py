from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

from cml.cli.surveys import surveys_dir
from cml.extensions import db
from cml.services import demo, demo_actions, demo_cases, demo_data

group = AppGroup("demo", help="Demonstration data.")


@group.command("load")
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts that already exist new passwords.")
def load(reset_passwords: bool) -> None:
    """Load 8 demo regions of Ukraine, publish the shipped questionnaires, create one account per role.

    Existing demo accounts keep their passwords unless --reset-passwords."""
    accounts = demo.load_demo(surveys_dir(), reset_passwords=reset_passwords)
    db.session.commit()
    _demo_actions()
    click.echo("Demo loaded. Sign in with one of these accounts:")
    width = max(len(a.username) for a in accounts)
    for account in accounts:
        password = account.password or "(password unchanged)"
        click.echo(f"  {account.role:<9} {account.username:<{width}}  {password}")
    if any(a.password is None for a in accounts):
        click.echo("Forgotten a password? flask --app cml demo load --reset-passwords gives the demo accounts new ones.")


@group.command("generate")
@click.option("--responses", "total", type=click.IntRange(min=0), required=True, help="How many responses to add.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same responses.")
@click.option("--if-empty", is_flag=True, help="Do nothing when any response is already stored.")
def generate(total: int, seed: int, if_empty: bool) -> None:
    """Generate realistic clustered responses to the shipped questionnaires over the last 8 quarters."""
    if if_empty and demo_data.has_responses():
        click.echo("responses already exist; nothing generated")
        return
    stored = duplicates = conflicts = 0
    started = time.perf_counter()
    try:
        with click.progressbar(length=total, label="generating responses", file=sys.stderr) as bar:
            for chunk in demo_data.generate(total, seed):
                db.session.commit()
                stored, duplicates, conflicts = stored + chunk.stored, duplicates + chunk.duplicates, conflicts + chunk.conflicts
                bar.update(chunk.size)
    except demo_data.DemoDataError as error:
        db.session.rollback()
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    seconds = time.perf_counter() - started
    rate = stored / seconds if seconds > 0 else 0.0
    click.echo(
        f"{stored} responses added, {duplicates} already there"
        + (f", {conflicts} conflicting (stored earlier with other answers, left as they were)" if conflicts else "")
        + f" in {seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    _demo_actions()


def _demo_actions() -> None:
    """Open the demo actions once there are figures to rest them on (see `cml.services.demo_actions`)."""
    opened = demo_actions.ensure_demo_actions()
    db.session.commit()
    if opened:
        click.echo(f"{opened} demo actions opened on missed targets (see /actions/).")
    cases_opened = demo_cases.ensure_demo_cases()
    db.session.commit()
    if cases_opened:
        click.echo(f"{cases_opened} demo incident cases opened with follow-up steps (see /cases/).")
