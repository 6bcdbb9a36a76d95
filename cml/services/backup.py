"""One file per backup: a tar of `manifest.json`, the database dump and (encrypted copies only) the answer key.

The manifest names the format version, the time, the database kind, the schema revision
(alembic), every table's row count as of the dump, and the dump's size and SHA-256, which
`verify` and `restore` check before anything is written. The answer key (without which the
sealed answers cannot be read back) travels only inside an encrypted backup; a plain one
records the key ids it needs and says the key is kept separately. A backup is written to a
hidden temporary name, synced and renamed, so a half-written file is never taken for one.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cml.config import private_folder
from cml.services import backup_dump, sealing
from cml.services.backup_crypto import MAGIC, BackupError, DecryptingReader, EncryptingWriter, read_public, read_secret

FORMAT = "cml-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEYS = "answer_keys.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
GZIP_LEVEL = 6
"""An SQLite file shrinks to about a fifth; pg_dump's custom format is compressed already."""
NAME = re.compile(r"^cml-\d{8}T\d{6}Z(-\d+)?\.backup\.tar(\.enc)?$")


@dataclass
class Created:
    path: Path
    manifest: dict[str, Any]
    seconds: float
    removed: list[Path] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent dumping, checking the dump and writing the file."""


@contextmanager
def timed(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - started


# --- create -------------------------------------------------------------------------------------

def create(url: str, folder: Path, ring: sealing.Keyring, encrypt_to: Path | None = None, keep: int | None = None,
           bin_dir: str | None = None) -> Created:
    """Dump the database consistently, describe it, and write one backup file into `folder` (0700)."""
    started, phases = time.perf_counter(), dict[str, float]()
    kind = backup_dump.kind_of(url)
    recipient = read_public(encrypt_to) if encrypt_to else None
    private_folder(folder)
    work = Path(tempfile.mkdtemp(prefix=".cml-backup-", dir=folder))  # 0700, on the backup's own disk
    try:
        dump = work / DUMPS[kind]
        with timed(phases, "dump"):
            if kind == "sqlite":
                backup_dump.sqlite_dump(url, dump)
            else:
                snapshot = backup_dump.pg_dump(url, dump, bin_dir)
        with timed(phases, "check"):
            if kind == "sqlite":
                snapshot = backup_dump.sqlite_check(dump)
            else:
                backup_dump.pg_check(dump, bin_dir)
        now = datetime.now(UTC)
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "database": kind,
            "schema_revision": snapshot.revision, "rows": snapshot.rows,
            "dump": {"name": dump.name, "bytes": dump.stat().st_size, "compression": "gzip" if kind == "sqlite" else None},
            "encrypted": recipient is not None,
            "answer_key": {
                "key_ids": [sealing.key_id(key).hex() for key in (ring.current, *ring.others)],
                "included": recipient is not None,
                "note": "inside this encrypted backup" if recipient else "kept separately: restore needs the instance's answer_key (or CML_ANSWER_KEY)",
            },
        }
        with timed(phases, "write"):
            final = _write(work, folder, manifest, dump, ring if recipient else None, recipient, now)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    removed = rotate(folder, keep) if keep else []
    return Created(final, manifest, time.perf_counter() - started, removed, phases)


def _write(work: Path, folder: Path, manifest: dict[str, Any], dump: Path, ring: sealing.Keyring | None, recipient: bytes | None,
           now: datetime) -> Path:
    """The backup file: manifest, dump and (encrypted only) answer keys, synced, then renamed into place."""
    manifest["dump"]["sha256"] = _sha256(dump)
    stored = dump
    if manifest["dump"]["compression"] == "gzip":
        stored = dump.with_name(dump.name + ".gz")
        with open(dump, "rb") as source, gzip.GzipFile(stored, "wb", compresslevel=GZIP_LEVEL, mtime=0) as packed:
            shutil.copyfileobj(source, packed, 1 << 20)
    partial = work / "backup.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        sink: Any = EncryptingWriter(out, recipient) if recipient else out
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
            archive.add(stored, arcname=stored.name, filter=_owner_only)
            if recipient and ring:
                _add_bytes(archive, KEYS, json.dumps(_key_texts(ring)).encode())
        if recipient:
            sink.close()
        out.flush()
        os.fsync(out.fileno())
    final = _free_name(folder, now, recipient is not None)
    os.rename(partial, final)
    _sync_folder(folder)
    return final


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
    archive.addfile(info, io.BytesIO(data))


def _owner_only(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _key_texts(ring: sealing.Keyring) -> dict[str, Any]:
    encode = base64.urlsafe_b64encode
    return {"current": encode(ring.current).decode(), "others": [encode(key).decode() for key in ring.others]}


def _free_name(folder: Path, now: datetime, encrypted: bool) -> Path:
    stem, suffix = f"cml-{now.strftime('%Y%m%dT%H%M%SZ')}", ".backup.tar" + (".enc" if encrypted else "")
    candidate, number = folder / (stem + suffix), 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups in `folder` (only files named as `create` names them)."""
    backups = sorted((p for p in folder.iterdir() if NAME.match(p.name)), key=lambda p: (p.name.split(".")[0].split("-")[1], p.stat().st_mtime))
    old = backups[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


# --- read -----------------------------------------------------------------------------------------

@dataclass
class Opened:
    manifest: dict[str, Any]
    dump: Path
    keys: dict[str, Any] | None


@contextmanager
def _source(path: Path, identity: Path | None) -> Iterator[BinaryIO]:
    """The backup's tar stream: the file itself, or its decryption."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 — closed below, after the stream is read
    except OSError as error:
        raise BackupError(f"cannot open {path}: {error.strerror}") from None
    with handle:
        if handle.read(len(MAGIC)) == MAGIC:
            if identity is None:
                raise BackupError("the backup is encrypted: give the secret key with --identity")
            handle.seek(0)
            yield DecryptingReader(handle, read_secret(identity))  # type: ignore[misc]
        else:
            handle.seek(0)
            yield handle


def peek(path: Path, identity: Path | None = None) -> dict[str, Any]:
    """The manifest alone (the archive's first member): to refuse a wrong key or kind before reading the dump."""
    with _source(path, identity) as source:
        try:
            with tarfile.open(fileobj=source, mode="r|") as archive:
                member = archive.next()
                content = archive.extractfile(member) if member is not None and member.name == MANIFEST and member.isfile() else None
                if content is None:
                    raise BackupError("not a CML backup (no manifest)")
                return _manifest(content.read(1 << 20))
        except (tarfile.TarError, EOFError, OSError, ValueError):
            raise BackupError("the backup is truncated or damaged (its archive does not read)") from None


@contextmanager
def opened(path: Path, identity: Path | None = None) -> Iterator[Opened]:
    """The backup's manifest and its dump extracted into a private temporary folder, size and SHA-256 checked."""
    work = Path(tempfile.mkdtemp(prefix=".cml-restore-"))
    try:
        with _source(path, identity) as source:
            yield _read_archive(source, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _read_archive(source: BinaryIO, work: Path) -> Opened:
    manifest: dict[str, Any] | None = None
    keys = None
    dump: Path | None = None
    try:
        with tarfile.open(fileobj=source, mode="r|") as archive:
            for member in archive:
                if not member.isfile():
                    raise BackupError("the backup holds something other than files")
                content = archive.extractfile(member)
                assert content is not None
                if member.name == MANIFEST and manifest is None:
                    manifest = _manifest(content.read(1 << 20))
                elif member.name == KEYS and manifest is not None and manifest.get("encrypted"):
                    keys = json.loads(content.read(1 << 16))
                elif manifest is not None and member.name == _stored_name(manifest["dump"]) and dump is None:
                    dump = work / DUMPS[manifest["database"]]
                    if manifest["dump"].get("compression") == "gzip":
                        try:
                            with gzip.GzipFile(fileobj=content, mode="rb") as unpacked:
                                _copy_checked(unpacked, dump, manifest["dump"])  # type: ignore[arg-type]
                        except (gzip.BadGzipFile, EOFError, zlib.error):
                            raise BackupError("the database dump does not decompress: the backup is truncated, or was altered or is damaged") from None
                    else:
                        _copy_checked(content, dump, manifest["dump"])  # type: ignore[arg-type]  # tarfile's member file reads like the BinaryIO it is
                else:
                    raise BackupError(f"unexpected member {member.name!r} in the backup")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError, zlib.error):
        raise BackupError("the backup is truncated or damaged (its archive does not read to the end)") from None
    if manifest is None:
        raise BackupError("not a CML backup (no manifest)")
    if dump is None:
        raise BackupError("the backup is truncated: its database dump is missing")
    return Opened(manifest, dump, keys)


def _stored_name(dump: dict[str, Any]) -> str:
    return str(dump["name"]) + (".gz" if dump.get("compression") == "gzip" else "")


def _manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError:
        raise BackupError("the backup's manifest is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a CML backup (its manifest is not one)")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')!r}; this CML reads version {VERSION}")
    if (manifest.get("database") not in DUMPS or manifest.get("dump", {}).get("name") != DUMPS[manifest["database"]]
            or manifest["dump"].get("compression") not in (None, "gzip")):
        raise BackupError("the backup's manifest is damaged (unknown database kind)")
    return manifest


def _copy_checked(content: BinaryIO, into: Path, expected: dict[str, Any]) -> None:
    digest, size = hashlib.sha256(), 0
    try:
        out = os.fdopen(os.open(into, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except OSError as error:
        raise _no_room(into, error) from None
    with out:
        while block := content.read(1 << 20):
            digest.update(block)
            size += len(block)
            try:
                out.write(block)
            except OSError as error:
                raise _no_room(into, error) from None
        try:
            out.flush()
        except OSError as error:
            raise _no_room(into, error) from None
    if size != expected.get("bytes"):
        raise BackupError(f"the database dump is {size} bytes, the manifest says {expected.get('bytes')}: truncated or damaged")
    if digest.hexdigest() != expected.get("sha256"):
        raise BackupError("the database dump's SHA-256 differs from the manifest's: the backup was altered or is damaged")


def _no_room(into: Path, error: OSError) -> BackupError:
    return BackupError(f"cannot write the unpacked dump in {into.parent}: {error.strerror} (set TMPDIR to a folder with room)")


def verify(path: Path, identity: Path | None = None, bin_dir: str | None = None) -> dict[str, Any]:
    """Check a backup without restoring it: archive, size and SHA-256, and the dump itself
    (SQLite: integrity_check, schema revision and row counts equal to the manifest's)."""
    with opened(path, identity) as backup:
        manifest = backup.manifest
        if manifest["database"] == "sqlite":
            copy = backup_dump.sqlite_check(backup.dump)
            if copy.revision != manifest.get("schema_revision") or copy.rows != manifest.get("rows"):
                raise BackupError("the database copy's revision or row counts differ from the manifest's")
        else:
            backup_dump.pg_check(backup.dump, bin_dir)
        if manifest.get("encrypted") and not backup.keys:
            raise BackupError("the encrypted backup lacks its answer key")
        return manifest
