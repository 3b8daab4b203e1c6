"""Browser form POST uploads (``generate_presigned_post``), checked as S3 checks them, and S3's answer to one.

A browser uploads by POSTing a multipart form to the bucket URL: the object's ``key``, a base64 JSON ``policy``
(expiration and conditions), its signature (SigV4: ``x-amz-signature`` = HMAC of the base64 policy with the signing
key of ``x-amz-credential``; SigV2: ``signature`` with ``AWSAccessKeyId``), any other fields, then the ``file``.
S3 refuses the upload unless the signature matches, the policy has not expired, every condition holds (exact match,
``starts-with``, ``content-length-range``) and every field is covered by a condition. moto checks none of that.

On success S3 answers 204 by default, 200 or 201 (with an XML ``PostResponse``) for ``success_action_status``, or a
303 to ``success_action_redirect``, always with the object's ``ETag`` and ``Location``; moto sends neither.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from botocore.auth import HmacV1Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from emulator.s3.errors import S3Error
from emulator.s3.presign import SecretKeyLookup, secret_key_for, signature_mismatch

__all__ = ["PostForm", "PostSuccess", "parse_post_form", "post_success_response", "verify_post_policy"]

# Fields S3 never requires a condition for: the signature itself, the policy, the file, and x-ignore-* fields.
_EXEMPT_FIELDS = frozenset({"x-amz-signature", "signature", "awsaccesskeyid", "policy", "file"})
_EXEMPT_PREFIX = "x-ignore-"
_MALFORMED = "The body of your POST request is not well-formed multipart/form-data."


@dataclass(frozen=True)
class PostForm:
    """The fields of a form POST upload (those before the file, in order; S3 ignores any after it) and its file."""

    fields: tuple[tuple[str, str], ...]
    file_name: str | None
    file_size: int
    file_md5: str
    has_file: bool

    def field(self, name: str) -> str | None:
        """The value of field `name` (S3 compares form field names case-insensitively), or None."""
        wanted = name.lower()
        return next((value for field, value in self.fields if field.lower() == wanted), None)

    @property
    def object_key(self) -> str:
        """The key the object is stored under: the ``key`` field with ``${filename}`` replaced by the file's name.

        S3 checks the policy against the key field as sent, and stores, locates and names the object by this one.
        """
        return (self.field("key") or "").replace("${filename}", self.file_name or "")


@dataclass(frozen=True)
class PostSuccess:
    """S3's answer to an accepted form POST."""

    status: int
    headers: dict[str, str]
    body: bytes


def _malformed() -> S3Error:
    return S3Error("MalformedPOSTRequest", _MALFORMED, status=400)


