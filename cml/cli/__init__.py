"""`flask --app cml …` commands: thin wrappers over core and services, one commit each."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from cml.cli import (
        accounts,
        backup,
        demo,
        dhis2,
        drafts,
        indicator_files,
        indicators,
        keys,
        places,
        responses,
        surveys,
        translate,
        trash,
    )

    del indicator_files  # imported for its `indicators export` command
    for group in (surveys.group, places.group, accounts.group, demo.group, responses.group, indicators.group, keys.group, translate.group, drafts.group,
                  trash.group, backup.group, dhis2.group):
        app.cli.add_command(group)
