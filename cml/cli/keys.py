"""`keys rotate`: every sealed answer's data key re-wrapped under a new answer key."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cml.extensions import db
from cml.services import answer_keys, sealing
from cml.settings import settings

group = AppGroup("keys", help="The key that seals sensitive answers.")


@group.command("rotate")
@click.option("--batch", default=answer_keys.BATCH, show_default=True, help="Sealed values re-wrapped per transaction.")
@click.option("--grace", default=2.0, show_default=True, help="Seconds to let submissions sealed just before the switch commit.")
def rotate(batch: int, grace: float) -> None:
    """Re-wrap every data key under a new answer key; the old key is kept until all are done (rerun to resume)."""
    instance = Path(current_app.instance_path)
    if settings().answer_key:
        if not settings().answer_key_old:
            click.echo("CML_ANSWER_KEY is set: put the new key in CML_ANSWER_KEY and the old one in CML_ANSWER_KEY_OLD, then run this again", err=True)
            sys.exit(1)
        ring = sealing.keyring()
    else:
        ring = answer_keys.start_file_rotation(instance)
        click.echo(f"new key in {instance / sealing.KEY_FILE}; the old one stays in {instance / sealing.OLD_KEY_FILE} until this finishes")
    try:
        done = answer_keys.rewrap_all(db.engine, ring, batch)
        time.sleep(max(grace, 0))  # a server seals under the new key from its next seal; one sealed just before may still commit
        done.rewrapped += answer_keys.rewrap_all(db.engine, ring, batch).rewrapped
        left = answer_keys.under_other_keys(db.engine, ring)
    except sealing.SealError as error:
        click.echo(f"stopped: {error}; nothing is lost, the old key is kept: fix and run `keys rotate` again", err=True)
        sys.exit(1)
    if left:
        click.echo(f"{left} sealed value(s) still under the old key; run `keys rotate` again", err=True)
        sys.exit(1)
    if settings().answer_key:
        click.echo(f"{done.rewrapped} data key(s) re-wrapped; CML_ANSWER_KEY_OLD can now be removed")
    else:
        answer_keys.finish_file_rotation(instance)
        click.echo(f"{done.rewrapped} data key(s) re-wrapped in {done.batches} batch(es); {sealing.OLD_KEY_FILE} removed")
