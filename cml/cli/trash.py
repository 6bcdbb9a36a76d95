from __future__ import annotations

import click
from flask.cli import AppGroup

from cml.extensions import db
from cml.services import trash
from cml.services.submission_access import trash_days

group = AppGroup("trash", help="Withdrawn and deleted submissions.")


@group.command("purge")
def purge() -> None:
    """Remove for good, with their history, the submissions in the trash longer than TRASH_DAYS (run daily)."""
    removed = trash.purge(trash_days())
    db.session.commit()
    click.echo(f"purged {removed} submission(s) in the trash for more than {trash_days().days} days")
