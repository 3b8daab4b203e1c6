"""`IamGuard`: ASGI middleware that enforces IAM users' identity policies in front of moto.

How it works: each function's worker signs its AWS calls with an IAM user's access key made for that function, whose
policy holds what the function binds and its `permissions`. For every request signed with such a key (SigV4 or SigV2,
in the `Authorization` header or a presigned query), the guard works out the action and resources AWS would check
(`emulator.iam.actions`) and evaluates the user's policies (`emulator.iam.policy`); a refusal is answered with the
service's own AccessDenied error, worded as AWS words it, so the handler sees exactly what production would say.
Requests signed with the emulator account's own key (tests, scripts, the Console, `--no-iam`) and unsigned ones pass
untouched: they have full access, as the account root does. S3, SSM and DynamoDB are checked; other services pass.

moto's own IAM enforcement is not used: it fails every presigned and anonymous S3 request with a 500, and its SSM
denials cannot be decoded by boto3.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from emulator.asgi_messages import header_map, read_body, replay_body, s3_address_of
from emulator.iam.actions import RequiredPermission, dynamodb_permissions, s3_permissions, ssm_permissions
from emulator.iam.identity_tags import SECURITY_TOKEN_MESSAGES, check_session_token
from emulator.iam.policy import Identity, IdentityLookup, evaluate
from emulator.iam.signer import access_key_of
from emulator.middleware import ASGIApp, Receive, S3Lookups, Scope, Send
from emulator.s3.errors import S3Error, error_body

__all__ = ["Identity", "IamGuard", "iam_guard"]

_CHECKED_SERVICES = frozenset({"s3", "ssm", "dynamodb"})


def _denial(identity: Identity, needed: RequiredPermission, resource: str, explicit: bool) -> str:
    reason = (
        "with an explicit deny in an identity-based policy"
        if explicit
        else f"because no identity-based policy allows the {needed.action} action"
    )
    return f"User: {identity.arn} is not authorized to perform: {needed.action} on resource: {resource} {reason}"


class IamGuard:
    """Refuses requests an IAM user's policies do not allow (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        lookup_identity: IdentityLookup,
        account_id: str,
        region: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._clock = clock
        self._lookup_identity = lookup_identity
        self._account_id = account_id
        self._region = region

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = header_map(scope)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        signer = access_key_of(headers, query)
        identity = None if signer is None else self._lookup_identity(signer.access_key_id)
        if signer is None or identity is None or signer.service not in _CHECKED_SERVICES:
            await self._app(scope, receive, send)
            return
        token = headers.get("x-amz-security-token") or _query_value(query, "x-amz-security-token")
        problem = check_session_token(identity.tags, token, self._clock())
        if problem is not None:
            await _send_refusal(send, signer.service, _TOKEN_REFUSALS[signer.service == "s3", problem])
            return
        region = signer.region or self._region
        target = headers.get("x-amz-target", "")
        if signer.service in ("ssm", "dynamodb") and "." in target:
            body = await read_body(receive)
            receive = replay_body(body, receive)
            try:
                document = json.loads(body or b"{}")
            except ValueError:
                document = {}
            operation = target.rsplit(".", 1)[1]
            permissions = ssm_permissions if signer.service == "ssm" else dynamodb_permissions
            needed = [permissions(operation, document, region=region, account=self._account_id)]
        elif signer.service == "s3":
            try:
                address = s3_address_of(scope, headers)
            except S3Error:
                await self._app(scope, receive, send)  # the S3 guard answers malformed addresses
                return
            needed = s3_permissions(scope["method"], address.bucket, address.key, query, headers)
        else:
            await self._app(scope, receive, send)
            return
        for permission in needed:
            for resource in permission.resources:
                decision = evaluate(identity.statements, permission.action, [resource])
                if decision != "allow":
                    message = _denial(identity, permission, resource, decision == "explicit_deny")
                    code = "AccessDenied" if signer.service == "s3" else "AccessDeniedException"
                    await _send_refusal(send, signer.service, _Refusal(code, message, 403))
                    return
        await self._app(scope, receive, send)


def _query_value(query: Mapping[str, str], name: str) -> str | None:
    # SigV4 presigned URLs carry `X-Amz-Security-Token`, SigV2 ones `x-amz-security-token`.
    return next((value for key, value in query.items() if key.lower() == name), None)


@dataclass(frozen=True)
class _Refusal:
    code: str
    message: str
    s3_status: int


# Temporary credentials refused as each service refuses them: (is S3, problem) -> the error.
_TOKEN_REFUSALS = {
    (True, "invalid"): _Refusal("InvalidToken", "The provided token is malformed or otherwise invalid.", 400),
    (True, "expired"): _Refusal("ExpiredToken", "The provided token has expired.", 400),
    (False, "invalid"): _Refusal("UnrecognizedClientException", SECURITY_TOKEN_MESSAGES["invalid"], 400),
    (False, "expired"): _Refusal("ExpiredTokenException", SECURITY_TOKEN_MESSAGES["expired"], 400),
}


async def _send_refusal(send: Send, service: str | None, refusal: _Refusal) -> None:
    # S3 answers XML with its status; the JSON services answer 400 with their `__type`, as botocore expects.
    if service == "s3":
        status, content_type = refusal.s3_status, b"application/xml"
        body = error_body(S3Error(refusal.code, refusal.message, status=refusal.s3_status), request_id="0")
    else:
        status, content_type = 400, b"application/x-amz-json-1.1"
        body = json.dumps({"__type": refusal.code, "message": refusal.message}).encode()
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def iam_guard(app: ASGIApp, lookups: S3Lookups) -> ASGIApp:
    """A `MiddlewareFactory` for `emulator.server`: the IAM guard around `app`."""
    return IamGuard(
        app,
        lookup_identity=lookups.lookup_identity,
        account_id=lookups.account_id,
        region=lookups.region,
    )
