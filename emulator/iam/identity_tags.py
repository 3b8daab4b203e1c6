"""What the dev server's identity pool records on an identity's IAM user, and how the emulator reads it: pure, no I/O.

A Cognito identity's credentials are temporary: an access key, a session token and an expiry. Locally the key is
the identity's IAM user's (`devserver.auth.identity_pool`), and each token handed out is recorded on that user as a
tag — key `sst-dev:session:<SHA-256 of the token>`, value its expiry in epoch seconds — so the emulator can refuse,
as AWS does, a request signed with the key whose `X-Amz-Security-Token` is missing, unknown or expired. Three more
tags say whose identity it is (its id, its pool, signed-in or guest), which an `iam` authorizer passes on as
`requestContext.authorizer.iam.cognitoIdentity`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MAX_SESSIONS",
    "SECURITY_TOKEN_MESSAGES",
    "CognitoIdentity",
    "TokenProblem",
    "check_session_token",
    "cognito_identity_of",
    "identity_tags",
    "session_tag",
    "stale_session_tags",
]

SESSION_TAG_PREFIX = "sst-dev:session:"
IDENTITY_ID_TAG = "sst-dev:identity-id"
IDENTITY_POOL_TAG = "sst-dev:identity-pool-id"
AUTHENTICATED_TAG = "sst-dev:authenticated"
MAX_SESSIONS = 40
"""Live tokens kept per identity (IAM allows 50 tags per user); past this the oldest stop working."""

TokenProblem = Literal["invalid", "expired"]

SECURITY_TOKEN_MESSAGES: dict[TokenProblem, str] = {
    "invalid": "The security token included in the request is invalid.",
    "expired": "The security token included in the request is expired",
}
"""How AWS's JSON services and API Gateway word a refused token (an unknown access key is "invalid" too)."""


@dataclass(frozen=True)
class CognitoIdentity:
    """`requestContext.authorizer.iam.cognitoIdentity`, as API Gateway shapes it."""

    identity_id: str
    identity_pool_id: str
    authenticated: bool

    def document(self) -> dict[str, object]:
        kind = "authenticated" if self.authenticated else "unauthenticated"
        return {"amr": [kind], "identityId": self.identity_id, "identityPoolId": self.identity_pool_id}


def session_tag(token: str, expires_at: float) -> tuple[str, str]:
    """The (key, value) tag recording one session token; the token itself is never stored."""
    return SESSION_TAG_PREFIX + hashlib.sha256(token.encode()).hexdigest(), f"{expires_at:.3f}"


def identity_tags(identity: CognitoIdentity) -> dict[str, str]:
    """The tags naming the identity an IAM user stands in for."""
    return {
        IDENTITY_ID_TAG: identity.identity_id,
        IDENTITY_POOL_TAG: identity.identity_pool_id,
        AUTHENTICATED_TAG: "true" if identity.authenticated else "false",
    }


def cognito_identity_of(tags: Mapping[str, str]) -> CognitoIdentity | None:
    """The identity an IAM user's tags name, or None for a user that is no identity (a function's)."""
    if IDENTITY_ID_TAG not in tags:
        return None
    authenticated = tags.get(AUTHENTICATED_TAG) == "true"
    return CognitoIdentity(tags[IDENTITY_ID_TAG], tags.get(IDENTITY_POOL_TAG, ""), authenticated)


def _sessions(tags: Mapping[str, str]) -> dict[str, float]:
    sessions = {}
    for key, value in tags.items():
        if key.startswith(SESSION_TAG_PREFIX):
            try:
                sessions[key] = float(value)
            except ValueError:
                continue
    return sessions


def check_session_token(tags: Mapping[str, str], token: str | None, now: float) -> TokenProblem | None:
    """Why a request signed with an identity's key must be refused, or None when its token is live.

    A user whose tags name no identity issues long-term keys (the account's functions): no token is needed.
    """
    if cognito_identity_of(tags) is None:
        return None
    expires_at = None if token is None else _sessions(tags).get(session_tag(token, 0)[0])
    if expires_at is None:
        return "invalid"
    return "expired" if now >= expires_at else None


def stale_session_tags(tags: Mapping[str, str], now: float) -> list[str]:
    """The session tags to remove before adding one: the expired ones, then the oldest beyond `MAX_SESSIONS - 1`."""
    sessions = sorted(_sessions(tags).items(), key=lambda item: item[1])
    expired = [key for key, expires_at in sessions if now >= expires_at]
    live = [key for key, expires_at in sessions if now < expires_at]
    return expired + live[: max(0, len(live) - (MAX_SESSIONS - 1))]
