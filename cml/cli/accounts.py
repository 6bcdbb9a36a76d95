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


@group.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'Power BI, national office'.")
@click.option("--days", type=click.IntRange(1, 365), default=90, show_default=True, help="How long it lasts.")
def token(username: str, name: str, days: int) -> None:
    """Make a personal access token for the API (/api/v1); it is printed once, on standard output, and never stored."""
    from cml.services import api_tokens

    user = users.find_user(username)
    if user is None or not user.active:
        click.echo(f"no active account {username!r}", err=True)
        sys.exit(1)
    made = api_tokens.create(user, name, days, None)
    db.session.commit()
    click.echo(made)
