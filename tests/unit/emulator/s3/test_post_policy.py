"""A browser form POST upload's signed policy is checked as S3 checks it, in S3's order and with S3's words."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from emulator.s3.errors import S3Error
from emulator.s3.post_form import PostForm, parse_post_form
from emulator.s3.post_policy import form_signature_version, signer_headers, verify_post_policy

SECRETS = {"test": "test"}
BUCKET = "my-bucket"
FAR = "2099-01-01T00:00:00Z"


def presigned_post(
    key: str = "uploads/cat.png",
    *,
    conditions: list[Any] | None = None,
    fields: dict[str, str] | None = None,
    signature_version: str = "s3v4",
    expires: int = 3600,
) -> dict[str, str]:
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:4566",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version=signature_version),
    )
    post = client.generate_presigned_post(BUCKET, key, Fields=fields, Conditions=conditions, ExpiresIn=expires)
    result: dict[str, str] = post["fields"]
    return result


def sigv2_fields(policy: object, **fields: str) -> dict[str, str]:
    """A SigV2 form (as s3-tests builds them) signing `policy`: a document, or the JSON text itself."""
    text = policy if isinstance(policy, str) else json.dumps(policy)
    encoded = base64.b64encode(text.encode()).decode()
    signature = base64.b64encode(hmac.new(b"test", encoded.encode(), hashlib.sha1).digest()).decode()
    return {"AWSAccessKeyId": "test", "policy": encoded, "signature": signature, **fields}


def policy(*conditions: object, expiration: object = FAR) -> dict[str, object]:
    return {"expiration": expiration, "conditions": [{"bucket": BUCKET}, *conditions]}


def form_for(fields: dict[str, str], content: bytes = b"png bytes", file_name: str = "cat.png") -> PostForm:
    request = httpx.Request("POST", "http://x/", data=fields, files={"file": (file_name, content, "image/png")})
    return parse_post_form(request.read(), request.headers["content-type"])


def verify(form: PostForm, now: float | None = None, bucket: str = BUCKET) -> str:
    return verify_post_policy(form, bucket=bucket, lookup_secret_key=SECRETS.get, now=now or time.time())


def rejection(form: PostForm, now: float | None = None, bucket: str = BUCKET) -> S3Error:
    with pytest.raises(S3Error) as caught:
        verify(form, now, bucket)
    return caught.value


def invalid_policy(fields: dict[str, str]) -> str:
    error = rejection(form_for(fields))
    assert (error.status, error.code) == (400, "InvalidPolicyDocument"), error
    return error.message


def condition_failure(fields: dict[str, str], content: bytes = b"png bytes") -> str:
    error = rejection(form_for(fields, content))
    assert (error.status, error.code) == (403, "AccessDenied"), error
    return error.message


# --- signatures -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_presigned_post_verifies_and_names_its_signer(signature_version: str) -> None:
    fields = presigned_post(signature_version=signature_version)

    assert verify(form_for(fields)) == "test"
    assert form_signature_version(form_for(fields)) == ("sigv4" if signature_version == "s3v4" else "sigv2")


def test_field_names_are_case_insensitive() -> None:
    fields = {name.upper() if name != "key" else "kEy": value for name, value in presigned_post().items()}

    assert verify(form_for(fields)) == "test"


def test_a_form_without_signing_fields_is_anonymous_even_with_a_policy() -> None:
    fields = presigned_post()

    assert form_signature_version(form_for({"key": "k", "policy": fields["policy"]})) is None


@pytest.mark.parametrize(
    ("dropped", "named"),
    [
        (("x-amz-signature",), "X-Amz-Signature"),
        (("x-amz-algorithm", "x-amz-credential"), "X-Amz-Algorithm"),
        (("x-amz-date",), "X-Amz-Date"),
        (("policy",), "Policy"),
    ],
)
def test_a_missing_sigv4_field_is_an_invalid_argument_naming_it(dropped: tuple[str, ...], named: str) -> None:
    fields = {name: value for name, value in presigned_post().items() if name not in dropped}

    error = rejection(form_for(fields))

    assert (error.status, error.code, error.details) == (
        400,
        "InvalidArgument",
        {"ArgumentName": named, "ArgumentValue": ""},
    )
    assert error.message == (
        f"Bucket POST must contain a field named '{named}'.  If it is specified, please check the order of the fields."
    )


@pytest.mark.parametrize(("dropped", "named"), [("AWSAccessKeyId", "AWSAccessKeyId"), ("signature", "Signature")])
def test_a_missing_sigv2_field_is_an_invalid_argument_naming_it(dropped: str, named: str) -> None:
    fields = {name: value for name, value in presigned_post(signature_version="s3").items() if name != dropped}

    assert rejection(form_for(fields)).details["ArgumentName"] == named


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("x-amz-algorithm", "AWS4-HMAC-SHA1", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
        ("x-amz-date", "2024-01-01", "X-Amz-Date must be formated via ISO8601 Long format"),
        (
            "x-amz-credential",
            "test/20240101/us-east-1/s3",
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
        (
            "x-amz-credential",
            "/20240101/us-east-1/s3/aws4_request",
            "a non-empty Access Key (AKID) must be provided in the credential.",
        ),
        (
            "x-amz-credential",
            "test/2024-01-01/us-east-1/s3/aws4_request",
            'incorrect date format "2024-01-01". This date in the credential must be in the format "yyyyMMdd".',
        ),
        (
            "x-amz-credential",
            "test/20240101/us-east-1/ec2/aws4_request",
            'incorrect service "ec2". This endpoint belongs to "s3".',
        ),
        (
            "x-amz-credential",
            "test/20240101/us-east-1/s3/aws5_request",
            'incorrect terminal "aws5_request". This endpoint uses "aws4_request".',
        ),
    ],
)
def test_malformed_sigv4_fields_are_invalid_arguments(field: str, value: str, message: str) -> None:
    error = rejection(form_for({**presigned_post(), field: value}))

    assert (error.status, error.code, error.message) == (400, "InvalidArgument", message)
    assert error.details["ArgumentValue"] == value


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_the_signature_is_checked_over_the_policy_as_sent_before_it_is_decoded(signature_version: str) -> None:
    fields = presigned_post(signature_version=signature_version)
    truncated = fields["policy"][:-2]

    error = rejection(form_for({**fields, "policy": truncated}))

    assert (error.status, error.code) == (403, "SignatureDoesNotMatch")
    assert error.details["StringToSign"] == truncated
    assert error.details["StringToSignBytes"] == " ".join(f"{byte:02x}" for byte in truncated.encode())
    assert error.details["AWSAccessKeyId"] == "test"


def test_a_signature_that_is_not_hex_or_ascii_does_not_match() -> None:
    for signature in ("zz", "é" * 64):
        assert rejection(form_for({**presigned_post(), "x-amz-signature": signature})).code == "SignatureDoesNotMatch"


def test_an_unknown_access_key_is_invalid_access_key_id() -> None:
    fields = presigned_post()
    fields["x-amz-credential"] = fields["x-amz-credential"].replace("test/", "nobody/", 1)

    error = rejection(form_for(fields))

    assert (error.status, error.code, error.details) == (403, "InvalidAccessKeyId", {"AWSAccessKeyId": "nobody"})


# --- the policy document ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "Invalid JSON."),
        ("[1, 2]", "Invalid JSON."),
        ('{"expiration": "2099-01-01T00:00:00Z", "conditions": [],}', "Invalid JSON."),
        ("[" * 5000 + "]" * 5000, "Invalid JSON."),
        ({"Statement": [], "expiration": FAR, "conditions": [["eq", "$key", "k"]]}, "Unexpected: 'statement'"),
        ({"EXPIRATION": FAR, "conditions": [["eq", "$key", "k"]]}, "Unexpected: 'expiration'"),
        ({"conditions": [["eq", "$key", "k"]]}, "Policy missing expiration."),
        ({"expiration": FAR}, "Policy missing conditions."),
        ({"expiration": FAR, "conditions": []}, "Policy missing conditions."),
        ({"expiration": FAR, "conditions": {"key": "k"}}, "Invalid 'conditions' value: must be a List."),
        (
            policy(expiration="2099-01-01 00:00:00.123456+00:00"),
            "Invalid 'expiration' value: '2099-01-01 00:00:00.123456+00:00'",
        ),
        (policy(expiration="2099-01-01T00:00:00+02:00"), "Invalid 'expiration' value: '2099-01-01T00:00:00+02:00'"),
        (policy(expiration="2099-13-01T00:00:00Z"), "Invalid 'expiration' value: '2099-13-01T00:00:00Z'"),
        (policy(expiration=4102444800), "Invalid 'expiration' value: '4102444800'"),
        (policy({}), "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
        (
            policy({"acl": "private", "key": "k"}),
            "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
        ),
        (policy({"Content-Length": 6199034}), "Invalid Simple-Condition: value must be a string."),
        (policy({"success_action_redirect": None}), "Invalid JSON."),
        (policy("key"), "Invalid condition test: must be a List or Object."),
        (policy([]), "Invalid Condition: missing operation identifier."),
        (policy(["matches", "$key", "k"]), "Invalid Condition: unknown operation 'matches'."),
        (policy(["eq", "$key"]), "Invalid eq: wrong number of arguments."),
        (policy(["content-length-range", 0]), "Invalid content-length-range: wrong number of arguments."),
        (policy(["content-length-range", 0, 512.0]), "Invalid JSON."),
        (policy(["starts-with", "$key", 1]), "Invalid JSON."),
    ],
)
def test_a_policy_s3_cannot_read_is_an_invalid_policy_document(document: object, message: str) -> None:
    assert invalid_policy(sigv2_fields(document, key="k")) == f"Invalid Policy: {message}"


@pytest.mark.parametrize("expiration", ["2099-01-01T00:00:00Z", "2099-01-01T00:00:00.000Z"])
def test_an_iso8601_gmt_expiration_is_read_with_or_without_milliseconds(expiration: str) -> None:
    assert verify(form_for(sigv2_fields(policy(["eq", "$key", "k"], expiration=expiration), key="k"))) == "test"


def test_an_expired_policy_is_refused() -> None:
    fields = presigned_post(expires=60)

    error = rejection(form_for(fields), now=time.time() + 61)

    assert (error.status, error.code, error.message) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )


# --- conditions -------------------------------------------------------------------------------------------------


def test_starts_with_on_the_key() -> None:
    fields = presigned_post("uploads/${filename}", conditions=[["starts-with", "$key", "uploads/"]])

    assert verify(form_for({**fields, "key": "uploads/dog.png"}))
    assert condition_failure({**fields, "key": "private/dog.png"}) == (
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]'
    )


def test_a_simple_condition_fails_as_an_eq_condition_in_the_policys_spelling() -> None:
    fields = presigned_post("uploads/cat.png")

    assert condition_failure({**fields, "key": "uploads/other.png"}) == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/cat.png"]'
    )


def test_the_bucket_condition_is_checked_against_the_url_and_a_bucket_field_must_be_covered() -> None:
    fields = presigned_post()

    assert '"$bucket"' in rejection(form_for(fields), bucket="another-bucket").message
    assert verify(form_for({**fields, "bucket": "anything"})) == "test"  # the bucket condition covers the field
    no_bucket_condition = sigv2_fields({"expiration": FAR, "conditions": [["eq", "$key", "k"]]}, key="k", bucket="b")
    assert condition_failure(no_bucket_condition) == "Invalid according to Policy: Extra input fields: bucket"


def test_condition_names_and_operators_are_case_insensitive_and_values_are_not() -> None:
    document = policy(["StArTs-WiTh", "$KeY", "foo"], {"AcL": "private"}, ["EQ", "$CoNtEnT-TyPe", "text/plain"])
    fields = sigv2_fields(document, kEy="foo.txt", aCl="private", **{"Content-Type": "text/plain"})

    assert verify(form_for(fields)) == "test"
    assert "Policy Condition failed" in condition_failure({**fields, "aCl": "PRIVATE"})


def test_content_type_starts_with_applies_to_each_value() -> None:
    fields = presigned_post(
        fields={"Content-Type": "image/png"}, conditions=[["starts-with", "$Content-Type", "image/"]]
    )

    assert verify(form_for({**fields, "Content-Type": "image/png, image/gif"}))
    assert condition_failure({**fields, "Content-Type": "image/png, text/html"}).endswith(
        '["starts-with", "$Content-Type", "image/"]'
    )


def test_a_condition_on_an_absent_field_fails_even_when_it_allows_anything() -> None:
    fields = sigv2_fields(policy(["eq", "$key", "k"], ["starts-with", "$x-amz-meta-tag", ""]), key="k")

    assert condition_failure(fields).endswith('["starts-with", "$x-amz-meta-tag", ""]')
    assert verify(form_for({**fields, "x-amz-meta-tag": ""})) == "test"


def test_a_condition_whose_subject_names_no_field_fails() -> None:
    fields = sigv2_fields(policy(["eq", "key", "k"]), key="k")

    assert condition_failure(fields).endswith('["eq", "key", "k"]')


def test_an_escaped_dollar_is_matched_as_written() -> None:
    fields = sigv2_fields(policy(["starts-with", "$key", "\\$foo"]), key="\\$foo.txt")

    assert verify(form_for(fields)) == "test"


def test_content_length_range_bounds_the_file_inclusively() -> None:
    fields = presigned_post(conditions=[["content-length-range", 10, 100]])

    assert verify(form_for(fields, content=b"x" * 10)) and verify(form_for(fields, content=b"x" * 100))
    too_large = rejection(form_for(fields, content=b"x" * 101))
    assert (too_large.status, too_large.code, too_large.details) == (
        400,
        "EntityTooLarge",
        {"ProposedSize": "101", "MaxSizeAllowed": "100"},
    )
    assert too_large.message == "Your proposed upload exceeds the maximum allowed size"
    too_small = rejection(form_for(fields, content=b"x" * 9))
    assert (too_small.code, too_small.details) == ("EntityTooSmall", {"ProposedSize": "9", "MinSizeAllowed": "10"})


def test_content_length_range_bounds_may_be_strings_of_digits_and_others_fail() -> None:
    assert verify(form_for(sigv2_fields(policy(["eq", "$key", "k"], ["content-length-range", "5", "10"]), key="k")))

    fields = sigv2_fields(policy(["eq", "$key", "k"], ["content-length-range", "test", "10"]), key="k")

    assert condition_failure(fields).endswith('["content-length-range", "test", "10"]')


def test_fields_no_condition_covers_are_extra_input_fields_named_as_sent() -> None:
    fields = presigned_post()

    message = condition_failure({**fields, "Content-Type": "image/png", "StorageClass": "X", "x-ignore-me": "1"})

    assert message == "Invalid according to Policy: Extra input fields: Content-Type, StorageClass"


def test_checksum_fields_need_no_condition() -> None:
    fields = {**presigned_post(), "x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": "anything"}

    assert verify(form_for(fields)) == "test"


def test_the_signer_is_named_to_the_layers_behind_the_guard() -> None:
    sigv4 = presigned_post()
    assert signer_headers(form_for({**sigv4, "x-amz-security-token": "token"})) == {
        "authorization": (
            f"AWS4-HMAC-SHA256 Credential={sigv4['x-amz-credential']}, SignedHeaders=host, "
            f"Signature={sigv4['x-amz-signature']}"
        ),
        "x-amz-security-token": "token",
    }
    sigv2 = presigned_post(signature_version="s3")
    assert signer_headers(form_for(sigv2)) == {"authorization": f"AWS test:{sigv2['signature']}"}
