"""`S3RequestGuard`: the ASGI middleware in front of moto that enforces what S3 enforces for browsers and presigning.

How it works: for each HTTP request addressed to a bucket (path-style or ``bucket.localhost``) the guard

- answers CORS preflights (OPTIONS) itself from the bucket's CORS rules, never reaching moto;
- verifies presigned requests (query-string SigV4 or SigV2) and answers S3's XML error instead of forwarding a bad
  one — moto would accept it;
- reads a browser form POST upload, checks it as S3 does (its signed policy, or for an anonymous one what the bucket
  grants the public), hands it to moto as the PutObject it amounts to, and answers as S3 answers the POST
  (`emulator.s3.post_form`, `emulator.s3.post_policy`, `emulator.s3.post_object`, `emulator.s3.post_answer`);
- removes any ``Access-Control-*`` header moto adds and sets the bucket's own for a request with an ``Origin``;
- verifies header-signed requests (an ``Authorization`` header) and answers S3's error for an unknown key or a wrong
  signature — moto would accept those too; ListBuckets, addressed to no bucket, is checked the same way;
- lets anonymous requests (no signature of any kind) do what the bucket and object grant the public (ACLs, bucket
  policy) and answers the rest as S3 does: AccessDenied, or NoSuchBucket for a bucket that does not exist.

Requests signed for another service, and other requests not addressed to a bucket, pass through untouched. The checks
are pure functions (`emulator.s3.presign`, `emulator.s3.header_auth`, `emulator.s3.public_access`,
`emulator.s3.post_policy`, `emulator.s3.cors`); this module only moves ASGI messages.
Lookups run on the event loop, so they must answer from memory.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

from emulator.asgi_messages import (
    HEADER_MAP_KEY,
    close_if_body_unread,
    header_map,
    read_body,
    replay_body,
    s3_address_of,
)
from emulator.middleware import ASGIApp, Message, Receive, S3Lookups, Scope, Send
from emulator.request_context import FORM_UPLOAD_SIGNER
from emulator.s3.addressing import S3Address
from emulator.s3.cors import CorsRule, actual_request_headers, parse_cors_rules, preflight_headers
from emulator.s3.errors import S3Error, error_body
from emulator.s3.header_auth import verify_authorization_header
from emulator.s3.operations import check_operation
from emulator.s3.post_answer import post_success_response
from emulator.s3.post_form import PostForm, check_object_fields, parse_post_form
from emulator.s3.post_object import object_headers
from emulator.s3.post_policy import form_signature_version, signer_headers, verify_post_policy
from emulator.s3.presign import PresignedRequest, presigned_auth_kind, verify_presigned_request
from emulator.s3.public_access import PRIVATE, PublicGrants, check_anonymous_request

__all__ = ["S3RequestGuard", "s3_request_guard"]

BucketCorsLookup = Callable[[str], "Sequence[Mapping[str, object]] | None"]
PublicGrantsLookup = Callable[[str, "str | None", "str | None"], "PublicGrants | None"]

_ONE_AUTH_MECHANISM = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or "
    "the Authorization header should be specified"
)
# moto re-checks an unsigned write against the ACL of the object it replaces, not the bucket's grants. An anonymous
# upload the guard has let through by S3's rules goes in under a key no one holds: the IAM guard finds no identity for
# it, and moto stores it for the account that owns the bucket.
_PUBLIC_UPLOAD = {"authorization": "AWS anonymous:"}


class S3RequestGuard:
    """ASGI middleware enforcing S3's presigned-URL, form POST policy and CORS rules in front of `app` (moto).

    `lookup_secret_key(access_key_id)` gives the secret of a known access key (None: unknown);
    `lookup_bucket_cors(bucket)` gives the bucket's CORS rules in the S3 API's shape, or None when it has none;
    `lookup_public_grants(bucket, key, version_id)` what the bucket and object grant everyone, None for no such bucket
    (by default every bucket exists and grants nothing);
    `clock()` gives the current time in epoch seconds (injected so tests can move time instead of sleeping).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        lookup_secret_key: Callable[[str], str | None],
        lookup_bucket_cors: BucketCorsLookup,
        lookup_public_grants: PublicGrantsLookup = lambda bucket, key, version_id: PRIVATE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._lookup_secret_key = lookup_secret_key
        self._lookup_bucket_cors = lookup_bucket_cors
        self._lookup_public_grants = lookup_public_grants
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
            await _send_error(send, error, close_if_body_unread(headers))
            return
        if address.bucket is None:
            try:
                check_operation(str(scope["method"]).upper(), bucket=None, key=None, query={}, headers=headers)
                if headers.get("authorization", "").strip():  # ListBuckets is checked as any S3 call
                    verify_authorization_header(
                        _signed_request(scope, headers, address),
                        lookup_secret_key=self._lookup_secret_key,
                        now=self._clock(),
                    )
            except S3Error as error:
                await _send_error(send, error, close_if_body_unread(headers))
                return
            await self._app(scope, receive, send)
            return
        guarded = _GuardedRequest(
            self._app,
            scope,
            headers,
            address,
            lookup_secret_key=self._lookup_secret_key,
            lookup_bucket_cors=self._lookup_bucket_cors,
            lookup_public_grants=self._lookup_public_grants,
            now=self._clock(),
        )
        await guarded.handle(receive, send)


