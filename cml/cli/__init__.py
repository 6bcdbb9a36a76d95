"""`flask --app cml …` commands: thin wrappers over core and services, one commit each."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from cml.cli import accounts, demo, indicators, places, responses, surveys

    for group in (surveys.group, places.group, accounts.group, demo.group, responses.group, indicators.group):
        app.cli.add_command(group)
    app.cli.add_command(__import__("cml.cli.translate", fromlist=["group"]).group)  # translate extract|update|compile
