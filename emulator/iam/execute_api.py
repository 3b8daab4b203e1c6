"""API Gateway's `iam` authorizer, answered by the emulator, which holds the keys and policies it needs.

How it works: the dev server's gateway, for a route with `authorizer: "iam"`, posts what it received to
`POST /_sst/execute-api/authorize` on the emulator endpoint (JSON: `method`, `path` and `query` as sent, `headers`
as `[name, value]` pairs, `payloadHash` of the body, `resourceArn` of the route, `enforcePolicies`, and `action`:
`execute-api:Invoke` for a route, `execute-api:ManageConnections` for a WebSocket API's management API). This middleware
verifies the SigV4 signature (`emulator.iam.sigv4`), the session token of temporary credentials
(`emulator.iam.identity_tags`), and — unless `enforcePolicies` is false (`--no-iam`) — that the signer's policies allow
the action on the resource; then answers `200 {"iam": ...}` with `requestContext.authorizer.iam` as API
Gateway fills it, or `403 {"message": ...}` with API Gateway's message. Every other request goes on to moto.
Nothing secret leaves: the answer says only whether a signature holds and who made it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from emulator.asgi_messages import read_body
from emulator.iam.execute_api_path import AUTHORIZE_PATH
from emulator.iam.identity_tags import SECURITY_TOKEN_MESSAGES, check_session_token, cognito_identity_of
from emulator.iam.policy import IdentityLookup, evaluate
from emulator.iam.sigv4 import HeaderSignedRequest, SignatureRefused, verify_header_signature
from emulator.middleware import ASGIApp, Receive, S3Lookups, Scope, Send
from emulator.s3.presign import SecretKeyLookup

__all__ = [
    "ACTIONS",
    "AUTHORIZE_PATH",
    "ExecuteApiAuthorizer",
    "InvokeRequest",
    "authorize_invoke",
    "execute_api_authorizer",
]

_SERVICE = "execute-api"
ACTIONS = ("execute-api:Invoke", "execute-api:ManageConnections")
"""The actions this endpoint decides; the first is the default."""


@dataclass(frozen=True)
class InvokeRequest:
    """One request to authorize: the request as received, the resource's ARN, whether to check policies, and the
    action they must allow."""

    request: HeaderSignedRequest
    resource_arn: str
    enforce_policies: bool = True
    action: str = ACTIONS[0]

    @classmethod
    def from_document(cls, document: Mapping[str, object]) -> InvokeRequest:
        """Read the gateway's JSON; raises `ValueError` when it is not that shape."""
        headers = document.get("headers")
        if not isinstance(headers, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in headers):
            raise ValueError("headers must be a list of [name, value] pairs")
        joined: dict[str, str] = {}
        for name, value in headers:
            key = str(name).lower()
            joined[key] = f"{joined[key]},{value}" if key in joined else str(value)
        request = HeaderSignedRequest(
            method=str(document["method"]),
            path=str(document["path"]),
            query=str(document.get("query", "")),
            headers=joined,
            payload_hash=str(document["payloadHash"]),
        )
        action = str(document.get("action", ACTIONS[0]))
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        return cls(request, str(document["resourceArn"]), bool(document.get("enforcePolicies", True)), action)


def authorize_invoke(
    invoke: InvokeRequest,
    *,
    lookup_secret_key: SecretKeyLookup,
    lookup_identity: IdentityLookup,
    account_id: str,
    region: str,
    now: float,
) -> tuple[int, dict[str, object]]:
    """The answer for one request: `(200, {"iam": ...})` or `(403, {"message": ...})`, as API Gateway decides."""
    if "authorization" not in invoke.request.headers:
        return 403, {"message": "Forbidden"}
    try:
        signer = verify_header_signature(
            invoke.request, service=_SERVICE, region=region, lookup_secret_key=lookup_secret_key, now=now
        )
    except SignatureRefused as refused:
        return 403, {"message": str(refused)}
    identity = lookup_identity(signer.access_key_id)
    if identity is None:  # the account's own key: root, allowed everything
        root = {"userArn": f"arn:aws:iam::{account_id}:root", "userId": account_id, "callerId": account_id}
        return 200, {"iam": _iam_context(signer.access_key_id, account_id, root, None)}
    problem = check_session_token(identity.tags, invoke.request.headers.get("x-amz-security-token"), now)
    if problem is not None:
        return 403, {"message": SECURITY_TOKEN_MESSAGES[problem]}
    if invoke.enforce_policies:
        decision = evaluate(identity.statements, invoke.action, [invoke.resource_arn])
        if decision != "allow":
            reason = " with an explicit deny" if decision == "explicit_deny" else ""
            return 403, {
                "message": f"User: {identity.arn} is not authorized to perform: {invoke.action} on resource: "
                f"{invoke.resource_arn}{reason}"
            }
    cognito = cognito_identity_of(identity.tags)
    user = {"userArn": identity.arn, "userId": identity.user_id, "callerId": identity.user_id}
    cognito_document = None if cognito is None else cognito.document()
    return 200, {"iam": _iam_context(signer.access_key_id, account_id, user, cognito_document)}


def _iam_context(
    access_key: str, account_id: str, user: Mapping[str, str], cognito: Mapping[str, object] | None
) -> dict[str, object]:
    return {
        "accessKey": access_key,
        "accountId": account_id,
        "callerId": user["callerId"],
        "cognitoIdentity": cognito,
        "principalOrgId": None,
        "userArn": user["userArn"],
        "userId": user["userId"],
    }


class ExecuteApiAuthorizer:
    """Answers `POST /_sst/execute-api/authorize` (see the module docstring); passes everything else on."""

    def __init__(self, app: ASGIApp, lookups: S3Lookups, *, clock: Callable[[], float] = time.time) -> None:
        self._app = app
        self._lookups = lookups
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != AUTHORIZE_PATH:
            await self._app(scope, receive, send)
            return
        status: int
        answer: dict[str, object]
        if scope["method"] != "POST":
            status, answer = 405, {"message": f"POST {AUTHORIZE_PATH} only"}
        else:
            try:
                document = json.loads(await read_body(receive))
                if not isinstance(document, dict):
                    raise ValueError("expected a JSON object")
                invoke = InvokeRequest.from_document(document)
            except (ValueError, KeyError) as error:
                status, answer = 400, {"message": f"not an authorization request: {error}"}
            else:
                status, answer = authorize_invoke(
                    invoke,
                    lookup_secret_key=self._lookups.lookup_secret_key,
                    lookup_identity=self._lookups.lookup_identity,
                    account_id=self._lookups.account_id,
                    region=self._lookups.region,
                    now=self._clock(),
                )
        body = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def execute_api_authorizer(app: ASGIApp, lookups: S3Lookups) -> ASGIApp:
    """A `MiddlewareFactory` for `emulator.server`: the `iam` authorizer's endpoint in front of `app`."""
    return ExecuteApiAuthorizer(app, lookups)