def parse_post_form(body: bytes, content_type: str) -> PostForm:
    """Parse a multipart/form-data upload body; raises `S3Error` MalformedPOSTRequest (400) when it is not one."""
    _, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise _malformed()
    decoder = MultipartDecoder(boundary.encode("latin-1", "replace"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    fields: list[tuple[str, str]] = []
    value = bytearray()
    file_name: str | None = None
    file_size, file_md5, has_file = 0, hashlib.md5(), False
    part: Field | File | None = None
    in_file = False
    try:
        event = decoder.next_event()
        while not isinstance(event, Epilogue | NeedData):
            if isinstance(event, Field | File):
                part = event
                # Only the first "file" part is the object; S3 ignores every field after it.
                in_file = part.name.lower() == "file" and not has_file
                if in_file:
                    has_file, file_name = True, getattr(part, "filename", None)
            elif isinstance(event, Data) and in_file:
                file_size += len(event.data)
                file_md5.update(event.data)
            elif isinstance(event, Data) and part is not None and not has_file:
                value += event.data
                if not event.more_data:
                    fields.append((part.name, value.decode("utf-8", "replace")))
                    value.clear()
            event = decoder.next_event()
    except ValueError as error:
        raise _malformed() from error
    if isinstance(event, NeedData):
        raise _malformed()
    return PostForm(tuple(fields), file_name, file_size, file_md5.hexdigest(), has_file)


def _missing_field(name: str) -> S3Error:
    return S3Error(
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        status=400,
        details={"ArgumentName": name, "ArgumentValue": ""},
    )


def _policy_error(message: str) -> S3Error:
    return S3Error("InvalidPolicyDocument", f"Invalid Policy: {message}", status=400)


def _required(form: PostForm, name: str) -> str:
    value = form.field(name)
    if value is None:
        raise _missing_field(name)
    return value


def verify_post_policy(form: PostForm, *, bucket: str, lookup_secret_key: SecretKeyLookup, now: float) -> str:
    """Check a form POST upload as S3 would; return the access key id that signed its policy.

    Raises `S3Error`: AccessDenied for an unsigned upload, an expired policy ("Invalid according to Policy: Policy
    expired."), a failed condition or fields no condition covers; EntityTooSmall/EntityTooLarge (400) outside
    ``content-length-range``; SignatureDoesNotMatch; InvalidAccessKeyId; InvalidArgument (400) for missing fields;
    InvalidPolicyDocument (400) for a policy that is not base64 JSON with an expiration and conditions.
    """
    if form.field("policy") is None and form.field("x-amz-signature") is None and form.field("signature") is None:
        raise S3Error("AccessDenied", "Access Denied")  # an anonymous upload: sst-dev buckets are private
    _required(form, "key")
    if not form.has_file:
        raise S3Error(
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
            status=400,
            details={"ArgumentName": "file", "ArgumentValue": "0"},
        )
    policy_b64 = _required(form, "policy")
    policy = _decode_policy(policy_b64)
    access_key = _verify_signature(form, policy_b64, lookup_secret_key)
    if now > _expiration(policy):
        raise S3Error("AccessDenied", "Invalid according to Policy: Policy expired.")
    covered = {"bucket"}
    for condition in policy.conditions:
        covered |= _check_condition(condition, form, bucket)
    extra = [name for name, _ in form.fields if _needs_condition(name) and name.lower() not in covered]
    if extra:
        raise S3Error("AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return access_key


def _needs_condition(name: str) -> bool:
    lowered = name.lower()
    return lowered not in _EXEMPT_FIELDS and not lowered.startswith(_EXEMPT_PREFIX)


def _verify_signature(form: PostForm, policy_b64: str, lookup_secret_key: SecretKeyLookup) -> str:
    sigv4_signature = form.field("x-amz-signature")
    if sigv4_signature is None:
        access_key, provided = _required(form, "AWSAccessKeyId"), _required(form, "signature")
        secret = secret_key_for(access_key, lookup_secret_key)
        expected = HmacV1Auth(Credentials(access_key, secret)).sign_string(policy_b64)
    else:
        provided = sigv4_signature
        access_key, scope_date, region, service = _credential_scope(_required(form, "x-amz-credential"))
        if _required(form, "x-amz-algorithm") != "AWS4-HMAC-SHA256":
            raise S3Error(
                "InvalidArgument",
                'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
                status=400,
                details={"ArgumentName": "x-amz-algorithm", "ArgumentValue": form.field("x-amz-algorithm") or ""},
            )
        _required(form, "x-amz-date")
        secret = secret_key_for(access_key, lookup_secret_key)
        signing_request = AWSRequest()
        signing_request.context["timestamp"] = scope_date  # only the date part keys the signature
        expected = SigV4Auth(Credentials(access_key, secret), service, region).signature(policy_b64, signing_request)
    if not hmac.compare_digest(expected, provided):
        raise signature_mismatch(access_key, provided, policy_b64)
    return access_key


def _credential_scope(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts) or parts[4] != "aws4_request":
        raise S3Error(
            "InvalidArgument",
            'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>'
            '/YYYYMMDD/REGION/SERVICE/aws4_request".',
            status=400,
            details={"ArgumentName": "x-amz-credential", "ArgumentValue": credential},
        )
    return parts[0], parts[1], parts[2], parts[3]


@dataclass(frozen=True)
class _Policy:
    expiration: object
    conditions: list[object]


def _decode_policy(policy_b64: str) -> _Policy:
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError) as error:
        raise _policy_error("Invalid JSON.") from error
    if not isinstance(policy, dict):
        raise _policy_error("Invalid JSON.")
    if "expiration" not in policy:
        raise _policy_error("Policy missing expiration.")
    conditions = policy.get("conditions")
    if not isinstance(conditions, list):
        raise _policy_error("Policy missing conditions.")
    return _Policy(policy["expiration"], conditions)


def _expiration(policy: _Policy) -> float:
    value = policy.expiration
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        expires = datetime.fromisoformat(value)
    except ValueError as error:
        raise _policy_error(f"Invalid 'expiration' value: '{value}'") from error
    return (expires if expires.tzinfo else expires.replace(tzinfo=UTC)).timestamp()


def _condition_failed(condition: object) -> S3Error:
    return S3Error("AccessDenied", f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")


def _field_value(name: str, form: PostForm, bucket: str) -> str:
    # The bucket comes from the URL, not the form.
    if name.lower() == "bucket":
        return bucket
    return form.field(name) or ""


def _check_condition(condition: object, form: PostForm, bucket: str) -> set[str]:
    """Check one policy condition; return the (lower-case) field names it covers."""
    if isinstance(condition, dict):
        for name, expected in condition.items():
            if _field_value(name, form, bucket) != str(expected):
                raise _condition_failed(["eq", f"${name}", expected])
        return {name.lower() for name in condition}
    if not isinstance(condition, list) or len(condition) != 3 or not isinstance(condition[0], str):
        raise _policy_error(f"Invalid Condition: {json.dumps(condition)}")
    operator, subject, operand = condition[0].lower(), condition[1], condition[2]
    if operator == "content-length-range":
        _check_length(subject, operand, form.file_size, condition)
        return set()
    if operator not in ("eq", "starts-with") or not isinstance(subject, str) or not subject.startswith("$"):
        raise _policy_error(f"Invalid Condition: {json.dumps(condition)}")
    name = subject[1:]
    value = _field_value(name, form, bucket)
    if operator == "eq":
        holds = value == str(operand)
    elif name.lower() == "content-type":
        # S3 checks each value of a comma-separated Content-Type against the prefix.
        holds = all(part.strip().startswith(str(operand)) for part in value.split(","))
    else:
        holds = value.startswith(str(operand))
    if not holds:
        raise _condition_failed(condition)
    return {name.lower()}


def _check_length(minimum: object, maximum: object, size: int, condition: list[object]) -> None:
    if not isinstance(minimum, int | str) or not isinstance(maximum, int | str):
        raise _policy_error(f"Invalid Condition: {json.dumps(condition)}")
    try:
        low, high = int(minimum), int(maximum)
    except ValueError as error:
        raise _policy_error(f"Invalid Condition: {json.dumps(condition)}") from error
    if size < low:
        raise S3Error(
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            status=400,
            details={"ProposedSize": str(size), "MinSizeAllowed": str(low)},
        )
    if size > high:
        raise S3Error(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            status=400,
            details={"ProposedSize": str(size), "MaxSizeAllowed": str(high)},
        )


def post_success_response(form: PostForm, *, bucket: str, location: str) -> PostSuccess:
    """S3's answer to an accepted upload of `form` into `bucket`; `location` is the new object's URL."""
    key = form.object_key
    etag = f'"{form.file_md5}"'
    headers = {"ETag": etag, "Location": location}
    redirect = form.field("success_action_redirect") or form.field("redirect")
    if redirect:
        # S3 sends the browser on with bucket, key and etag appended to the redirect URL's query.
        parts = urlsplit(redirect)
        added = urlencode({"bucket": bucket, "key": key, "etag": etag})
        query = f"{parts.query}&{added}" if parts.query else added
        return PostSuccess(303, {**headers, "Location": urlunsplit(parts._replace(query=query))}, b"")
    status = form.field("success_action_status")
    if status == "201":
        elements = {"Location": location, "Bucket": bucket, "Key": key, "ETag": etag}
        inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements.items())
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>{inner}</PostResponse>'.encode()
        return PostSuccess(201, {**headers, "Content-Type": "application/xml"}, body)
    # Any value other than 200 or 201 (including none) gives S3's default, 204.
    return PostSuccess(200 if status == "200" else 204, headers, b"")
