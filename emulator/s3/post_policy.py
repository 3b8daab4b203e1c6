"""The signed POST policy of a browser form upload (``generate_presigned_post``), checked as S3 checks it. Pure.

A signed form carries a base64 JSON ``policy`` (an expiration and a list of conditions) and its signature: SigV4
(``x-amz-signature``, the HMAC of the base64 text under the signing key of ``x-amz-credential``) or SigV2
(``signature``, with ``AWSAccessKeyId``). moto checks none of it; S3 refuses the upload, in this order, when

1. a signing field is missing (400 InvalidArgument naming it) or malformed;
2. the signature does not match the policy text as sent (403 SignatureDoesNotMatch, before the policy is decoded);
3. the policy is not a JSON object with an ISO 8601 GMT ``expiration`` and a list of well-formed conditions
   (400 InvalidPolicyDocument, "Invalid Policy: ...");
4. the policy has expired (403 AccessDenied "Invalid according to Policy: Policy expired.");
5. a condition fails (403 AccessDenied "... Policy Condition failed: [...]", or 400 EntityTooSmall/EntityTooLarge
   for ``content-length-range``), a condition on an absent field included;
6. a field no condition covers was sent (403 AccessDenied "... Extra input fields: ...").

Condition names and operators are case-insensitive, values are not; ``starts-with`` on Content-Type checks each
comma-separated value. Exempt from coverage are the signature, the policy, ``x-ignore-*`` fields (AWS's list) and
``x-amz-checksum-*`` fields (the emulator's choice: integrity data that s3-tests sends uncovered and expects to pass).
A form with none of the signing fields is anonymous: the caller decides it, not this module.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from botocore.auth import HmacV1Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator.s3.errors import S3Error
from emulator.s3.post_form import PostForm, missing_field
from emulator.s3.presign import SecretKeyLookup, parse_amz_date, secret_key_for, signature_mismatch

__all__ = ["SignatureVersion", "form_signature_version", "signer_headers", "verify_post_policy"]

SignatureVersion = Literal["sigv4", "sigv2"]

_SIGV4_FIELDS = ("x-amz-algorithm", "x-amz-credential", "x-amz-signature")
_SIGV2_FIELDS = ("awsaccesskeyid", "signature")
_SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
_EXEMPT_FIELDS = frozenset({"x-amz-signature", "signature", "awsaccesskeyid", "policy"})  # and the file, not a field
_EXEMPT_PREFIXES = ("x-ignore-", "x-amz-checksum-")
_EXPIRATION = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
_LENGTH_BOUND = re.compile(r"-?\d{1,18}")
_POLICY_MEMBERS = ("expiration", "conditions")


def form_signature_version(form: PostForm) -> SignatureVersion | None:
    """How the form is signed, or None when it carries none of the signing fields (an anonymous upload)."""
    if any(form.field(name) is not None for name in _SIGV4_FIELDS):
        return "sigv4"
    if any(form.field(name) is not None for name in _SIGV2_FIELDS):
        return "sigv2"
    return None


def verify_post_policy(form: PostForm, *, bucket: str, lookup_secret_key: SecretKeyLookup, now: float) -> str:
    """Check a signed form upload as S3 would (see the module docstring); return the access key id that signed it.

    `bucket` is the bucket the URL names and `now` the time in epoch seconds. The credential's region is not checked:
    the emulator serves every region at one endpoint.
    """
    if form_signature_version(form) == "sigv4":
        access_key, policy_b64 = _verify_sigv4(form, lookup_secret_key)
    else:
        access_key, policy_b64 = _verify_sigv2(form, lookup_secret_key)
    policy = _decode_policy(policy_b64)
    if now > policy.expires_at:
        raise S3Error("AccessDenied", "Invalid according to Policy: Policy expired.")
    covered: set[str] = set()
    for condition in policy.conditions:
        covered |= condition.check(form, bucket)
    extra = dict.fromkeys(name for name, _ in form.fields if _needs_condition(name) and name.lower() not in covered)
    if extra:
        raise S3Error("AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return access_key


def signer_headers(form: PostForm) -> dict[str, str]:
    """Request headers naming a verified form's signer, for the layers behind the guard: the Authorization header's
    credential (the IAM guard checks that key's permissions, as S3 does for a POST) and its session token. They are
    built from the form's own signing fields and sign nothing; moto serves the write as that key's."""
    if form_signature_version(form) == "sigv4":
        credential, signature = form.field("x-amz-credential"), form.field("x-amz-signature")
        authorization = f"{_SIGV4_ALGORITHM} Credential={credential}, SignedHeaders=host, Signature={signature}"
    else:
        authorization = f"AWS {form.field('awsaccesskeyid')}:{form.field('signature')}"
    token = form.field("x-amz-security-token")
    return {"authorization": authorization, **({} if token is None else {"x-amz-security-token": token})}


def _required(form: PostForm, name: str) -> str:
    value = form.field(name)
    if value is None:
        raise missing_field(name)
    return value


def _invalid_argument(message: str, name: str, value: str) -> S3Error:
    return S3Error("InvalidArgument", message, status=400, details={"ArgumentName": name, "ArgumentValue": value})


def _verify_sigv4(form: PostForm, lookup_secret_key: SecretKeyLookup) -> tuple[str, str]:
    algorithm = _required(form, "X-Amz-Algorithm")
    credential = _required(form, "X-Amz-Credential")
    amz_date = _required(form, "X-Amz-Date")
    provided = _required(form, "X-Amz-Signature")
    policy_b64 = _required(form, "Policy")
    if algorithm != _SIGV4_ALGORITHM:
        raise _invalid_argument(f'X-Amz-Algorithm only supports "{_SIGV4_ALGORITHM}"', "X-Amz-Algorithm", algorithm)
    access_key, scope_date, region, service = _credential_scope(credential)
    if parse_amz_date(amz_date) is None:
        raise _invalid_argument("X-Amz-Date must be formated via ISO8601 Long format", "X-Amz-Date", amz_date)
    secret = secret_key_for(access_key, lookup_secret_key)
    signing_request = AWSRequest()
    signing_request.context["timestamp"] = scope_date  # only the date part keys the signature
    expected = SigV4Auth(Credentials(access_key, secret), service, region).signature(policy_b64, signing_request)
    if not hmac.compare_digest(expected.encode(), provided.lower().encode()):
        raise _mismatch(access_key, provided, policy_b64)
    return access_key, policy_b64


def _verify_sigv2(form: PostForm, lookup_secret_key: SecretKeyLookup) -> tuple[str, str]:
    access_key = _required(form, "AWSAccessKeyId")
    provided = _required(form, "Signature")
    policy_b64 = _required(form, "Policy")
    secret = secret_key_for(access_key, lookup_secret_key)
    expected = HmacV1Auth(Credentials(access_key, secret)).sign_string(policy_b64)
    if not hmac.compare_digest(expected.encode(), provided.encode()):
        raise _mismatch(access_key, provided, policy_b64)
    return access_key, policy_b64


def _mismatch(access_key: str, provided: str, policy_b64: str) -> S3Error:
    # S3 signs the policy text as sent, and shows its bytes as two hex digits each.
    as_bytes = " ".join(f"{byte:02x}" for byte in policy_b64.encode())
    return signature_mismatch(access_key, provided, policy_b64, StringToSignBytes=as_bytes)


def _credential_scope(credential: str) -> tuple[str, str, str, str]:
    """(access key, date, region, service) of an ``x-amz-credential``, refused with S3's words when malformed."""
    parts = credential.split("/")
    if len(parts) != 5 or not parts[2]:
        raise _invalid_argument(
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            "X-Amz-Credential",
            credential,
        )
    access_key, scope_date, region, service, terminal = parts
    problem = None
    if not access_key:
        problem = "a non-empty Access Key (AKID) must be provided in the credential."
    elif not re.fullmatch(r"\d{8}", scope_date):
        problem = f'incorrect date format "{scope_date}". This date in the credential must be in the format "yyyyMMdd".'
    elif service != "s3":
        problem = f'incorrect service "{service}". This endpoint belongs to "s3".'
    elif terminal != "aws4_request":
        problem = f'incorrect terminal "{terminal}". This endpoint uses "aws4_request".'
    if problem is not None:
        raise _invalid_argument(problem, "X-Amz-Credential", credential)
    return access_key, scope_date, region, service


def _policy_error(message: str) -> S3Error:
    return S3Error("InvalidPolicyDocument", f"Invalid Policy: {message}", status=400)


def _condition_failed(shown: object) -> S3Error:
    return S3Error(
        "AccessDenied",
        f"Invalid according to Policy: Policy Condition failed: {json.dumps(shown, ensure_ascii=False)}",
    )


@dataclass(frozen=True)
class _Match:
    """An ``eq`` or ``starts-with`` condition (a one-member object is an ``eq``): ``[operator, "$field", value]``."""

    operator: Literal["eq", "starts-with"]
    subject: str
    value: str
    shown: object  # as S3 prints the condition when it fails

    def check(self, form: PostForm, bucket: str) -> set[str]:
        if not self.subject.startswith("$"):
            raise _condition_failed(self.shown)  # names no field
        name = self.subject[1:].lower()
        actual = bucket if name == "bucket" else form.field(name)
        if actual is None:
            raise _condition_failed(self.shown)  # no such field: S3 fails even `starts-with ""`
        if self.operator == "eq":
            holds = actual == self.value
        elif name == "content-type":
            holds = all(part.strip().startswith(self.value) for part in actual.split(","))
        else:
            holds = actual.startswith(self.value)
        if not holds:
            raise _condition_failed(self.shown)
        return {name}


@dataclass(frozen=True)
class _LengthRange:
    """``["content-length-range", min, max]``: the file's size, both bounds inclusive."""

    minimum: int | None  # None: a bound that is no number, which S3 treats as a failed condition
    maximum: int | None
    shown: object

    def check(self, form: PostForm, bucket: str) -> set[str]:
        if self.minimum is None or self.maximum is None:
            raise _condition_failed(self.shown)
        size = len(form.file or b"")
        if size < self.minimum:
            raise S3Error(
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                status=400,
                details={"ProposedSize": str(size), "MinSizeAllowed": str(self.minimum)},
            )
        if size > self.maximum:
            raise S3Error(
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                status=400,
                details={"ProposedSize": str(size), "MaxSizeAllowed": str(self.maximum)},
            )
        return set()


@dataclass(frozen=True)
class _Policy:
    expires_at: float
    conditions: tuple[_Match | _LengthRange, ...]


def _decode_policy(policy_b64: str) -> _Policy:
    try:
        document = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError, RecursionError) as error:
        raise _policy_error("Invalid JSON.") from error
    if not isinstance(document, dict):
        raise _policy_error("Invalid JSON.")
    unexpected = [name for name in document if name not in _POLICY_MEMBERS]
    if unexpected:
        raise _policy_error(f"Unexpected: '{unexpected[0].lower()}'")
    if "expiration" not in document:
        raise _policy_error("Policy missing expiration.")
    conditions = document.get("conditions")
    if conditions is None or conditions == []:
        raise _policy_error("Policy missing conditions.")
    if not isinstance(conditions, list):
        raise _policy_error("Invalid 'conditions' value: must be a List.")
    return _Policy(_expiration(document["expiration"]), tuple(_condition(condition) for condition in conditions))


