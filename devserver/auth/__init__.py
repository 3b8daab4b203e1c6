"""Local Auth, as SST's Cognito-backed `Auth`: user pools issuing RS256 JWTs, the API Gateway JWT authorizer's
decisions, and an identity pool handing out credentials the emulator scopes per identity.

Pure parts: `ids`, `passwords`, `tokens`, `authorizer`, `identity_pool.identity_policy`. I/O: `users` (files),
`identity_pool.IdentityPool` (the emulator's IAM), `router` (HTTP endpoints), `service` (ties them together).
"""

from __future__ import annotations

from devserver.auth.errors import AuthError
from devserver.auth.service import AUTH_PREFIX, AuthService

__all__ = ["AUTH_PREFIX", "AuthError", "AuthService"]
