"""The HTTP endpoints of each `Auth`, under `/_sst/auth/<auth id>/` on every listener of the dev server.

JSON in and out, named as Cognito's APIs name things so client code reads the same:

- `POST sign-up` `{"username", "password"}` → `{"UserSub", "UserConfirmed": true}` (SignUp; no confirmation step)
- `POST sign-in` `{"username", "password"}` → `{"AuthenticationResult": {"IdToken", "AccessToken", "RefreshToken",
  "ExpiresIn", "TokenType"}}` (InitiateAuth with USER_PASSWORD_AUTH)
- `POST token` `grant_type=refresh_token&refresh_token=...` (form or JSON) → `{"id_token", "access_token",
  "expires_in", "token_type"}` (the hosted UI's `/oauth2/token`)
- `GET .well-known/jwks.json`, `GET .well-known/openid-configuration` (at the token issuer, as Cognito's)
- `POST credentials` with `Authorization: Bearer <id token>` → `{"IdentityId", "Credentials": {"AccessKeyId",
  "SecretKey", "SessionToken", "Expiration"}}` (GetId + GetCredentialsForIdentity); without a token, a guest
  identity (body `{"IdentityId": ...}` to keep an earlier one).

Refusals are `{"code", "message", "value"}` with Cognito's exception name as `code`. The blocking work (scrypt,
calls to the emulator's IAM) runs in FastAPI's thread pool: the endpoints are plain functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from devserver.apigw.jwt_authorizer import bearer_token
from devserver.auth import AUTH_PREFIX
from devserver.auth.errors import AuthError

if TYPE_CHECKING:
    from devserver.auth.service import AuthService

__all__ = ["auth_router"]


class Credentials(BaseModel):
    username: str
    password: str


def auth_router(service: Callable[[], AuthService]) -> APIRouter:
    """The endpoints above; `service()` gives the running server's `AuthService`."""
    router = APIRouter(prefix=AUTH_PREFIX + "/{auth_id}")

    @router.post("/sign-up")
    def sign_up(auth_id: str, body: Credentials) -> dict[str, Any]:
        user = service().sign_up(auth_id, body.username, body.password)
        return {"UserSub": user.sub, "UserConfirmed": True}

    @router.post("/sign-in")
    def sign_in(auth_id: str, body: Credentials) -> dict[str, Any]:
        return {"AuthenticationResult": service().sign_in(auth_id, body.username, body.password)}

    @router.post("/token")
    async def token(auth_id: str, request: Request) -> dict[str, Any]:
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                form = json.loads(raw or b"{}")
            except ValueError:
                form = None
        else:
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
        if not isinstance(form, dict) or form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            raise AuthError("unsupported_grant_type", "expected grant_type=refresh_token and a refresh_token")
        result = service().refresh(auth_id, str(form["refresh_token"]))
        return {
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "expires_in": result["ExpiresIn"],
            "token_type": "Bearer",
        }

    @router.get("/.well-known/jwks.json")
    def jwks(auth_id: str) -> dict[str, Any]:
        return service().jwks(auth_id)

    @router.get("/.well-known/openid-configuration")
    def openid_configuration(auth_id: str) -> dict[str, Any]:
        service().auth(auth_id)  # an unknown Auth is a 404, as for every other endpoint
        issuer = service().issuer_url(auth_id)
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/token",
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["token"],
        }

    @router.post("/credentials")
    async def credentials(auth_id: str, request: Request) -> dict[str, object]:
        token = bearer_token(request.headers.get("authorization"))
        guest = None
        if token is None:
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                body = {}
            guest = body.get("IdentityId") if isinstance(body, dict) else None
        # Issuing calls the emulator: keep it off the event loop.
        issued = await run_in_threadpool(service().credentials, auth_id, token, guest)
        return issued.document()

    return router
