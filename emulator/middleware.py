"""The seam where ASGI middleware sits in front of moto in the emulator process.

Middleware such as the presign/CORS guard (`emulator.s3.guard.S3RequestGuard`) must not import moto: what it needs to
know about the emulator's state reaches it through `S3Lookups`, whose implementation lives in `emulator.moto.app`.
A `MiddlewareFactory` takes the app it wraps and the lookups and returns the wrapped app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.account import ACCOUNT_ID
from emulator.iam.policy import IdentityLookup
from emulator.s3.public_access import PublicGrants

__all__ = ["ASGIApp", "MiddlewareFactory", "S3Lookups", "wrap_with_middleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class S3Lookups:
    """Read-only questions middleware may ask about the emulator's current state.

    `lookup_bucket_cors(bucket)`: the bucket's CORS rules in the S3 API's shape (`AllowedOrigins`, `AllowedMethods`,
    `AllowedHeaders`, `ExposeHeaders`, `MaxAgeSeconds` when set), or None when the bucket has no CORS configuration
    or does not exist.
    `lookup_secret_key(access_key_id)`: the secret that signs for that access key — the emulator's account
    credentials or an IAM user's key created through the IAM API — or None for a key the emulator never issued.
    `lookup_public_grants(bucket, key, version_id)`: what the bucket and that object version grant everyone (their ACLs'
    grants to all users, the bucket policy), or None when the bucket does not exist; `key` None for the bucket itself.
    `lookup_identity(access_key_id)`: the IAM user (ARN and policy statements) whose requests must be checked, or
    None for the account's own key and unknown keys. `account_id` and `region` are the emulator's.
    """

    lookup_bucket_cors: Callable[[str], list[dict[str, object]] | None]
    lookup_secret_key: Callable[[str], str | None]
    lookup_public_grants: Callable[[str, str | None, str | None], PublicGrants | None]
    lookup_identity: IdentityLookup = field(default=lambda access_key_id: None)
    account_id: str = ACCOUNT_ID
    region: str = "us-east-1"


MiddlewareFactory = Callable[[ASGIApp, S3Lookups], ASGIApp]


def wrap_with_middleware(app: ASGIApp, factories: Sequence[MiddlewareFactory], lookups: S3Lookups) -> ASGIApp:
    """Wrap `app` so that `factories[0]` sees each request first and `factories[-1]` sits next to moto."""
    for factory in reversed(factories):
        app = factory(app, lookups)
    return app
