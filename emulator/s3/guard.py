"""`S3RequestGuard`: the ASGI middleware in front of moto that enforces what S3 enforces for browsers and presigning.

How it works: for each HTTP request addressed to a bucket (path-style or ``bucket.localhost``) the guard

- answers CORS preflights (OPTIONS) itself from the bucket's CORS rules, never reaching moto;
- verifies presigned requests (query-string SigV4 or SigV2) and answers S3's XML error instead of forwarding a bad
  one — moto would accept it;
- buffers a browser form POST upload, checks its signed policy, forwards the same bytes to moto, and replaces moto's
  success answer with S3's (status per ``success_action_*``, ``ETag``, ``Location``, the 201 ``PostResponse``);
- removes any ``Access-Control-*`` header moto adds and sets the bucket's own for a request with an ``Origin``;
- refuses anonymous requests (no signature of any kind) with ``AccessDenied``, as S3 does for a private bucket.

Header-signed requests (an ``Authorization`` header) go to moto unchanged, except for the CORS headers; requests
signed for another service, and requests not addressed to a bucket, pass through untouched. The checks are pure
functions (`emulator.s3.presign`, `emulator.s3.post_policy`, `emulator.s3.cors`); this module only moves ASGI messages.
Lookups run on the event loop, so they must answer from memory.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence

from emulator.asgi_messages import header_map, read_body, replay_body, s3_address_of
from emulator.middleware import ASGIApp, Message, Receive, S3Lookups, Scope, Send
from emulator.s3.addressing import S3Address, object_url
from emulator.s3.cors import CorsRule, actual_request_headers, parse_cors_rules, preflight_headers
from emulator.s3.errors import S3Error, error_body
from emulator.s3.post_policy import PostForm, parse_post_form, post_success_response, verify_post_policy
from emulator.s3.presign import PresignedRequest, presigned_auth_kind, verify_presigned_request

__all__ = ["S3RequestGuard", "s3_request_guard"]

BucketCorsLookup = Callable[[str], "Sequence[Mapping[str, object]] | None"]

_ONE_AUTH_MECHANISM = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or "
    "the Authorization header should be specified"
)
_POST_SUCCESS_STATUSES = frozenset({200, 201, 204, 303})


class S3RequestGuard:
    """ASGI middleware enforcing S3's presigned-URL, form POST policy and CORS rules in front of `app` (moto).

    `lookup_secret_key(access_key_id)` gives the secret of a known access key (None: unknown);
    `lookup_bucket_cors(bucket)` gives the bucket's CORS rules in the S3 API's shape, or None when it has none;
    `clock()` gives the current time in epoch seconds (injected so tests can move time instead of sleeping).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        lookup_secret_key: Callable[[str], str | None],
        lookup_bucket_cors: BucketCorsLookup,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._lookup_secret_key = lookup_secret_key
        self._lookup_bucket_cors = lookup_bucket_cors
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = header_map(scope)
        if _signed_for_another_service(headers.get("authorization", "")):
            await self._app(scope, receive, send)
            return
        try:
            address = s3_address_of(scope, headers)
        except S3Error as error:
            await _send_error(send, error, {})
            return
        if address.bucket is None:
            await self._app(scope, receive, send)
            return
        guarded = _GuardedRequest(
            self._app,
            scope,
            headers,
            address,
            lookup_secret_key=self._lookup_secret_key,
            lookup_bucket_cors=self._lookup_bucket_cors,
            now=self._clock(),
        )
        await guarded.handle(receive, send)


def s3_request_guard(app: ASGIApp, lookups: S3Lookups) -> S3RequestGuard:
    """A `MiddlewareFactory` for `emulator.server`: the guard around `app`, asking `lookups` about the emulator."""
    return S3RequestGuard(
        app, lookup_secret_key=lookups.lookup_secret_key, lookup_bucket_cors=lookups.lookup_bucket_cors
    )


