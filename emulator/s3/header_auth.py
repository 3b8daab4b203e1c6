"""Verification of header-signed S3 requests (an ``Authorization`` header), as S3 does it.

moto serves any request that carries an Authorization header, whatever its key and signature, so a client with an
unknown access key or the wrong secret would work locally and fail on AWS. Here the request is re-signed with
botocore's own signers — SigV4 (`S3SigV4Auth`) over the payload hash the client states in ``x-amz-content-sha256`` and
exactly the headers it says it signed, or SigV2 (`HmacV1Auth`) over its date — and refused with S3's error. The body
is never read: SigV4 signs the stated hash (a fixed marker for aws-chunked uploads) and SigV2 signs no body, so a
refusal goes out before a client waiting on ``Expect: 100-continue`` sends its body.

The checks, in order, and S3's answers:
- a scheme S3 does not take, or a SigV2 header without ``key:signature``: 400 InvalidArgument;
- a SigV4 header without Credential, SignedHeaders or Signature, a mal-formed credential scope, or a scope date other
  than the ``X-Amz-Date``'s: 400 AuthorizationHeaderMalformed;
- SigV4 without ``x-amz-content-sha256`` (400 InvalidRequest) or with a value S3 does not know (400 InvalidArgument),
  or streaming an aws-chunked body without a numeric ``x-amz-decoded-content-length`` (411 MissingContentLength);
- no valid date (``X-Amz-Date`` for SigV4; ``x-amz-date``, else ``Date``, for SigV2), or one before 1970: 403
  AccessDenied;
- a key the emulator never issued: 403 InvalidAccessKeyId;
- a date more than 15 minutes from the emulator's clock: 403 RequestTimeTooSkewed;
- an ``x-amz-*`` header the SigV4 signature does not cover: 403 AccessDenied;
- any other difference (secret, method, path, query, a signed header): 403 SignatureDoesNotMatch.
The region of a SigV4 scope is not checked: the emulator serves every region at one endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import lru_cache

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from emulator.s3.errors import S3Error
from emulator.s3.presign import (
    PresignedRequest,
    SecretKeyLookup,
    claimed_headers,
    iso8601,
    parse_amz_date,
    refuse_unsigned_amz_headers,
    secret_key_for,
    signature_mismatch,
    sigv2_signature,
)

__all__ = ["verify_authorization_header"]

_SIGV4 = "AWS4-HMAC-SHA256"
_SIGV2 = "AWS"
_MAX_SKEW_SECONDS = 900
_PAYLOAD_MARKERS = (
    "UNSIGNED-PAYLOAD",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
)
_STREAMING = "STREAMING-"  # an aws-chunked body, whose length before framing x-amz-decoded-content-length states
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def verify_authorization_header(request: PresignedRequest, *, lookup_secret_key: SecretKeyLookup, now: float) -> str:
    """Check a request's Authorization header as S3 would; return the access key id that signed it, or raise
    `S3Error` (see the module docstring)."""
    authorization = request.headers.get("authorization", "").strip()
    scheme, _, credentials = authorization.partition(" ")
    if scheme == _SIGV4:
        return _verify_sigv4(request, credentials, lookup_secret_key, now)
    if scheme == _SIGV2:
        return _verify_sigv2(request, credentials, lookup_secret_key, now)
    raise _invalid_argument("Unsupported Authorization Type", "Authorization", authorization)


def _invalid_argument(message: str, name: str, value: str) -> S3Error:
    return S3Error("InvalidArgument", message, status=400, details={"ArgumentName": name, "ArgumentValue": value})


def _malformed(reason: str) -> S3Error:
    return S3Error("AuthorizationHeaderMalformed", f"The authorization header is malformed; {reason}", status=400)


def _no_valid_date() -> S3Error:
    return S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")


def _check_skew(signed_at: float, sent: str, now: float) -> None:
    if abs(now - signed_at) > _MAX_SKEW_SECONDS:
        raise S3Error(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            details={
                "RequestTime": sent,
                "ServerTime": iso8601(now),
                "MaxAllowedSkewMilliseconds": str(_MAX_SKEW_SECONDS * 1000),
            },
        )


class _ClaimedHeadersS3Auth(S3SigV4Auth):
    """botocore's S3 signer, signing exactly the headers the request says it signed (whatever their names)."""

    def __init__(self, credentials: Credentials, region: str, signed_headers: tuple[str, ...]) -> None:
        super().__init__(credentials, "s3", region)
        self._signed_headers = signed_headers

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return claimed_headers(request, self._signed_headers)


