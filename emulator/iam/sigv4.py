"""Verification of header-signed SigV4 requests (`Authorization: AWS4-HMAC-SHA256 Credential=...`), as AWS does it.

The request is re-signed with botocore's own SigV4 signer — its `X-Amz-Date`, credential scope and exactly the
headers it says it signed — and refused with AWS's wording when the header is malformed, the scope names another
service or region, the key is unknown, the signing time is more than five minutes away from now, or the signature
differs. Pure: the secret keys come from a lookup, the time is a parameter.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from emulator.iam.identity_tags import SECURITY_TOKEN_MESSAGES
from emulator.s3.presign import SecretKeyLookup, claimed_headers, parse_amz_date

__all__ = ["HeaderSignedRequest", "SignatureRefused", "SigV4Scope", "verify_header_signature"]

_ALGORITHM = "AWS4-HMAC-SHA256"
_PARTS = ("Credential", "SignedHeaders", "Signature")
_MAX_SKEW = 300.0  # AWS refuses a signature made more than five minutes before or after its clock
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)


class SignatureRefused(Exception):
    """The request's signature does not pass; `str()` is AWS's message for it."""


@dataclass(frozen=True)
class HeaderSignedRequest:
    """A request as received: its path and query as sent (still percent-encoded), lower-case header names (repeated
    headers joined with `,`), and the SHA-256 hex digest of its body."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    payload_hash: str


@dataclass(frozen=True)
class SigV4Scope:
    """Who signed, as the `Credential` scope says."""

    access_key_id: str
    region: str
    service: str


def _authorization_parts(authorization: str) -> tuple[dict[str, str], list[str]]:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != _ALGORITHM:
        raise SignatureRefused(f"Authorization header requires the {_ALGORITHM} algorithm, got {algorithm!r}.")
    parts: dict[str, str] = {}
    for item in re.split(r",\s*", rest.strip()):
        name, _, value = item.partition("=")
        parts[name.strip()] = value.strip()
    missing = [name for name in _PARTS if not parts.get(name)]
    return parts, missing


def _scope(credential: str) -> tuple[SigV4Scope, str]:
    fields = credential.split("/")
    if len(fields) != 5 or fields[4] != "aws4_request":
        raise SignatureRefused(
            f"Credential should be <key>/<date>/<region>/<service>/aws4_request, got {credential!r}."
        )
    return SigV4Scope(fields[0], fields[2], fields[3]), fields[1]


class _ClaimedHeadersAuth(SigV4Auth):
    """botocore's SigV4 signer, signing exactly the headers the request says it signed, over a given payload hash."""

    def __init__(self, credentials: Credentials, scope: SigV4Scope, signed: tuple[str, ...], payload: str) -> None:
        super().__init__(credentials, scope.service, scope.region)
        self._signed = signed
        self._payload = payload

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return claimed_headers(request, self._signed)

    def payload(self, request: AWSRequest) -> str:
        return self._payload


def verify_header_signature(
    request: HeaderSignedRequest, *, service: str, region: str, lookup_secret_key: SecretKeyLookup, now: float
) -> SigV4Scope:
    """Check a request signed for `service` in `region`; return who signed it, or raise `SignatureRefused`."""
    parts, missing = _authorization_parts(request.headers.get("authorization", ""))
    if missing:
        raise SignatureRefused(" ".join(f"Authorization header requires '{name}' parameter." for name in missing))
    scope, date = _scope(parts["Credential"])
    if scope.service != service:
        raise SignatureRefused(f"Credential should be scoped to correct service: '{service}'.")
    if scope.region != region:
        raise SignatureRefused(f"Credential should be scoped to a valid region, not '{scope.region}'.")
    amz_date = request.headers.get("x-amz-date", "")
    signed_at = parse_amz_date(amz_date)
    if signed_at is None:
        raise SignatureRefused("Authorization header requires existence of a valid 'X-Amz-Date' header.")
    if not amz_date.startswith(date):
        raise SignatureRefused("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date.")
    if abs(now - signed_at) > _MAX_SKEW:
        raise SignatureRefused(f"Signature expired: {amz_date} is now earlier or later than 5 min. from now.")
    secret = lookup_secret_key(scope.access_key_id)
    if secret is None:
        raise SignatureRefused(SECURITY_TOKEN_MESSAGES["invalid"])
    signed = tuple(parts["SignedHeaders"].lower().split(";"))
    url = request.path + (f"?{request.query}" if request.query else "")
    aws_request = AWSRequest(method=request.method, url=f"http://{request.headers.get('host', '')}{url}")
    for name in signed:
        if name in request.headers:
            aws_request.headers[name] = request.headers[name]
    aws_request.context["timestamp"] = amz_date
    signer = _ClaimedHeadersAuth(Credentials(scope.access_key_id, secret), scope, signed, request.payload_hash)
    string_to_sign = signer.string_to_sign(aws_request, signer.canonical_request(aws_request))
    expected = signer.signature(string_to_sign, aws_request)
    if not hmac.compare_digest(expected.encode(), parts["Signature"].lower().encode()):  # bytes: any header value
        raise SignatureRefused(_MISMATCH)
    return scope