class _GuardedRequest:
    """One request addressed to a bucket, on its way through the guard."""

    def __init__(
        self,
        app: ASGIApp,
        scope: Scope,
        headers: dict[str, str],
        address: S3Address,
        *,
        lookup_secret_key: Callable[[str], str | None],
        lookup_bucket_cors: BucketCorsLookup,
        now: float,
    ) -> None:
        self._app = app
        self._lookup_secret_key = lookup_secret_key
        self._lookup_bucket_cors = lookup_bucket_cors
        self._now = now
        self._scope = scope
        self._headers = headers
        self._address = address
        self._method = str(scope["method"]).upper()
        self._origin = headers.get("origin")
        self._bucket = address.bucket or ""
        self._cors_rules: tuple[CorsRule, ...] | None = None
        self._cors_looked_up = False

    def _bucket_cors(self) -> tuple[CorsRule, ...] | None:
        if not self._cors_looked_up:
            self._cors_rules = parse_cors_rules(self._lookup_bucket_cors(self._bucket))
            self._cors_looked_up = True
        return self._cors_rules

    def _cors_headers(self) -> dict[str, str]:
        if not self._origin:
            return {}
        return actual_request_headers(self._bucket_cors(), origin=self._origin, method=self._method)

    async def handle(self, receive: Receive, send: Send) -> None:
        try:
            if self._method == "OPTIONS":
                await self._answer_preflight(send)
                return
            query = self._scope.get("query_string", b"").decode("latin-1")
            request = PresignedRequest(self._method, self._headers.get("host", ""), self._address, query, self._headers)
            if presigned_auth_kind(request.params) is not None:
                if "authorization" in self._headers:
                    raise S3Error(
                        "InvalidArgument",
                        _ONE_AUTH_MECHANISM,
                        status=400,
                        details={"ArgumentName": "Authorization", "ArgumentValue": self._headers["authorization"]},
                    )
                verify_presigned_request(request, lookup_secret_key=self._lookup_secret_key, now=self._now)
            elif self._is_form_upload():
                await self._forward_form_upload(receive, send)
                return
            elif "authorization" not in self._headers:
                # sst-dev's buckets are private, as S3's are by default: no signature, no access.
                raise S3Error("AccessDenied", "Access Denied")
        except S3Error as error:
            await _send_error(send, error, self._cors_headers())
            return
        await self._app(self._scope, receive, self._with_cors(send))

    async def _answer_preflight(self, send: Send) -> None:
        headers = preflight_headers(
            self._bucket_cors(),
            origin=self._origin,
            request_method=self._headers.get("access-control-request-method"),
            request_headers=self._headers.get("access-control-request-headers"),
            resource_type="OBJECT" if self._address.key else "BUCKET",
        )
        await _send(send, 200, {**headers, "Content-Length": "0"}, b"")

    def _is_form_upload(self) -> bool:
        return (
            self._method == "POST"
            and self._address.key is None
            and "authorization" not in self._headers
            and self._headers.get("content-type", "").lower().startswith("multipart/form-data")
        )

    async def _forward_form_upload(self, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        form = parse_post_form(body, self._headers["content-type"])
        verify_post_policy(form, bucket=self._bucket, lookup_secret_key=self._lookup_secret_key, now=self._now)
        await self._app(self._scope, replay_body(body, receive), self._post_answer(form, send))

    def _post_answer(self, form: PostForm, send: Send) -> Send:
        """Replace moto's answer to an accepted upload with S3's; let its errors through."""
        replacing = False
        cors_send = self._with_cors(send)

        async def send_post_answer(message: Message) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start":
                replacing = message["status"] in _POST_SUCCESS_STATUSES
            if not replacing:
                await cors_send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                location = object_url(
                    self._address,
                    scheme=str(self._scope.get("scheme", "http")),
                    host=self._headers.get("host", ""),
                    key=form.object_key,
                )
                answer = post_success_response(form, bucket=self._bucket, location=location)
                await _send(send, answer.status, {**answer.headers, **self._cors_headers()}, answer.body)

        return send_post_answer

    def _with_cors(self, send: Send) -> Send:
        """`send`, with moto's CORS headers replaced by the ones the bucket's rules give."""

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if not bytes(name).lower().startswith(b"access-control-")
                ]
                added = [(name.encode(), value.encode()) for name, value in self._cors_headers().items()]
                message = {**message, "headers": kept + added}
            await send(message)

        return send_with_cors


def _signed_for_another_service(authorization: str) -> bool:
    """Whether a SigV4 Authorization header is scoped to a service other than S3 (moto serves them all here)."""
    _, found, rest = authorization.partition("Credential=")
    if not found:
        return False
    scope = rest.split(",", 1)[0].split("/")
    return len(scope) >= 4 and scope[3] != "s3"


async def _send(send: Send, status: int, headers: Mapping[str, str], body: bytes) -> None:
    raw_headers = [(name.lower().encode(), value.encode("latin-1", "replace")) for name, value in headers.items()]
    if "content-length" not in {name for name, _ in raw_headers}:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_error(send: Send, error: S3Error, cors_headers: Mapping[str, str]) -> None:
    request_id = secrets.token_hex(8).upper()
    headers = {"Content-Type": "application/xml", "x-amz-request-id": request_id, **cors_headers}
    await _send(send, error.status, headers, error_body(error, request_id))
