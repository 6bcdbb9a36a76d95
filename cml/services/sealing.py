"""Sensitive answers sealed at rest: envelope encryption with a key kept outside the database.

Every response and every saved draft gets its own random data key. Its sensitive answers
(free text and questions marked sensitive) are encrypted with it (AES-256-GCM), and the
data key is stored beside them wrapped (AES-256-GCM again) by the key-encryption key, which
lives in `instance/answer_key` or `CML_ANSWER_KEY`, never in the database. Both encryptions
take the row's identity ("responses:" or "drafts:" and its submission id) as associated data,
so a sealed value copied onto another row does not open. Non-sensitive answers stay in the
plain JSON column, where indicator facts and the aggregate queries read them as before.

A sealed value, one bytes column (`sealed_answers`):
    1 | key id (8) | nonce (12) | wrapped data key (64 + 16) | nonce (12) | answers (JSON) + tag (16)
The key id names the key-encryption key that wrapped the data key, so `keys rotate` knows
which values it has re-wrapped and a reader knows which key to use. The second half of the
data key keys the HMAC that fingerprints a response's answers (`answers_hash`): a retry is
recognised as the same interview without an unkeyed hash of free text, which could be guessed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from cml.core.questionnaire import Questionnaire
from cml.settings import settings

FORMAT = 1
KEY_FILE = "answer_key"
OLD_KEY_FILE = "answer_key.old"
_ID, _NONCE, _WRAPPED = 8, 12, 64 + 16
_HEADER = 1 + _ID + _NONCE + _WRAPPED


class SealError(ValueError):
    """A sealed value that does not open: unknown key, wrong row, or tampered with."""


def key_id(key: bytes) -> bytes:
    """A short public name of a key-encryption key (an HMAC of a constant: reveals nothing of it)."""
    return hmac.new(key, b"cml answer key id", hashlib.sha256).digest()[:_ID]


@dataclass
class Keyring:
    """The key-encryption key new values are wrapped with, and every key a value may be found under."""

    current: bytes
    others: tuple[bytes, ...] = ()
    _by_id: dict[bytes, AESGCM] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for key in (self.current, *self.others):
            if len(key) != 32:
                raise ValueError("an answer key is 32 bytes (44 characters of base64)")
        self.current_id = key_id(self.current)
        self._wrapper = AESGCM(self.current)
        self._by_id = {key_id(key): AESGCM(key) for key in self.others}
        self._by_id[self.current_id] = self._wrapper

    def wrap(self, data_key: bytes, identity: bytes, nonce: bytes | None = None) -> bytes:
        nonce = nonce or os.urandom(_NONCE)
        return self.current_id + nonce + self._wrapper.encrypt(nonce, data_key, b"key:" + identity)

    def unwrap(self, sealed: bytes, identity: bytes) -> bytes:
        """The data key of a sealed value (SealError when no key of the ring wrapped it for this row)."""
        if len(sealed) < _HEADER + _NONCE + 16 or sealed[0] != FORMAT:
            raise SealError("not a sealed value")
        wrapper = self._by_id.get(sealed[1 : 1 + _ID])
        if wrapper is None:
            raise SealError("sealed under an answer key that is not configured")
        start = 1 + _ID
        try:
            return wrapper.decrypt(sealed[start : start + _NONCE], sealed[start + _NONCE : _HEADER], b"key:" + identity)
        except InvalidTag:
            raise SealError("the sealed value does not belong to this row or was altered") from None


def identity(table: str, submission_id: uuid.UUID) -> bytes:
    """The associated data of a row: its table and submission id."""
    return table.encode() + b":" + submission_id.bytes


def seal(keyring: Keyring, row: bytes, answers: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(sealed value, digest key) for a new row: a fresh data key encrypts the answers."""
    random = os.urandom(64 + 2 * _NONCE)  # one system call for the data key and both nonces
    data_key, nonce = random[:64], random[64 : 64 + _NONCE]
    body = AESGCM(data_key[:32]).encrypt(nonce, orjson.dumps(dict(answers)), b"answers:" + row)
    return bytes([FORMAT]) + keyring.wrap(data_key, row, random[64 + _NONCE :]) + nonce + body, data_key[32:]


