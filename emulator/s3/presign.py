"""Verification of presigned (query-string authenticated) S3 requests, as S3 does it.

moto accepts any presigned URL. Here a request carrying its signature in the query is re-signed with botocore's own
signers — SigV4 (`S3SigV4QueryAuth`) with the URL's own ``X-Amz-Date``, credential scope and signed headers, or SigV2
(`HmacV1Auth`) with the URL's ``Expires`` — and refused with S3's error when the signature differs (tampered URL,
another key or method, a signed header such as Content-Type changed), when it has expired, or when its parameters
are malformed.

SigV2 presigned URLs are verified too rather than refused: boto3 signs presigned requests with SigV2 whenever it
talks to a custom endpoint and no ``signature_version`` is configured, so unmodified handler code produces them.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Literal
from urllib.parse import parse_qsl, quote, urlsplit

from botocore.auth import HmacV1Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from emulator.s3.addressing import S3Address
from emulator.s3.errors import S3Error

__all__ = [
    "MAX_PRESIGNED_EXPIRES",
    "PresignedRequest",
    "SecretKeyLookup",
    "claimed_headers",
    "iso8601",
    "parse_amz_date",
    "presigned_auth_kind",
    "refuse_unsigned_amz_headers",
    "secret_key_for",
    "signature_mismatch",
    "sigv2_signature",
    "verify_presigned_request",
]

SecretKeyLookup = Callable[[str], "str | None"]
"""Gives the secret access key for a known access key id, or None for an unknown one."""

MAX_PRESIGNED_EXPIRES = 604800
"""S3 refuses SigV4 presigned URLs valid for more than seven days."""

_SIGV4_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
_SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_EXPIRES = re.compile(r"-?\d{1,12}")
_MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)


@dataclass(frozen=True)
class PresignedRequest:
    """What signature verification reads from an incoming request (presigned here, header-signed in
    `emulator.s3.header_auth`).

    `headers` maps lower-case header names to their values (repeated headers joined with ``,``, as SigV4 does);
    `query` is the raw query string.
    """

    method: str
    host: str
    address: S3Address
    query: str
    headers: Mapping[str, str]

    @cached_property
    def params(self) -> list[tuple[str, str]]:
        """The decoded query parameters, in order (parsed once: several checks read them)."""
        return parse_qsl(self.query, keep_blank_values=True)

    @property
    def encoded_path(self) -> str:
        """The decoded path URI-encoded again, as S3 signs it: S3 canonicalises the path itself, not the bytes sent."""
        return quote(self.address.path, safe="/~")


def presigned_auth_kind(params: list[tuple[str, str]]) -> Literal["sigv4", "sigv2"] | None:
    """Which presigned-URL scheme the query parameters use, or None when the query carries no signature."""
    names = {name for name, _ in params}
    if names & {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"}:
        return "sigv4"
    if names & {"AWSAccessKeyId", "Signature"}:
        return "sigv2"
    return None


def iso8601(epoch: float) -> str:
    """Format a time as S3 does in error details (``2024-01-31T12:00:00Z``)."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_amz_date(value: str) -> float | None:
    """Epoch seconds of an ``X-Amz-Date`` (``yyyyMMdd'T'HHmmss'Z'``), or None when it is not in that form."""
    if not _AMZ_DATE.fullmatch(value):
        return None
    try:  # not strptime: every signed request's date is read here, and this is fifty times faster
        moment = datetime(
            int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[9:11]), int(value[11:13]), int(value[13:15])
        )
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC).timestamp()


def signature_mismatch(access_key: str, provided: str, string_to_sign: str, **extra: str) -> S3Error:
    """S3's SignatureDoesNotMatch, with the string it signed so the caller can see what differed."""
    details = {"AWSAccessKeyId": access_key, "StringToSign": string_to_sign, "SignatureProvided": provided}
    return S3Error("SignatureDoesNotMatch", _MISMATCH_MESSAGE, details={**details, **extra})


def verify_presigned_request(request: PresignedRequest, *, lookup_secret_key: SecretKeyLookup, now: float) -> str:
    """Check a presigned request as S3 would; return the access key id that signed it.

    Raises `S3Error` with S3's code: AuthorizationQueryParametersError for malformed SigV4 parameters (400; 403 for an
    ``X-Amz-Expires`` that is not a number, negative or over a week, as S3 answers those), InvalidAccessKeyId,
    AccessDenied "Request has expired", AccessDenied for unsigned ``x-amz-*`` headers, SignatureDoesNotMatch. A request
    without query-string authentication is an error here: ask `presigned_auth_kind` first.
    """
    params = request.params
    kind = presigned_auth_kind(params)
    if kind == "sigv4":
        return _verify_sigv4(request, params, lookup_secret_key, now)
    if kind == "sigv2":
        return _verify_sigv2(request, params, lookup_secret_key, now)
    raise S3Error("AccessDenied", "Access Denied")


