"""Encrypted backups for copies that leave the server: the server holds only a public key.

`backup keygen` makes an X25519 key pair; the secret half stays off the server (with
whoever restores). Each backup gets a fresh ephemeral key pair: X25519 with the recipient's
public key, HKDF-SHA256, and the backup streamed through AES-256-GCM in 64 KiB chunks.

    file = MAGIC | recipient key id (8) | ephemeral public key (32) | chunk ... | final chunk
    chunk = AES-256-GCM(key, nonce = counter (11 bytes) | last (1 byte), data, associated = header)

The counter and the "last" flag in each nonce (the STREAM construction, as in `age`) make a
reordered, dropped or cut-off chunk fail to open: a file cut at a chunk boundary is reported
as truncated, anything else that does not open as tampered with or damaged.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"cml-backup-encrypted/v1\n"
CHUNK = 64 * 1024
_TAG = 16
_ID = 8
HEADER = len(MAGIC) + _ID + 32
PUBLIC_PREFIX = "cml-backup-public-key-1:"
SECRET_PREFIX = "cml-backup-secret-key-1:"  # noqa: S105 (a label, not a secret)


class BackupError(Exception):
    """A backup that cannot be made, read or restored; the message says why (never any data)."""


def public_id(public: bytes) -> bytes:
    """A short public name of a recipient key, to tell which key a backup needs."""
    return hashlib.sha256(b"cml backup key id" + public).digest()[:_ID]


# --- key files --------------------------------------------------------------------------------

def keygen(secret_path: Path) -> Path:
    """Write a new secret key (0600) and its public key beside it (`.pub`); refuse to overwrite."""
    public_path = secret_path.with_name(secret_path.name + ".pub")
    for path in (secret_path, public_path):
        if path.exists():
            raise BackupError(f"{path} exists already; choose another name (a key is never overwritten)")
    private = X25519PrivateKey.generate()
    secret = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    _write_private(secret_path, SECRET_PREFIX + base64.urlsafe_b64encode(secret).decode() + "\n")
    public_path.write_text(PUBLIC_PREFIX + base64.urlsafe_b64encode(public).decode() + "\n")
    return public_path


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _read_key(path: Path, prefix: str, other: str, what: str) -> bytes:
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"cannot read the {what} {path}: {getattr(error, 'strerror', None) or 'not a key file'}") from None
    if text.startswith(other):
        raise BackupError(f"{path} is a {'secret' if other == SECRET_PREFIX else 'public'} key; a {what} is needed here")
    if not text.startswith(prefix):
        raise BackupError(f"{path} is not a {what} made by `flask --app cml backup keygen`")
    try:
        key = base64.urlsafe_b64decode(text[len(prefix):].encode())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError(f"{path} is not a {what} made by `flask --app cml backup keygen`")
    return key


def read_public(path: Path) -> bytes:
    return _read_key(path, PUBLIC_PREFIX, SECRET_PREFIX, "public key")


def read_secret(path: Path) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_read_key(path, SECRET_PREFIX, PUBLIC_PREFIX, "secret key"))


def _payload_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=b"cml backup v1 payload").derive(shared)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


# --- streams ------------------------------------------------------------------------------------

class EncryptingWriter:
    """A write-only file object that encrypts to a recipient's public key; `close()` writes the final chunk."""

    def __init__(self, out: BinaryIO, recipient: bytes) -> None:
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = ephemeral.public_key().public_bytes_raw()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
        self._aead = AESGCM(_payload_key(shared, ephemeral_public, recipient))
        self._header = MAGIC + public_id(recipient) + ephemeral_public
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False
        out.write(self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep the last bytes back: the final chunk is flagged on close
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, data: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._counter, last), data, self._header))
        self._counter += 1

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True


class DecryptingReader:
    """A read-only file object over an encrypted backup; every chunk is authenticated before it is handed on."""

    def __init__(self, source: BinaryIO, identity: X25519PrivateKey) -> None:
        header = source.read(HEADER)
        if not header.startswith(MAGIC):
            raise BackupError("not an encrypted CML backup")
        if len(header) < HEADER:
            raise BackupError("the backup is truncated (its header is incomplete)")
        recipient = identity.public_key().public_bytes_raw()
        wanted = header[len(MAGIC) : len(MAGIC) + _ID]
        if wanted != public_id(recipient):
            raise BackupError(f"the backup was encrypted to another key (key id {wanted.hex()}; this secret key's id is {public_id(recipient).hex()})")
        ephemeral = header[len(MAGIC) + _ID :]
        try:
            shared = identity.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        except ValueError:
            raise BackupError("the backup's header is damaged") from None
        self._aead = AESGCM(_payload_key(shared, ephemeral, recipient))
        self._header = header
        self._source = source
        self._pending = source.read(CHUNK + _TAG)
        self._buffer = b""
        self._offset = 0  # of the first byte not handed on yet (no copy of the rest on every small read)
        self._counter = 0
        self._done = False

    def _next_chunk(self) -> None:
        current, self._pending = self._pending, self._source.read(CHUNK + _TAG)
        last = not self._pending
        try:
            self._buffer = self._buffer[self._offset :] + self._aead.decrypt(_nonce(self._counter, last), current, self._header)
            self._offset = 0
        except InvalidTag:
            if last and self._opens_as_middle(current):
                raise BackupError("the backup is truncated (it ends before its last part)") from None
            if last:
                raise BackupError("the backup is truncated or damaged (its last part does not open)") from None
            raise BackupError("the backup was tampered with or is damaged (an encrypted part does not open)") from None
        self._counter += 1
        self._done = last

    def _opens_as_middle(self, chunk: bytes) -> bool:
        try:
            self._aead.decrypt(_nonce(self._counter, False), chunk, self._header)
        except InvalidTag:
            return False
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) - self._offset < size):
            self._next_chunk()
        end = len(self._buffer) if size < 0 else min(len(self._buffer), self._offset + size)
        data, self._offset = self._buffer[self._offset : end], end
        return data
