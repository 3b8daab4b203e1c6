"""Lambda request ids: random (version 4) UUIDs in their canonical form, as `aws_request_id` shows them.

Every invocation needs one, so they are made from `random.getrandbits` (seeded from the OS at start-up) and
formatted directly, about a third of the cost of `str(uuid.uuid4())`, which reads the OS's random source for each.
A request id only has to be unique, not secret; no token or credential is made from it.
"""

from __future__ import annotations

import random

__all__ = ["new_request_id"]

# The version nibble (4) and the RFC 4122 variant bits (10xx), in a 128-bit integer's layout.
_VERSION_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def new_request_id() -> str:
    """A new random request id shaped like `8f5e1b2a-3c4d-4e5f-9a6b-7c8d9e0f1a2b` (a version-4 UUID)."""
    digits = f"{random.getrandbits(128) & _VERSION_MASK | _VERSION_BITS:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
