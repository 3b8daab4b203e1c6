"""Requests boto3 would not send: any method, path, query, headers and body, SigV4-signed as a client would sign them.

`send` writes the request with `http.client` (no normalising of what it is given) and returns the status, headers and
body. `signed_headers` signs with botocore's own S3 signer over exactly the headers given, with the payload hash the
caller states or the body's. `aws_chunked` frames a body as an SDK streams it: signed (each chunk signed, the first
against the request's signature) or unsigned with a checksum trailer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator.process import EmulatorProcess

REGION = "us-east-1"
SIGNED_STREAM = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
UNSIGNED_STREAM = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class _StatedPayloadAuth(S3SigV4Auth):
    """botocore's S3 signer over a stated payload hash (an aws-chunked marker, or a hash that does not match)."""

    def __init__(self, credentials: Credentials, payload: str | None) -> None:
        super().__init__(credentials, "s3", REGION)
        self._payload = payload

    def payload(self, request: AWSRequest) -> str:
        return self._payload if self._payload is not None else super().payload(request)


def signed_headers(
    emulator: EmulatorProcess,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes = b"",
    *,
    access_key: str = "test",
    secret: str = "test",
    payload: str | None = None,
) -> dict[str, str]:
    """`headers` with the SigV4 headers a client adds (X-Amz-Date, x-amz-content-sha256, Authorization)."""
    request = AWSRequest(method=method, url=emulator.endpoint + target, headers=dict(headers), data=body)
    _StatedPayloadAuth(Credentials(access_key, secret), payload).add_auth(request)
    return dict(request.headers.items())


def send(emulator: EmulatorProcess, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Answer:
    """Send one request as given (`target` is the path and query, already encoded) and read the whole answer."""
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_host="host" in {name.lower() for name in headers})
        for name, value in headers.items():
            connection.putheader(name, value)
        if body or method in ("PUT", "POST"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        answer = Answer(
            response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
        )
    finally:
        connection.close()
    return answer


def aws_chunked(
    data: bytes, headers: Mapping[str, str], *, signed: bool, chunk_size: int = 5, secret: str = "test"
) -> bytes:
    """`data` framed as an aws-chunked body: with chunk signatures chained from the request's signed `headers`
    (signed), or unsigned with an ``x-amz-checksum-crc32`` trailer."""
    chunks = [data[start : start + chunk_size] for start in range(0, len(data), chunk_size)]
    if not signed:
        crc32 = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        framed = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for chunk in chunks)
        return framed + f"0\r\nx-amz-checksum-crc32:{crc32}\r\n\r\n".encode()
    amz_date = headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    key = f"AWS4{secret}".encode()
    for part in (amz_date[:8], REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    previous = headers["Authorization"].rsplit("Signature=", 1)[1]
    framed = b""
    for chunk in [*chunks, b""]:
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous]
            + [hashlib.sha256(b"").hexdigest(), hashlib.sha256(chunk).hexdigest()]
        )
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        framed += f"{len(chunk):x};chunk-signature={previous}\r\n".encode() + chunk + b"\r\n"
    return framed