def _query_error(message: str, *, status: int = 400) -> S3Error:
    return S3Error("AuthorizationQueryParametersError", message, status=status)


def _expires_error(message: str) -> S3Error:
    # S3 answers an X-Amz-Expires it cannot use with 403, unlike its other malformed query parameters (400); an
    # expiry of 0 is not malformed but expired at once, also a 403 (AccessDenied "Request has expired").
    return _query_error(message, status=403)


@dataclass(frozen=True)
class _SigV4Params:
    access_key: str
    scope_date: str
    region: str
    service: str
    amz_date: str
    signed_at: float
    expires: int
    signed_headers: tuple[str, ...]
    signature: str


def _parse_sigv4(params: list[tuple[str, str]]) -> _SigV4Params:
    values: dict[str, str] = {}
    for name, value in params:
        values.setdefault(name, value)
    if any(name not in values for name in _SIGV4_PARAMS):
        raise _query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
            "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    if values["X-Amz-Algorithm"] != _SIGV4_ALGORITHM:
        raise _query_error(f'X-Amz-Algorithm only supports "{_SIGV4_ALGORITHM}"')
    amz_date = values["X-Amz-Date"]
    signed_at = parse_amz_date(amz_date)
    if signed_at is None:
        raise _query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    expires_text = values["X-Amz-Expires"]
    if not _EXPIRES.fullmatch(expires_text):
        raise _expires_error("X-Amz-Expires should be a number")
    expires = int(expires_text)
    if expires < 0:
        raise _expires_error("X-Amz-Expires must be non-negative")
    if expires > MAX_PRESIGNED_EXPIRES:
        raise _expires_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than "
            f"{MAX_PRESIGNED_EXPIRES} seconds"
        )
    parts = values["X-Amz-Credential"].split("/")
    if len(parts) != 5 or not all(parts):
        raise _query_error(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    access_key, scope_date, region, service, terminal = parts
    if terminal != "aws4_request":
        raise _query_error(
            f'Error parsing the X-Amz-Credential parameter; incorrect terminal "{terminal}". '
            'This endpoint uses "aws4_request".'
        )
    if service != "s3":
        raise _query_error(
            f'Error parsing the X-Amz-Credential parameter; incorrect service "{service}". '
            'This endpoint belongs to "s3".'
        )
    if scope_date != amz_date[:8]:
        raise _query_error("Invalid credential date. Date is not the same as X-Amz-Date.")
    signed_headers = tuple(name for name in values["X-Amz-SignedHeaders"].lower().split(";") if name)
    return _SigV4Params(
        access_key=access_key,
        scope_date=scope_date,
        region=region,
        service=service,
        amz_date=amz_date,
        signed_at=signed_at,
        expires=expires,
        signed_headers=signed_headers,
        signature=values["X-Amz-Signature"],
    )


def secret_key_for(access_key: str, lookup_secret_key: SecretKeyLookup) -> str:
    """The secret of `access_key`; raises `S3Error` InvalidAccessKeyId, as S3 does, for a key it never issued."""
    secret = lookup_secret_key(access_key)
    if secret is None:
        raise S3Error(
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            details={"AWSAccessKeyId": access_key},
        )
    return secret


def _check_not_expired(expires_at: float, now: float, details: dict[str, str]) -> None:
    if now > expires_at:
        raise S3Error(
            "AccessDenied",
            "Request has expired",
            details={**details, "Expires": iso8601(expires_at), "ServerTime": iso8601(now)},
        )


class _ClaimedHeadersQueryAuth(S3SigV4QueryAuth):
    """botocore's S3 presign signer, signing exactly the headers the URL says it signed (whatever their names)."""

    def __init__(self, credentials: Credentials, region: str, service: str, signed_headers: tuple[str, ...]) -> None:
        super().__init__(credentials, service, region)
        self._signed_headers = signed_headers

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return claimed_headers(request, self._signed_headers)


def claimed_headers(request: AWSRequest, names: tuple[str, ...]) -> HTTPHeaders:
    """The request's headers among `names`: what a signature says it covers, whatever botocore would pick itself."""
    headers = HTTPHeaders()
    for name in names:
        value = request.headers.get(name)
        if value is not None:
            headers[name] = value
    return headers


def refuse_unsigned_amz_headers(headers: Mapping[str, str], signed_headers: tuple[str, ...]) -> None:
    """Raise S3's AccessDenied for ``x-amz-*`` headers a SigV4 signature does not cover: they would change the request
    unseen."""
    unsigned = sorted(name for name in headers if name.startswith("x-amz-") and name not in signed_headers)
    if unsigned:
        raise S3Error(
            "AccessDenied",
            "There were headers present in the request which were not signed",
            details={"HeadersNotSigned": ", ".join(unsigned)},
        )


def _verify_sigv4(
    request: PresignedRequest, params: list[tuple[str, str]], lookup_secret_key: SecretKeyLookup, now: float
) -> str:
    sigv4 = _parse_sigv4(params)
    secret = secret_key_for(sigv4.access_key, lookup_secret_key)
    _check_not_expired(sigv4.signed_at + sigv4.expires, now, {"X-Amz-Expires": str(sigv4.expires)})
    refuse_unsigned_amz_headers(request.headers, sigv4.signed_headers)
    headers = {name: request.headers[name] for name in sigv4.signed_headers if name in request.headers}
    if "host" in sigv4.signed_headers:
        headers["host"] = request.host
    # S3 canonicalises the decoded path and query itself, so re-encode them the SigV4 way rather than trust the bytes.
    aws_request = AWSRequest(
        method=request.method,
        url=f"http://{request.host}{request.encoded_path}",
        headers=headers,
        params=[(name, value) for name, value in params if name != "X-Amz-Signature"],
    )
    aws_request.context["timestamp"] = sigv4.amz_date
    signer = _ClaimedHeadersQueryAuth(
        Credentials(sigv4.access_key, secret), sigv4.region, sigv4.service, sigv4.signed_headers
    )
    canonical_request = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical_request)
    expected = signer.signature(string_to_sign, aws_request)
    if not hmac.compare_digest(expected.encode(), sigv4.signature.lower().encode()):
        raise signature_mismatch(sigv4.access_key, sigv4.signature, string_to_sign, CanonicalRequest=canonical_request)
    return sigv4.access_key


