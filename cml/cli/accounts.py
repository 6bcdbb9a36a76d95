from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from cml.extensions import db
from cml.models import ROLES
from cml.services import regions, users

group = AppGroup("users", help="User accounts.")


def read_password() -> str:
    """From a hidden prompt on a terminal, else the first line of standard input; never a flag."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--region", "region_codes", multiple=True, help="Region code; repeat for several.")
def create(username: str, role: str, region_codes: tuple[str, ...]) -> None:
    """Create an account; the password is read from a prompt or standard input."""
    chosen = []
    for code in region_codes:
        region = regions.region_by_code(code)
        if region is None:
            click.echo(f"no region with code {code!r}", err=True)
            sys.exit(1)
        chosen.append(region)
    try:
        user = users.create_user(username, read_password(), role, chosen)
    except users.AccountError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"created {user.username} ({user.role}{'; ' + ', '.join(region_codes) if region_codes else ''})")
