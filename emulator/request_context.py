"""Who made the request being served, so an S3 event can say so the way AWS does.

How it works: `RequestContextMiddleware` wraps the WSGI app. For each request it mints the request id and host id
(AWS's `x-amz-request-id` / `x-amz-id-2`), reads the caller's IP and access key id, and keeps them in a
`CurrentRequest` thread-local for the duration of the WSGI call — a2wsgi runs each call on one worker thread, and moto
fires its notification hook synchronously inside it. The same ids are written onto the response, so the
`responseElements` of an event match the headers the client received, as in AWS. The header parsing is pure.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "FORM_UPLOAD_SIGNER",
    "CurrentRequest",
    "RequestContext",
    "RequestContextMiddleware",
    "access_key_from_request",
    "new_host_id",
    "new_request_id",
]

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]
TokenBytes = Callable[[int], bytes]


FORM_UPLOAD_SIGNER = "sst_dev.form_upload_signer"
"""Set in the ASGI scope by the S3 guard when it hands a browser form upload to moto as the PutObject it amounts to:
the access key id that signed the form's policy (None for an anonymous upload). S3 reports that write as a POST."""


@dataclass(frozen=True)
class RequestContext:
    source_ip: str
    request_id: str
    host_id: str
    access_key_id: str | None
    form_upload: bool = False


def new_request_id(token_bytes: TokenBytes) -> str:
    """16 uppercase hex digits, the shape of S3's `x-amz-request-id`."""
    return token_bytes(8).hex().upper()


def new_host_id(token_bytes: TokenBytes) -> str:
    """Base64 of 48 random bytes, the shape of S3's `x-amz-id-2`."""
    return base64.b64encode(token_bytes(48)).decode()


def access_key_from_request(authorization: str | None, query_string: str) -> str | None:
    """The access key id that signed the request: SigV4 or SigV2, in the Authorization header or a presigned URL.

    Browser form POSTs carry it in the multipart body, which is not read here: the S3 guard names it
    (`FORM_UPLOAD_SIGNER`).
    """
    if authorization:
        if authorization.startswith("AWS4-HMAC-SHA256"):
            for part in authorization[len("AWS4-HMAC-SHA256") :].split(","):
                name, _, value = part.strip().partition("=")
                if name == "Credential":
                    return value.split("/", 1)[0] or None
        elif authorization.startswith("AWS "):
            return authorization[4:].split(":", 1)[0] or None
    query = parse_qs(query_string)
    for credential in query.get("X-Amz-Credential", []):
        return credential.split("/", 1)[0] or None
    for access_key_id in query.get("AWSAccessKeyId", []):
        return access_key_id or None
    return None


class CurrentRequest:
    """The `RequestContext` of the request the calling thread is serving, if any."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self) -> RequestContext | None:
        context: RequestContext | None = getattr(self._local, "context", None)
        return context

    def set(self, context: RequestContext | None) -> None:
        self._local.context = context


class RequestContextMiddleware:
    """WSGI middleware: records each request's `RequestContext` and stamps its ids on the response."""

    _ID_HEADERS = frozenset({"x-amz-request-id", "x-amz-id-2"})

    def __init__(self, app: WSGIApp, current: CurrentRequest, token_bytes: TokenBytes = os.urandom) -> None:
        self._app = app
        self._current = current
        self._token_bytes = token_bytes

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        scope = environ.get("asgi.scope") or {}  # the WSGI bridge's environ keeps the ASGI scope it came from
        form_upload = FORM_UPLOAD_SIGNER in scope
        context = RequestContext(
            source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
            request_id=new_request_id(self._token_bytes),
            host_id=new_host_id(self._token_bytes),
            access_key_id=scope[FORM_UPLOAD_SIGNER]
            if form_upload
            else access_key_from_request(environ.get("HTTP_AUTHORIZATION"), environ.get("QUERY_STRING", "")),
            form_upload=form_upload,
        )

        def start_with_ids(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() not in self._ID_HEADERS]
            kept += [("x-amz-request-id", context.request_id), ("x-amz-id-2", context.host_id)]
            return start_response(status, kept, exc_info)

        self._current.set(context)
        try:
            # Flask runs moto's view (and so the notification hook) inside this call, before the body is iterated.
            return self._app(environ, start_with_ids)
        finally:
            self._current.set(None)