def unseal(keyring: Keyring, row: bytes, sealed: bytes) -> dict[str, Any]:
    """The sealed answers of a row (SealError when they do not open)."""
    answers = orjson.loads(unseal_json(keyring, row, sealed))
    return answers if type(answers) is dict else {}


def unseal_json(keyring: Keyring, row: bytes, sealed: bytes) -> bytes:
    """The sealed answers of a row as the JSON object they were sealed as."""
    data_key = keyring.unwrap(sealed, row)
    try:
        return AESGCM(data_key[:32]).decrypt(sealed[_HEADER : _HEADER + _NONCE], sealed[_HEADER + _NONCE :], b"answers:" + row)
    except InvalidTag:
        raise SealError("the sealed value does not belong to this row or was altered") from None


def digest_key(keyring: Keyring, row: bytes, sealed: bytes) -> bytes:
    """The key of a stored row's answers fingerprint."""
    return keyring.unwrap(sealed, row)[32:]


def rewrap(keyring: Keyring, row: bytes, sealed: bytes) -> bytes:
    """The same sealed value with its data key wrapped by the ring's current key (the answers untouched)."""
    return bytes([FORMAT]) + keyring.wrap(keyring.unwrap(sealed, row), row) + sealed[_HEADER:]


def sealed_under(sealed: bytes) -> bytes:
    """The id of the key-encryption key a sealed value was wrapped with."""
    return sealed[1 : 1 + _ID]


def fingerprint(key: bytes, payload: str) -> str:
    """`answers_hash`: HMAC-SHA256 of the canonical submission under the row's own digest key."""
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def split(model: Questionnaire, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plain, sensitive): only answers to known non-sensitive questions stay plain."""
    plain_ids = model.plain_ids
    plain = {question_id: value for question_id, value in answers.items() if question_id in plain_ids}
    if len(plain) == len(answers):
        return plain, {}
    return plain, {question_id: value for question_id, value in answers.items() if question_id not in plain_ids}


# --- the keys of this instance -----------------------------------------------------------

_LOADING = threading.Lock()


def keyring() -> Keyring:
    """The app's keyring: `ANSWER_KEY` (and `ANSWER_KEY_OLD`) when configured, else the instance's key files.

    A key file is read again when it changes, so a running server seals under the new key
    as soon as `keys rotate` has written it.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    instance = Path(app.instance_path)
    configured = settings(app).answer_key
    stamp: Any = ("configured",) if configured else (_stamp(instance / KEY_FILE), _stamp(instance / OLD_KEY_FILE))
    cached = app.extensions.get("cml_keyring")
    if cached is not None and cached[0] == stamp:
        return cached[1]  # type: ignore[no-any-return]
    with _LOADING:
        if configured:
            old_key = settings(app).answer_key_old
            others = [decode_key(old_key)] if old_key else []
            ring = Keyring(decode_key(configured), tuple(others))
        else:
            current = decode_key(instance_key(instance))
            old = instance / OLD_KEY_FILE
            ring = Keyring(current, (decode_key(old.read_text()),) if old.exists() else ())
        app.extensions["cml_keyring"] = (stamp, ring)
        return ring


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError:
        raise ValueError("an answer key is 32 bytes written in base64") from None
    if len(key) != 32:
        raise ValueError("an answer key is 32 bytes written in base64")
    return key


def new_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def instance_key(instance: Path) -> str:
    """The instance's key-encryption key, generated (mode 0600) on first use and never in the database."""
    path = instance / KEY_FILE
    if not path.exists():
        write_secret(path, new_key_text(), replace=False)
    return path.read_text()


def write_secret(path: Path, text: str, replace: bool) -> None:
    """Write a secret file readable by its owner only, whole or not at all (another process may race us)."""
    from cml.config import private_folder

    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):  # another process wrote the key first: theirs wins
                os.link(temporary, path)
    finally:
        if temporary.exists():
            os.unlink(temporary)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
