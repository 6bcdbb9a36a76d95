from __future__ import annotations

import click
from flask.cli import AppGroup

from cml.cli.surveys import surveys_dir
from cml.extensions import db
from cml.services import demo

group = AppGroup("demo", help="Demonstration data.")


@group.command("load")
def load() -> None:
    """Load 8 demo regions of Ukraine, publish the shipped questionnaires, create one account per role."""
    accounts = demo.load_demo(surveys_dir())
    db.session.commit()
    click.echo("Demo loaded. Sign in with one of these accounts (passwords are new on every load):")
    width = max(len(a.username) for a in accounts)
    for account in accounts:
        click.echo(f"  {account.role:<9} {account.username:<{width}}  {account.password}")