def _sigv4_components(credentials: str) -> dict[str, str]:
    components: dict[str, str] = {}
    for item in credentials.split(","):
        name, found, value = item.strip().partition("=")
        if found:
            components.setdefault(name, value)
    if not all(components.get(name) for name in ("Credential", "SignedHeaders", "Signature")):
        raise _malformed(
            "the authorization header requires three components: Credential, SignedHeaders, and Signature."
        )
    return components


def _scope(credential: str) -> list[str]:
    scope = credential.split("/")
    if len(scope) != 5 or not all(scope):
        raise _malformed('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".')
    if scope[4] != "aws4_request":
        raise _malformed(f'incorrect terminal "{scope[4]}". This endpoint uses "aws4_request".')
    if scope[3] != "s3":
        raise _malformed(f'incorrect service "{scope[3]}". This endpoint belongs to "s3".')
    return scope


def _payload_hash(request: PresignedRequest) -> str:
    payload = request.headers.get("x-amz-content-sha256")
    if payload is None:
        raise S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", status=400)
    if payload not in _PAYLOAD_MARKERS and not _SHA256_HEX.fullmatch(payload):
        raise _invalid_argument(
            f"x-amz-content-sha256 must be {', '.join(_PAYLOAD_MARKERS)} or a valid sha256 value.",
            "x-amz-content-sha256",
            payload,
        )
    if payload.startswith(_STREAMING) and not request.headers.get("x-amz-decoded-content-length", "").isdigit():
        raise S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.", status=411)
    return payload


@lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str) -> bytes:
    """SigV4's key for a day, a region and S3: four HMACs that every request signed that day shares, so kept."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _verify_sigv4(request: PresignedRequest, credentials: str, lookup_secret_key: SecretKeyLookup, now: float) -> str:
    components = _sigv4_components(credentials)
    access_key, scope_date, region, _, _ = _scope(components["Credential"])
    payload = _payload_hash(request)
    amz_date = request.headers.get("x-amz-date", "")
    signed_at = parse_amz_date(amz_date)
    if signed_at is None or signed_at < 0:
        raise _no_valid_date()
    if scope_date != amz_date[:8]:
        raise _malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
    secret = secret_key_for(access_key, lookup_secret_key)
    _check_skew(signed_at, amz_date, now)
    signed_headers = tuple(name for name in components["SignedHeaders"].lower().split(";") if name)
    refuse_unsigned_amz_headers(request.headers, signed_headers)
    headers = {name: request.headers[name] for name in signed_headers if name in request.headers}
    # S3 canonicalises the decoded path and query itself, so re-encode them the SigV4 way rather than trust the bytes.
    aws_request = AWSRequest(
        method=request.method,
        url=f"http://{request.host}{request.encoded_path}",
        headers={**headers, "x-amz-content-sha256": payload},
        params=request.params,
    )
    aws_request.context["timestamp"] = amz_date
    signer = _ClaimedHeadersS3Auth(Credentials(access_key, secret), region, signed_headers)
    canonical_request = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical_request)
    provided = components["Signature"]
    expected = hmac.new(_signing_key(secret, scope_date, region), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), provided.lower().encode()):
        raise signature_mismatch(access_key, provided, string_to_sign, CanonicalRequest=canonical_request)
    return access_key


def _sigv2_signed_at(value: str) -> float | None:
    """Epoch seconds of a SigV2 date (RFC 1123, as ``Date`` carries it, or ISO 8601 basic), or None."""
    amz_date = parse_amz_date(value)
    if amz_date is not None:
        return amz_date
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _verify_sigv2(request: PresignedRequest, credentials: str, lookup_secret_key: SecretKeyLookup, now: float) -> str:
    access_key, _, signature = credentials.strip().partition(":")
    if not access_key or not signature:
        raise _invalid_argument(
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            "Authorization",
            request.headers.get("authorization", ""),
        )
    # S3 takes the time from x-amz-date when there is one, and then signs an empty line in the place of Date.
    has_amz_date = "x-amz-date" in request.headers
    sent = request.headers["x-amz-date"] if has_amz_date else request.headers.get("date", "")
    signed_at = _sigv2_signed_at(sent)
    if signed_at is None or signed_at < 0:
        raise _no_valid_date()
    secret = secret_key_for(access_key, lookup_secret_key)
    _check_skew(signed_at, sent, now)
    amz_headers = {name: value for name, value in request.headers.items() if name.startswith("x-amz-")}
    expected, string_to_sign = sigv2_signature(
        request, Credentials(access_key, secret), date="" if has_amz_date else sent, amz_headers=amz_headers
    )
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise signature_mismatch(access_key, signature, string_to_sign)
    return access_key
