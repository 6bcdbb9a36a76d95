"""The encrypted backup stream: any length round-trips; reordered, dropped, cut or altered chunks do not open."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from cml.services.backup_crypto import (
    CHUNK,
    HEADER,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    keygen,
    read_public,
    read_secret,
)

SEALED = CHUNK + 16


@pytest.fixture
def keys(tmp_path: Path) -> tuple[bytes, object]:
    secret = tmp_path / "key"
    public = keygen(secret)
    return read_public(public), read_secret(secret)


def _encrypt(recipient: bytes, data: bytes, pieces: int = 7) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, recipient)
    step = max(1, len(data) // pieces)
    for at in range(0, len(data), step):
        writer.write(data[at : at + step])
    writer.close()
    return out.getvalue()


def _decrypt(identity: object, blob: bytes, size: int = 10240) -> bytes:
    reader = DecryptingReader(io.BytesIO(blob), identity)  # type: ignore[arg-type]
    parts = []
    while part := reader.read(size):
        parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize("length", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 12345])
def test_any_length_round_trips_whatever_the_read_size(keys, length: int) -> None:
    recipient, identity = keys
    data = os.urandom(length)
    blob = _encrypt(recipient, data)
    chunks = max(1, -(-length // CHUNK))  # the last chunk is never empty unless everything is
    assert len(blob) == HEADER + length + 16 * chunks
    assert _decrypt(identity, blob) == data
    assert _decrypt(identity, blob, size=1 << 20) == data
    assert DecryptingReader(io.BytesIO(blob), identity).read() == data  # type: ignore[arg-type]


def test_reordered_dropped_and_altered_chunks_do_not_open(keys) -> None:
    recipient, identity = keys
    blob = _encrypt(recipient, os.urandom(3 * CHUNK + 100))
    header, body = blob[:HEADER], blob[HEADER:]
    chunks = [body[at : at + SEALED] for at in range(0, len(body), SEALED)]
    assert len(chunks) == 4
    cases = {
        "swapped": header + chunks[1] + chunks[0] + chunks[2] + chunks[3],
        "middle dropped": header + chunks[0] + chunks[2] + chunks[3],
        "last dropped": header + b"".join(chunks[:3]),
        "cut inside": blob[: HEADER + SEALED + 500],
        "bit flipped": blob[:HEADER + 10] + bytes([blob[HEADER + 10] ^ 1]) + blob[HEADER + 11 :],
        "header altered": blob[:HEADER - 1] + bytes([blob[HEADER - 1] ^ 1]) + blob[HEADER:],
    }
    for name, damaged in cases.items():
        with pytest.raises(BackupError) as refused:
            _decrypt(identity, damaged)
        expected = "truncated" if name in ("last dropped", "cut inside") else ("damaged" if name != "header altered" else "")
        assert expected in str(refused.value), (name, str(refused.value))
    with pytest.raises(BackupError, match=r"the backup is truncated \(it ends before its last part\)"):
        _decrypt(identity, cases["last dropped"])


def test_another_key_is_named_and_key_files_are_not_confused(keys, tmp_path: Path) -> None:
    recipient, _ = keys
    other = tmp_path / "other"
    keygen(other)
    with pytest.raises(BackupError, match="encrypted to another key"):
        _decrypt(read_secret(other), _encrypt(recipient, b"x"))
    with pytest.raises(BackupError, match="is a public key"):
        read_secret(tmp_path / "other.pub")
    with pytest.raises(BackupError, match="is a secret key"):
        read_public(other)
    (tmp_path / "junk").write_text("hello")
    with pytest.raises(BackupError, match="not a public key made by"):
        read_public(tmp_path / "junk")
    with pytest.raises(BackupError, match="exists already"):
        keygen(other)
