"""`backup create | verify | restore | keygen`: one file per backup, checked before and after a restore."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cml.services import backup, backup_restore, sealing
from cml.services.backup_crypto import BackupError, keygen
from cml.settings import settings

group = AppGroup("backup", help="Backups of the database (and, when encrypted, of the answer key).")

_FILE = click.Path(dir_okay=False, path_type=Path)


def _fail(error: BackupError | OSError) -> None:
    if isinstance(error, BackupError):
        text = str(error)
    else:
        text = f"{error.strerror or type(error).__name__}" + (f": {error.filename}" if error.filename else "")
    click.echo(f"error: {text}", err=True)
    sys.exit(1)


def _phases(phases: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())


def _bin_dir() -> str | None:
    return settings().pg_bin_dir


@group.command("keygen")
@click.argument("secret", type=_FILE)
def keygen_command(secret: Path) -> None:
    """Make a key pair for encrypted backups: SECRET (keep it off the server) and SECRET.pub (for --encrypt-to)."""
    try:
        public = keygen(secret)
    except (BackupError, OSError) as error:
        _fail(error)
    click.echo(f"secret key {secret} (mode 0600: keep it off the server, with whoever restores)")
    click.echo(f"public key {public} (copy it to the server for `backup create --encrypt-to`)")


@group.command("create")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path), help="Folder for the backup (default: BACKUP_DIR, else instance/backups).")
@click.option("--encrypt-to", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A public key from `backup keygen`: the backup, answer key included, is encrypted to it.")
@click.option("--keep", type=click.IntRange(min=1), help="Then remove all but the newest N backups in the folder.")
def create_command(folder: Path | None, encrypt_to: Path | None, keep: int | None) -> None:
    """Back up the database while the app runs (SQLite's online backup, pg_dump for PostgreSQL) into one file."""
    folder = folder or Path(settings().backup_dir or Path(current_app.instance_path) / "backups")
    try:
        made = backup.create(current_app.config["SQLALCHEMY_DATABASE_URI"], folder, sealing.keyring(), encrypt_to, keep, _bin_dir())
    except (BackupError, OSError) as error:
        _fail(error)
    rows = made.manifest["rows"]
    click.echo(f"{made.path}: {made.path.stat().st_size} bytes in {made.seconds:.1f} s ({_phases(made.phases)}); "
               f"{rows.get('responses', 0)} responses, {rows.get('indicator_facts', 0)} facts, schema {made.manifest['schema_revision']}")
    if made.manifest["encrypted"]:
        click.echo("encrypted; the answer key is inside")
    else:
        click.echo("not encrypted; the answer key is not in it: keep instance/answer_key (or CML_ANSWER_KEY) safe separately")
    for path in made.removed:
        click.echo(f"removed old backup {path.name}")


@group.command("verify")
@click.argument("path", type=_FILE)
@click.option("--identity", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The secret key, for an encrypted backup.")
def verify_command(path: Path, identity: Path | None) -> None:
    """Check a backup without restoring it: archive, size and SHA-256 of the dump, SQLite's integrity check."""
    try:
        manifest = backup.verify(path, identity, _bin_dir())
    except (BackupError, OSError) as error:
        _fail(error)
    rows = manifest["rows"]
    click.echo(f"{path}: OK, {manifest['database']} backup of {manifest['created_at']}, schema {manifest['schema_revision']}, "
               f"{rows.get('responses', 0)} responses, {rows.get('indicator_facts', 0)} facts, "
               f"{'encrypted with the answer key' if manifest['encrypted'] else 'plain (answer key kept separately)'}")


@group.command("restore")
@click.argument("path", type=_FILE)
@click.option("--to", "url", help="Target database URL (default: the configured database); it must be empty.")
@click.option("--identity", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The secret key, for an encrypted backup.")
@click.option("--force", is_flag=True, help="Replace a target that is not empty (and keep a differing answer key file as .replaced).")
def restore_command(path: Path, url: str | None, identity: Path | None, force: bool) -> None:
    """Restore a backup into an empty database (stop the server first), then check it."""
    try:
        done = backup_restore.restore(
            path, url or current_app.config["SQLALCHEMY_DATABASE_URI"], Path(current_app.instance_path), _existing_keyring,
            identity=identity, force=force, configured_key=settings().answer_key, head=_head(), bin_dir=_bin_dir(),
        )
    except (BackupError, OSError) as error:
        _fail(error)
    click.echo(f"restored the {done.manifest['database']} backup of {done.manifest['created_at']} in {done.seconds:.1f} s ({_phases(done.phases)})")
    for written in done.keys_written:
        click.echo(f"answer key written to {written}")
    for line in done.checks:
        click.echo(f"ok: {line}")
    for line in done.problems:
        click.echo(f"problem: {line}", err=True)
    if done.problems:
        sys.exit(1)


def _existing_keyring() -> sealing.Keyring | None:
    """The instance's keyring, or None when it has no answer key yet (a check must not make one up)."""
    configured = settings().answer_key
    if not configured and not (Path(current_app.instance_path) / sealing.KEY_FILE).exists():
        return None
    return sealing.keyring()


def _head() -> str | None:
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    heads = ScriptDirectory(migrate.directory).get_heads()
    return heads[0] if len(heads) == 1 else None
