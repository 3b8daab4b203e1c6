"""Browser form POST uploads are checked as S3 checks them, and answered as S3 answers them."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from emulator.s3.errors import S3Error
from emulator.s3.post_policy import PostForm, parse_post_form, post_success_response, verify_post_policy

SECRETS = {"test": "test"}
BUCKET = "my-bucket"


def presigned_post(
    key: str = "uploads/cat.png",
    *,
    conditions: list[Any] | None = None,
    fields: dict[str, str] | None = None,
    signature_version: str = "s3v4",
    expires: int = 3600,
) -> dict[str, Any]:
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:4566",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version=signature_version),
    )
    return client.generate_presigned_post(BUCKET, key, Fields=fields, Conditions=conditions, ExpiresIn=expires)


def form_for(fields: dict[str, str], content: bytes = b"png bytes", file_name: str = "cat.png") -> PostForm:
    request = httpx.Request("POST", "http://x/", data=fields, files={"file": (file_name, content, "image/png")})
    return parse_post_form(request.read(), request.headers["content-type"])


def verify(form: PostForm, now: float | None = None) -> str:
    return verify_post_policy(form, bucket=BUCKET, lookup_secret_key=SECRETS.get, now=now or time.time())


def rejection(form: PostForm, now: float | None = None) -> S3Error:
    with pytest.raises(S3Error) as caught:
        verify(form, now)
    return caught.value


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_presigned_post_verifies(signature_version: str) -> None:
    post = presigned_post(signature_version=signature_version)
    assert verify(form_for(post["fields"])) == "test"


def test_the_form_gives_fields_before_the_file_and_the_files_size_and_md5() -> None:
    form = form_for({"key": "k", "Content-Type": "image/png"}, content=b"x" * 1000)
    assert form.fields == (("key", "k"), ("Content-Type", "image/png"))
    assert (form.file_name, form.file_size, form.file_md5) == ("cat.png", 1000, hashlib.md5(b"x" * 1000).hexdigest())
    assert form.field("content-type") == "image/png"


def test_fields_after_the_file_are_ignored() -> None:
    boundary = "b0und"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="late"\r\n\r\nx\r\n--{boundary}--\r\n'
    ).encode()
    form = parse_post_form(body, f"multipart/form-data; boundary={boundary}")
    assert form.fields == (("key", "k"),)
    assert form.file_size == 5


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nk', "multipart/form-data; boundary=b"),
        (b"key=k", "multipart/form-data"),
    ],
)
def test_a_body_that_is_not_multipart_is_malformed(body: bytes, content_type: str) -> None:
    with pytest.raises(S3Error) as caught:
        parse_post_form(body, content_type)
    assert (caught.value.code, caught.value.status) == ("MalformedPOSTRequest", 400)


def test_an_expired_policy_is_refused() -> None:
    post = presigned_post(expires=60)
    error = rejection(form_for(post["fields"]), now=time.time() + 61)
    assert (error.code, error.message) == ("AccessDenied", "Invalid according to Policy: Policy expired.")


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_tampered_policy_does_not_match_its_signature(signature_version: str) -> None:
    fields = presigned_post(signature_version=signature_version)["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"].append(["content-length-range", 0, 10**12])
    fields["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
    assert rejection(form_for(fields)).code == "SignatureDoesNotMatch"


def test_content_length_range_bounds_the_file() -> None:
    fields = presigned_post(conditions=[["content-length-range", 10, 100]])["fields"]
    assert verify(form_for(fields, content=b"x" * 100))
    too_large = rejection(form_for(fields, content=b"x" * 101))
    assert (too_large.code, too_large.status, too_large.details) == (
        "EntityTooLarge",
        400,
        {"ProposedSize": "101", "MaxSizeAllowed": "100"},
    )
    too_small = rejection(form_for(fields, content=b"x" * 9))
    assert (too_small.code, too_small.details["MinSizeAllowed"]) == ("EntityTooSmall", "10")


def test_starts_with_on_the_key() -> None:
    fields = presigned_post("uploads/${filename}", conditions=[["starts-with", "$key", "uploads/"]])["fields"]
    assert verify(form_for({**fields, "key": "uploads/dog.png"}))
    error = rejection(form_for({**fields, "key": "private/dog.png"}))
    assert error.code == "AccessDenied"
    assert error.message == 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]'


def test_an_exact_key_condition_refuses_another_key() -> None:
    fields = presigned_post("uploads/cat.png")["fields"]
    error = rejection(form_for({**fields, "key": "uploads/other.png"}))
    assert error.message == 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/cat.png"]'


def test_the_bucket_condition_is_checked_against_the_url() -> None:
    fields = presigned_post()["fields"]
    with pytest.raises(S3Error) as caught:
        verify_post_policy(form_for(fields), bucket="another-bucket", lookup_secret_key=SECRETS.get, now=time.time())
    assert '"$bucket"' in caught.value.message


def test_content_type_starts_with_applies_to_each_value() -> None:
    fields = presigned_post(
        fields={"Content-Type": "image/png"}, conditions=[["starts-with", "$Content-Type", "image/"]]
    )["fields"]
    assert verify(form_for({**fields, "Content-Type": "image/png, image/gif"}))
    assert rejection(form_for({**fields, "Content-Type": "image/png, text/html"})).code == "AccessDenied"


def test_fields_no_condition_covers_are_extra_input_fields() -> None:
    fields = presigned_post()["fields"]
    error = rejection(form_for({**fields, "Content-Type": "image/png", "x-ignore-me": "1"}))
    assert error.message == "Invalid according to Policy: Extra input fields: Content-Type"


def test_an_unsigned_upload_is_access_denied() -> None:
    assert rejection(form_for({"key": "k"})).message == "Access Denied"


def test_missing_key_and_missing_file_are_invalid_arguments() -> None:
    fields = presigned_post()["fields"]
    no_key = rejection(form_for({name: value for name, value in fields.items() if name != "key"}))
    assert (no_key.code, no_key.details["ArgumentName"]) == ("InvalidArgument", "key")
    request = httpx.Request("POST", "http://x/", data=fields, files={"other": ("a", b"x")})
    no_file = rejection(parse_post_form(request.read(), request.headers["content-type"]))
    assert (no_file.code, no_file.details["ArgumentName"]) == ("InvalidArgument", "file")


def test_an_unknown_access_key_is_invalid_access_key_id() -> None:
    fields = presigned_post()["fields"]
    fields["x-amz-credential"] = fields["x-amz-credential"].replace("test/", "nobody/", 1)
    assert rejection(form_for(fields)).code == "InvalidAccessKeyId"


def test_a_policy_that_is_not_json_is_an_invalid_policy_document() -> None:
    fields = {**presigned_post()["fields"], "policy": base64.b64encode(b"not json").decode()}
    error = rejection(form_for(fields))
    assert (error.code, error.status, error.message) == ("InvalidPolicyDocument", 400, "Invalid Policy: Invalid JSON.")


def test_success_is_204_with_etag_and_location_by_default() -> None:
    form = form_for({"key": "a b.png"}, content=b"abc")
    answer = post_success_response(form, bucket=BUCKET, location="http://h/my-bucket/a%20b.png")
    assert answer.status == 204
    assert answer.headers == {
        "ETag": f'"{hashlib.md5(b"abc").hexdigest()}"',
        "Location": "http://h/my-bucket/a%20b.png",
    }
    assert answer.body == b""


def test_success_action_status_201_answers_a_post_response_document() -> None:
    form = form_for({"key": "k", "success_action_status": "201"}, content=b"abc")
    answer = post_success_response(form, bucket=BUCKET, location="http://h/my-bucket/k")
    assert answer.status == 201
    assert (
        b"<PostResponse><Location>http://h/my-bucket/k</Location><Bucket>my-bucket</Bucket><Key>k</Key>" in answer.body
    )
    assert f'<ETag>"{hashlib.md5(b"abc").hexdigest()}"</ETag></PostResponse>'.encode() in answer.body


@pytest.mark.parametrize(("value", "status"), [("200", 200), ("204", 204), ("302", 204), ("", 204)])
def test_success_action_status_other_values(value: str, status: int) -> None:
    form = form_for({"key": "k", "success_action_status": value})
    assert post_success_response(form, bucket=BUCKET, location="http://h/b/k").status == status


def test_success_action_redirect_sends_the_browser_on_with_bucket_key_and_etag() -> None:
    form = form_for({"key": "k", "success_action_redirect": "http://app/done?x=1"}, content=b"abc")
    answer = post_success_response(form, bucket=BUCKET, location="http://h/b/k")
    assert answer.status == 303
    etag = hashlib.md5(b"abc").hexdigest()
    assert answer.headers["Location"] == f"http://app/done?x=1&bucket=my-bucket&key=k&etag=%22{etag}%22"


def test_the_answer_names_the_stored_key_with_filename_replaced() -> None:
    # S3 stores `uploads/${filename}` under the uploaded file's name, and its answer names that key.
    form = form_for({"key": "uploads/${filename}", "success_action_status": "201"}, content=b"abc")
    answer = post_success_response(form, bucket=BUCKET, location="http://h/b/uploads/cat.png")
    assert form.object_key == "uploads/cat.png"
    assert b"<Key>uploads/cat.png</Key>" in answer.body
