"""`IamGuard`: ASGI middleware that enforces IAM users' identity policies in front of moto.

How it works: each function's worker signs its AWS calls with an IAM user's access key made for that function, whose
policy holds what the function binds and its `permissions`. For every request signed with such a key (SigV4 or SigV2,
in the `Authorization` header or a presigned query), the guard works out the action and resources AWS would check
(`emulator.iam.actions`) and evaluates the user's policies (`emulator.iam.policy`); a refusal is answered with the
service's own AccessDenied error, worded as AWS words it, so the handler sees exactly what production would say.
Requests signed with the emulator account's own key (tests, scripts, the Console, `--no-iam`) and unsigned ones pass
untouched: they have full access, as the account root does. S3, SSM, DynamoDB, SQS, SNS and EventBridge are
checked; other services pass.

moto's own IAM enforcement is not used: it fails every presigned and anonymous S3 request with a 500, and its SSM
denials cannot be decoded by boto3.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from emulator.asgi_messages import close_if_body_unread, header_map, read_body, replay_body, s3_address_of
from emulator.iam.actions import (
    RequiredPermission,
    dynamodb_permissions,
    events_permissions,
    s3_permissions,
    sns_permissions,
    sqs_permissions,
    ssm_permissions,
)
from emulator.iam.identity_tags import SECURITY_TOKEN_MESSAGES, check_session_token
from emulator.iam.policy import Identity, IdentityLookup, evaluate
from emulator.iam.signer import access_key_of
from emulator.middleware import ASGIApp, Receive, S3Lookups, Scope, Send
from emulator.s3.errors import S3Error, error_body

__all__ = ["Identity", "IamGuard", "iam_guard"]

_API_PERMISSIONS: dict[str, Callable[..., RequiredPermission]] = {
    "ssm": ssm_permissions,
    "dynamodb": dynamodb_permissions,
    "sqs": sqs_permissions,
    "sns": sns_permissions,
    "events": events_permissions,
}
"""The services whose calls name their operation in `X-Amz-Target` (JSON) or an `Action` parameter (query)."""
_CHECKED_SERVICES = frozenset({"s3", *_API_PERMISSIONS})
_ACCESS_DENIED = {"s3": "AccessDenied", "sqs": "AccessDenied", "sns": "AuthorizationError"}
"""Each service's code for a denied call (the rest say `AccessDeniedException`)."""


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
        unread = close_if_body_unread(headers)  # a refusal sent before the body is read closes the connection
        token = headers.get("x-amz-security-token") or _query_value(query, "x-amz-security-token")
        problem = check_session_token(identity.tags, token, self._clock())
        if problem is not None:
            await _send_refusal(send, signer.service, _TOKEN_REFUSALS[signer.service == "s3", problem], unread)
            return
        region = signer.region or self._region
        target = headers.get("x-amz-target", "")
        if signer.service in _API_PERMISSIONS:
            body = await read_body(receive)
            receive = replay_body(body, receive)
            unread = {}
            operation, document = _operation(target, body)
            permissions = _API_PERMISSIONS[signer.service]
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
                    code = _ACCESS_DENIED.get(signer.service, "AccessDeniedException")
                    query_api = signer.service in _API_PERMISSIONS and "." not in target
                    await _send_refusal(send, signer.service, _Refusal(code, message, 403), unread, query=query_api)
                    return
        await self._app(scope, receive, send)


def _operation(target: str, body: bytes) -> tuple[str, dict[str, Any]]:
    """The operation and its parameters: a JSON call's `X-Amz-Target` and body, or a query call's form fields."""
    if "." in target:
        try:
            document = json.loads(body or b"{}")
        except ValueError:
            document = {}
        return target.rsplit(".", 1)[1], document if isinstance(document, dict) else {}
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return form.get("Action", ""), form


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


async def _send_refusal(
    send: Send, service: str | None, refusal: _Refusal, extra: Mapping[str, str], *, query: bool = False
) -> None:
    # S3 answers XML with its status; the JSON services answer 400 with their `__type`, as botocore expects; the
    # query APIs (SNS, SQS's older protocol) answer an `ErrorResponse` document with 403.
    if service == "s3":
        status, content_type = refusal.s3_status, b"application/xml"
        body = error_body(S3Error(refusal.code, refusal.message, status=refusal.s3_status), request_id="0")
    elif query:
        status, content_type = 403, b"text/xml"
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{escape(refusal.code)}</Code>"
            f"<Message>{escape(refusal.message)}</Message></Error><RequestId>0</RequestId></ErrorResponse>"
        ).encode()
    else:
        status, content_type = 400, b"application/x-amz-json-1.1"
        body = json.dumps({"__type": refusal.code, "message": refusal.message}).encode()
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in extra.items()]
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