def s3_request_guard(app: ASGIApp, lookups: S3Lookups) -> S3RequestGuard:
    """A `MiddlewareFactory` for `emulator.server`: the guard around `app`, asking `lookups` about the emulator."""
    return S3RequestGuard(
        app,
        lookup_secret_key=lookups.lookup_secret_key,
        lookup_bucket_cors=lookups.lookup_bucket_cors,
        lookup_public_grants=lookups.lookup_public_grants,
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
        lookup_public_grants: PublicGrantsLookup,
        now: float,
    ) -> None:
        self._app = app
        self._lookup_secret_key = lookup_secret_key
        self._lookup_bucket_cors = lookup_bucket_cors
        self._lookup_public_grants = lookup_public_grants
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
            request = _signed_request(self._scope, self._headers, self._address)
            query = dict(request.params)
            key = self._address.key
            check_operation(self._method, bucket=self._bucket, key=key, query=query, headers=self._headers)
            if presigned_auth_kind(request.params) is not None:
                if "authorization" in self._headers:
                    raise S3Error(
                        "InvalidArgument",
                        _ONE_AUTH_MECHANISM,
                        status=400,
                        details={"ArgumentName": "Authorization", "ArgumentValue": self._headers["authorization"]},
                    )
                verify_presigned_request(request, lookup_secret_key=self._lookup_secret_key, now=self._now)
            elif self._is_form_upload(query):
                await self._forward_form_upload(receive, send)
                return
            elif self._headers.get("authorization", "").strip():
                verify_authorization_header(request, lookup_secret_key=self._lookup_secret_key, now=self._now)
            else:
                self._check_anonymous(query)
        except S3Error as error:
            await _send_error(send, error, {**self._cors_headers(), **close_if_body_unread(self._headers)})
            return
        await self._app(self._scope, receive, self._with_cors(send))

    def _check_anonymous(self, query: dict[str, str]) -> None:
        """An unsigned request gets what the bucket and object grant the public, and S3's answer for the rest."""
        key = self._address.key
        check_anonymous_request(
            self._lookup_public_grants(self._bucket, key, query.get("versionId")),
            method=self._method,
            bucket=self._bucket,
            key=key,
            query=query,
            headers=self._headers,
        )

    async def _answer_preflight(self, send: Send) -> None:
        headers = preflight_headers(
            self._bucket_cors(),
            origin=self._origin,
            request_method=self._headers.get("access-control-request-method"),
            request_headers=self._headers.get("access-control-request-headers"),
            resource_type="OBJECT" if self._address.key else "BUCKET",
        )
        await _send(send, 200, {**headers, "Content-Length": "0"}, b"")

    def _is_form_upload(self, query: Mapping[str, str]) -> bool:
        """A POST to the bucket itself with no Authorization header is S3's POST Object (`check_operation` has refused
        one that is no multipart form), unless ``?delete`` makes it DeleteObjects."""
        return (
            self._method == "POST"
            and self._address.key is None
            and "authorization" not in self._headers
            and "delete" not in query
        )

    async def _forward_form_upload(self, receive: Receive, send: Send) -> None:
        """Check a form upload as S3 does, hand it to moto as the PutObject it amounts to, and answer as S3 does."""
        form = parse_post_form(await read_body(receive), self._headers.get("content-type", ""))
        key, content = check_object_fields(form)
        signer: str | None = None
        if form_signature_version(form) is None:
            # An anonymous upload is the public's PutObject: the bucket's ACL or policy must allow it.
            grants = self._lookup_public_grants(self._bucket, None, None)
            check_anonymous_request(grants, method="PUT", bucket=self._bucket, key=key, query={}, headers={})
            signed_by = _PUBLIC_UPLOAD
        else:
            signer = verify_post_policy(
                form, bucket=self._bucket, lookup_secret_key=self._lookup_secret_key, now=self._now
            )
            signed_by = signer_headers(form)
        headers = {**dict(object_headers(form, content)), **signed_by}
        put = self._object_put_scope(key, headers, len(content), signer)
        await self._app(put, replay_body(content, receive), self._post_answer(form, key, send))

    def _object_put_scope(self, key: str, headers: Mapping[str, str], length: int, signer: str | None) -> Scope:
        """The scope of the PutObject an upload amounts to: the same connection, host and addressing style, the
        object's headers instead of the browser's, and the signer for the write's S3 event (`FORM_UPLOAD_SIGNER`)."""
        path = f"/{key}" if self._address.virtual_host else f"/{self._bucket}/{key}"
        wire = [("host", self._headers.get("host", "")), ("content-length", str(length)), *headers.items()]
        scope = {name: value for name, value in self._scope.items() if name != HEADER_MAP_KEY}
        scope.update(
            method="PUT",
            path=path,
            raw_path=quote(path, safe="/~").encode(),
            query_string=b"",
            headers=[(name.encode(), value.encode()) for name, value in wire],
        )
        scope[FORM_UPLOAD_SIGNER] = signer
        return scope

    def _post_answer(self, form: PostForm, key: str, send: Send) -> Send:
        """Answer as S3 answers the POST once moto has stored the object (its 200); let moto's errors through."""
        stored: dict[str, str] | None = None
        cors_send = self._with_cors(send)
        scheme = str(self._scope.get("scheme", "http"))
        host = self._headers.get("host", "")
        bucket_url = f"{scheme}://{host}" if self._address.virtual_host else f"{scheme}://{host}/{self._bucket}"

        async def send_post_answer(message: Message) -> None:
            nonlocal stored
            if message["type"] == "http.response.start" and message["status"] == 200:
                stored = {bytes(n).decode("latin-1").lower(): bytes(v).decode("latin-1") for n, v in message["headers"]}
            elif stored is None:
                await cors_send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answer = post_success_response(form, bucket=self._bucket, key=key, bucket_url=bucket_url, stored=stored)
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


def _signed_request(scope: Scope, headers: dict[str, str], address: S3Address) -> PresignedRequest:
    query = scope.get("query_string", b"").decode("latin-1")
    return PresignedRequest(str(scope["method"]).upper(), headers.get("host", ""), address, query, headers)


def _signed_for_another_service(authorization: str) -> bool:
    """Whether a SigV4 Authorization header is scoped to a service other than S3 (moto serves them all here); one
    without a well-formed scope is S3's to refuse."""
    _, found, rest = authorization.partition("Credential=")
    if not found:
        return False
    scope = rest.split(",", 1)[0].split("/")
    return len(scope) == 5 and scope[4] == "aws4_request" and scope[3] != "s3"


async def _send(send: Send, status: int, headers: Mapping[str, str], body: bytes) -> None:
    raw_headers = [(name.lower().encode(), value.encode("latin-1", "replace")) for name, value in headers.items()]
    if "content-length" not in {name for name, _ in raw_headers}:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_error(send: Send, error: S3Error, extra_headers: Mapping[str, str]) -> None:
    request_id = secrets.token_hex(8).upper()
    headers = {"Content-Type": "application/xml", "x-amz-request-id": request_id, **extra_headers}
    await _send(send, error.status, headers, error_body(error, request_id))
