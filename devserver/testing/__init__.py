"""The pytest fixture's objects, and the dev server a test session runs them on.

`devserver.testing` is a public path: a user's tests import `Emulator`, `HandlerError`, `Notifications` and
`TestSecrets` from here, and `SigV4` to sign requests to routes with the `iam` authorizer. `fixture` holds those
objects, `session` the one dev server a pytest session shares (on a background thread), `signing` SigV4 signing for
httpx. May import any package of the dev server but the CLI's.
"""

from __future__ import annotations

from devserver.testing.fixture import Emulator, HandlerError, Notifications, TestSecrets
from devserver.testing.signing import SigV4

__all__ = ["Emulator", "HandlerError", "Notifications", "SigV4", "TestSecrets"]