class _DatedHmacV1Auth(HmacV1Auth):
    """botocore's SigV2 signer with a given date line: a presigned URL's ``Expires``, or a signed request's date."""

    def __init__(self, credentials: Credentials, date: str) -> None:
        super().__init__(credentials)
        self._date = date

    def _get_date(self) -> str:
        return self._date


def sigv2_signature(
    request: PresignedRequest, credentials: Credentials, *, date: str, amz_headers: Mapping[str, str]
) -> tuple[str, str]:
    """The SigV2 signature of `request` and the string it signs: method, Content-MD5, Content-Type, `date`, the
    `amz_headers` (lower-case ``x-amz-*`` names) and the resource with its signed sub-resources, as S3 builds it."""
    headers = HTTPHeaders()
    for name in ("content-md5", "content-type"):
        if name in request.headers:
            headers[name] = request.headers[name]
    for name, value in amz_headers.items():
        headers[name] = value
    signer = _DatedHmacV1Auth(credentials, date)
    split = urlsplit(f"http://{request.host}{request.encoded_path}?{request.query}")
    string_to_sign = signer.canonical_string(request.method, split, headers, auth_path=request.address.auth_path)
    return signer.sign_string(string_to_sign), string_to_sign


def _verify_sigv2(
    request: PresignedRequest, params: list[tuple[str, str]], lookup_secret_key: SecretKeyLookup, now: float
) -> str:
    values: dict[str, str] = {}
    for name, value in params:
        values.setdefault(name, value)
    access_key, signature, expires = values.get("AWSAccessKeyId"), values.get("Signature"), values.get("Expires")
    if not access_key or signature is None or expires is None:
        raise S3Error(
            "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
        )
    if not expires.isdigit() or len(expires) > 12:
        raise S3Error("AccessDenied", "Invalid date (should be seconds since epoch)", details={"Expires": expires})
    secret = secret_key_for(access_key, lookup_secret_key)
    _check_not_expired(float(expires), now, {})
    amz_headers = {name: value for name, value in request.headers.items() if name.startswith("x-amz-")}
    # SigV2 query auth carries signed x-amz-* headers in the query string (botocore moves them there), so S3 reads them
    # from both places.
    for name, value in params:
        if name.lower().startswith("x-amz-"):
            amz_headers.setdefault(name.lower(), value)
    expected, string_to_sign = sigv2_signature(
        request, Credentials(access_key, secret), date=expires, amz_headers=amz_headers
    )
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise signature_mismatch(access_key, signature, string_to_sign)
    return access_key
