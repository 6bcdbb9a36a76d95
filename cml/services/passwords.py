"""Password hashing with argon2id (RFC 9106 parameters, via argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommended option, for machines without gigabytes to spare per login.
HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16, type=Type.ID)
MIN_PASSWORD_LENGTH = 10
# Verified against when the username is unknown, so the response time does not reveal it.
# Made on first use rather than at import: hashing takes 64 MiB, which every process (a CLI
# export too) would otherwise pay at start. Remade if HASHER is replaced (tests do).
_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    global _dummy  # noqa: PLW0603 — a lazily made module constant
    if _dummy is None or _dummy[0] is not HASHER:
        _dummy = (HASHER, HASHER.hash("not a real password, only spends the same time"))
    return _dummy[1]


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
