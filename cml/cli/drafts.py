from __future__ import annotations

import click
from flask.cli import AppGroup

from cml.extensions import db
from cml.services import drafts
from cml.settings import settings

group = AppGroup("drafts", help="Unfinished forms kept on the server.")


@group.command("purge")
def purge() -> None:
    """Delete drafts untouched for DRAFT_MAX_AGE_DAYS (run daily, e.g. from cron)."""
    removed = drafts.purge_expired()
    db.session.commit()
    click.echo(f"{removed} draft(s) untouched for more than {settings().draft_max_age_days:g} days removed")
