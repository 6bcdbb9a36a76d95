from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from cml.extensions import db
from cml.services import regions

group = AppGroup("regions", help="Regions and facilities.")


@group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(path: Path) -> None:
    """Load regions and facilities from a JSON or CSV file (all or nothing)."""
    try:
        specs = regions.parse_regions_file(path.read_bytes(), str(path))
    except regions.RegionFileError as error:
        for problem in error.problems:
            click.echo(problem)
        sys.exit(1)
    summary = regions.load_regions(specs)
    db.session.commit()
    click.echo(
        f"regions: {summary.regions_added} added, {summary.regions_updated} updated; "
        f"facilities: {summary.facilities_added} added, {summary.facilities_updated} updated"
    )