def _expiration(value: object) -> float:
    """Epoch seconds of an ISO 8601 GMT expiration (``2013-08-01T12:00:00.000Z``); S3 refuses offsets and spaces."""
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        if not _EXPIRATION.fullmatch(text):
            raise ValueError(text)
        return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()
    except ValueError as error:
        raise _policy_error(f"Invalid 'expiration' value: '{text}'") from error


def _condition(condition: object) -> _Match | _LengthRange:
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise _policy_error("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
        [(name, value)] = condition.items()
        if value is None:
            raise _policy_error("Invalid JSON.")
        if not isinstance(value, str):
            raise _policy_error("Invalid Simple-Condition: value must be a string.")
        return _Match("eq", f"${name}", value, ["eq", f"${name}", value])
    if not isinstance(condition, list):
        raise _policy_error("Invalid condition test: must be a List or Object.")
    if not condition or not isinstance(condition[0], str):
        raise _policy_error("Invalid Condition: missing operation identifier.")
    operator = condition[0].lower()
    if operator not in ("eq", "starts-with", "content-length-range"):
        raise _policy_error(f"Invalid Condition: unknown operation '{condition[0]}'.")
    if len(condition) != 3:
        raise _policy_error(f"Invalid {condition[0]}: wrong number of arguments.")
    _, first, second = condition
    if operator == "content-length-range":
        return _LengthRange(_length_bound(first), _length_bound(second), condition)
    if not isinstance(first, str) or not isinstance(second, str):
        raise _policy_error("Invalid JSON.")
    return _Match("eq" if operator == "eq" else "starts-with", first, second, condition)


def _length_bound(value: object) -> int | None:
    """A ``content-length-range`` bound: an integer, or a string of one; None for another string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return int(value) if _LENGTH_BOUND.fullmatch(value) else None
    raise _policy_error("Invalid JSON.")


def _needs_condition(name: str) -> bool:
    lowered = name.lower()
    return lowered not in _EXEMPT_FIELDS and not lowered.startswith(_EXEMPT_PREFIXES)
