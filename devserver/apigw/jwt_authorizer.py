"""API Gateway's JWT authorizer for HTTP APIs, over a token verifier: pure decision logic, no I/O.

As AWS: the token comes from the `Authorization` header (a `Bearer ` prefix is optional); a missing, malformed,
expired or foreign token is `401 {"message":"Unauthorized"}`; a route with `authorization_scopes` needs the token's
`scope` claim to hold one of them, else `403 {"message":"Forbidden"}`. A passing request's event gets
`requestContext.authorizer.jwt` with every claim as a string (HTTP APIs stringify numbers, booleans and arrays)
and the token's scopes (null when it has none, as for id tokens).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devserver.apigw import HttpResponse
from devserver.app.model import RouteAuthorizer
from devserver.errors import CodedError

__all__ = [
    "FORBIDDEN",
    "UNAUTHORIZED",
    "AuthorizerDecision",
    "TokenVerifier",
    "authorize_jwt",
    "bearer_token",
    "claim_string",
    "message_response",
]


def message_response(status: int, message: str) -> HttpResponse:
    """API Gateway's own answer: `{"message": ...}` as JSON."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status, (("content-type", "application/json"),), body)


UNAUTHORIZED = message_response(401, "Unauthorized")
FORBIDDEN = message_response(403, "Forbidden")

TokenVerifier = Callable[[str, str, Sequence[str]], Mapping[str, Any]]
"""`(auth id, token, client ids) -> claims`; raises a `CodedError` (Cognito's `NotAuthorizedException`) for a token that
does not pass."""


@dataclass(frozen=True)
class AuthorizerDecision:
    """Either a refusal to send instead of invoking, or the `requestContext.authorizer` the event gets."""

    refusal: HttpResponse | None = None
    context: Mapping[str, object] | None = None


def claim_string(value: object) -> str:
    """A claim as HTTP APIs pass it on: strings as they are, numbers and booleans as text, arrays as `[a b]`."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(claim_string(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{claim_string(v)}" for k, v in value.items()) + "]"
    return str(value)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization` header, with or without the `Bearer ` prefix (API Gateway takes both)."""
    if not authorization:
        return None
    scheme, _, rest = authorization.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else authorization.strip()
    return token or None


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def authorize_jwt(
    authorizer: RouteAuthorizer, headers: Sequence[tuple[str, str]], verify: TokenVerifier
) -> AuthorizerDecision:
    """The decision for one request to a route protected by `authorizer`."""
    token = bearer_token(_header(headers, "authorization"))
    if token is None:
        return AuthorizerDecision(refusal=UNAUTHORIZED)
    try:
        claims = verify(authorizer.auth_id, token, authorizer.client_ids)
    except CodedError:
        return AuthorizerDecision(refusal=UNAUTHORIZED)
    scope_claim = claims.get("scope")
    scopes = str(scope_claim).split() if scope_claim else None
    if authorizer.scopes and not set(authorizer.scopes) & set(scopes or ()):
        return AuthorizerDecision(refusal=FORBIDDEN)
    jwt_context = {"claims": {name: claim_string(value) for name, value in claims.items()}, "scopes": scopes}
    return AuthorizerDecision(context={"jwt": jwt_context})
