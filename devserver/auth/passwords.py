"""Password hashing for local users: scrypt with a random salt per password, compared in constant time.

Pure functions (no I/O). The encoded form names its parameters, so they can change without breaking stored users:
`scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "verify_password"]

MIN_PASSWORD_LENGTH = 8
"""Cognito's default minimum; its character-class rules are left out, as a local pool is for development."""

_N, _R, _P = 2**14, 8, 1
_LENGTH = 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The encoded scrypt hash of `password` (a fresh 16-byte salt unless one is given)."""
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` produced `encoded`; False for anything malformed."""
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=_LENGTH
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))
