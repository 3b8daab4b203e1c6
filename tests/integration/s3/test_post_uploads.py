"""Browser form POST uploads against the emulator as `sst-dev start` runs it, sent as browsers and s3-tests send them.

Forms come from boto3's `generate_presigned_post` (SigV4, as production signs) or are signed by hand with SigV2, as
Ceph's s3-tests do; they go over the wire with httpx as multipart/form-data. What S3 stores is read back with boto3.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import boto3
import httpx
import pytest
from botocore.client import BaseClient
from botocore.config import Config

from devserver.aws.local_aws import EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE
from emulator.process import EmulatorProcess
from tests.integration.emulator_support import S3EventLog

BODY = b"bar"


@pytest.fixture(scope="module")
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def bucket_url(emulator: EmulatorProcess, bucket: str) -> str:
    return f"{emulator.endpoint}/{bucket}"


def presigned_post(s3: BaseClient, bucket: str, key: str = "uploads/${filename}", **options: Any) -> dict[str, Any]:
    post: dict[str, Any] = s3.generate_presigned_post(bucket, key, **options)
    return post


def send_form(
    browser: httpx.Client,
    url: str,
    fields: dict[str, str] | list[tuple[str, str]],
    file: tuple[str | None, bytes] = ("photo.png", BODY),
    *,
    after_file: tuple[tuple[str, str], ...] = (),
) -> httpx.Response:
    """POST `fields`, then the file part, then `after_file`, as one multipart/form-data body."""
    pairs = list(fields.items()) if isinstance(fields, dict) else fields
    parts: list[tuple[str, tuple[str | None, bytes | str]]] = [(name, (None, value)) for name, value in pairs]
    parts.append(("file", file))
    parts += [(name, (None, value)) for name, value in after_file]
    return browser.post(url, files=parts)


def sigv2_form(emulator: EmulatorProcess, bucket: str, conditions: list[Any], /, **fields: str) -> dict[str, str]:
    """A form signed as Ceph's s3-tests sign theirs (SigV2), for a policy a client could write by hand."""
    expiration = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return signed_policy_form(
        emulator, {"expiration": expiration, "conditions": [{"bucket": bucket}, *conditions]}, fields
    )


def signed_policy_form(emulator: EmulatorProcess, document: object, fields: dict[str, str]) -> dict[str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    policy = base64.b64encode(text.encode()).decode()
    secret = emulator.credentials.secret_access_key.encode()
    signature = base64.b64encode(hmac.new(secret, policy.encode(), hashlib.sha1).digest()).decode()
    return {"AWSAccessKeyId": emulator.credentials.access_key_id, "policy": policy, "signature": signature, **fields}


CEPH_CONDITIONS: list[Any] = [
    ["starts-with", "$key", "foo"],
    {"acl": "private"},
    ["starts-with", "$Content-Type", "text/plain"],
    ["content-length-range", 0, 1024],
]


def ceph_form(emulator: EmulatorProcess, bucket: str, /, *extra: Any, **fields: str) -> dict[str, str]:
    form = {"key": "foo.txt", "acl": "private", "Content-Type": "text/plain", **fields}
    return sigv2_form(emulator, bucket, [*CEPH_CONDITIONS, *extra], **form)


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    assert response.headers["content-type"] == "application/xml", response.text
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


def stored(s3: BaseClient, bucket: str, key: str) -> dict[str, Any]:
    answer: dict[str, Any] = s3.get_object(Bucket=bucket, Key=key)
    answer["Content"] = answer["Body"].read()
    return answer


def keys_in(s3: BaseClient, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def md5_etag(content: bytes) -> str:
    return f'"{hashlib.md5(content).hexdigest()}"'


# --- authenticated uploads --------------------------------------------------------------------------------------


def test_a_presigned_post_uploads_and_answers_204_with_etag_and_location(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(s3, bucket, "uploads/photos/cat.png")

    answer = send_form(browser, post["url"], post["fields"], ("cat.png", b"\x89PNG"))

    assert (answer.status_code, answer.content) == (204, b"")
    assert answer.headers["ETag"] == md5_etag(b"\x89PNG")
    assert answer.headers["Location"] == f"{bucket_url(emulator, bucket)}/uploads%2Fphotos%2Fcat.png"
    object_ = stored(s3, bucket, "uploads/photos/cat.png")
    assert (object_["Content"], object_["ETag"]) == (b"\x89PNG", answer.headers["ETag"])
    assert object_["ContentType"] == "binary/octet-stream"  # no Content-Type field: S3's default, not the part's


def test_a_sigv2_form_whose_signature_holds_four_slashes_uploads(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    """moto once read a service name out of such a signature (split on "/" as a SigV4 credential) and answered 500."""
    for attempt in itertools.count():
        key = f"slashes-{attempt}.txt"
        document = {"expiration": "2099-01-01T00:00:00Z", "conditions": [{"bucket": bucket}, {"key": key}]}
        form = signed_policy_form(emulator, document, {"key": key})
        if form["signature"].count("/") == 4:
            break

    answer = send_form(browser, bucket_url(emulator, bucket), form)

    assert answer.status_code == 204, answer.text
    assert stored(s3, bucket, key)["Content"] == BODY


def test_an_s3_tests_style_sigv2_form_with_every_part_named_as_a_file_uploads(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    form = ceph_form(emulator, bucket)
    # requests' `files=` (s3-tests' client) sends each field as a file part named after itself.
    parts = [(name, (name, value)) for name, value in form.items()] + [("file", ("file", BODY))]

    answer = browser.post(bucket_url(emulator, bucket), files=parts)

    assert answer.status_code == 204, answer.text
    object_ = stored(s3, bucket, "foo.txt")
    assert (object_["Content"], object_["ContentType"]) == (BODY, "text/plain")


def test_a_form_without_content_type_uploads(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    conditions = [["starts-with", "$key", "foo"], {"acl": "private"}, ["content-length-range", 0, 1024]]
    form = sigv2_form(emulator, bucket, conditions, key="foo.txt", acl="private")

    assert send_form(browser, bucket_url(emulator, bucket), form).status_code == 204
    assert stored(s3, bucket, "foo.txt")["Content"] == BODY


def test_x_ignore_fields_need_no_condition(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    form = ceph_form(emulator, bucket, **{"x-ignore-foo": "bar"})

    assert send_form(browser, bucket_url(emulator, bucket), form).status_code == 204
    assert "x-ignore-foo" not in stored(s3, bucket, "foo.txt")["Metadata"]


def test_condition_and_field_names_are_case_insensitive(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    conditions = [
        ["StArTs-WiTh", "$KeY", "foo"],
        {"AcL": "private"},
        ["StArTs-WiTh", "$CoNtEnT-TyPe", "text/plain"],
        ["content-length-range", 0, 1024],
    ]
    form = sigv2_form(emulator, bucket, conditions, kEy="foo.txt", aCl="private", **{"Content-Type": "text/plain"})
    form["pOLICy"] = form.pop("policy")

    assert send_form(browser, bucket_url(emulator, bucket), form).status_code == 204
    assert stored(s3, bucket, "foo.txt")["Content"] == BODY


def test_escaped_field_values_are_matched_and_stored_as_written(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    conditions = [["starts-with", "$key", "\\$foo"], ["content-length-range", 0, 1024]]
    form = sigv2_form(emulator, bucket, conditions, key="\\$foo.txt")

    assert send_form(browser, bucket_url(emulator, bucket), form).status_code == 204
    assert stored(s3, bucket, "\\$foo.txt")["Content"] == BODY


@pytest.mark.parametrize("key", ["/user/mary/photo.jpg", "a//b/../c d+e%20f", "ünïcödé/ключ.txt"])
def test_any_key_is_stored_as_written(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client, key: str
) -> None:
    post = presigned_post(s3, bucket, key)

    assert send_form(browser, post["url"], post["fields"]).status_code == 204
    assert keys_in(s3, bucket) == [key]


def test_filename_in_the_key_is_replaced_by_the_uploaded_files_name(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(
        s3,
        bucket,
        "uploads/${filename}",
        Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}],
    )

    answer = send_form(browser, post["url"], post["fields"], ("C:\\Users\\me\\my photo.png", BODY))

    assert answer.status_code == 201
    assert ElementTree.fromstring(answer.content).findtext("Key") == "uploads/my photo.png"
    assert keys_in(s3, bucket) == ["uploads/my photo.png"]


# --- what S3 answers --------------------------------------------------------------------------------------------


def test_success_action_status_201_answers_a_post_response(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(
        s3, bucket, "docs/a.txt", Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}]
    )

    answer = send_form(browser, post["url"], post["fields"])

    assert (answer.status_code, answer.headers["content-type"]) == (201, "application/xml")
    root = ElementTree.fromstring(answer.content)
    assert root.tag == "PostResponse"
    assert [(child.tag, child.text) for child in root] == [
        ("Location", f"{bucket_url(emulator, bucket)}/docs%2Fa.txt"),
        ("Bucket", bucket),
        ("Key", "docs/a.txt"),
        ("ETag", md5_etag(BODY)),
    ]
    assert answer.headers["ETag"] == md5_etag(BODY)


@pytest.mark.parametrize(("value", "status"), [("200", 200), ("204", 204), ("404", 204), ("nonsense", 204)])
def test_success_action_status_200_and_204_are_empty_and_invalid_values_are_204(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client, value: str, status: int
) -> None:
    post = presigned_post(
        s3, bucket, "k", Fields={"success_action_status": value}, Conditions=[{"success_action_status": value}]
    )

    answer = send_form(browser, post["url"], post["fields"])

    assert (answer.status_code, answer.content) == (status, b"")
    assert stored(s3, bucket, "k")["Content"] == BODY


def test_success_action_redirect_sends_the_browser_on_with_bucket_key_and_etag(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    redirect = "http://localhost:3000/uploaded?from=form"
    form = ceph_form(emulator, bucket, ["eq", "$success_action_redirect", redirect], success_action_redirect=redirect)

    answer = send_form(browser, bucket_url(emulator, bucket), form)

    assert (answer.status_code, answer.content) == (303, b"")
    etag = stored(s3, bucket, "foo.txt")["ETag"].strip('"')
    assert answer.headers["Location"] == f"{redirect}&bucket={bucket}&key=foo.txt&etag=%22{etag}%22"


# --- what is stored ---------------------------------------------------------------------------------------------


def test_metadata_and_rest_headers_from_the_form_are_stored_with_the_object(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    fields = {
        "Content-Type": "text/plain",
        "Cache-Control": "max-age=60",
        "Content-Disposition": 'attachment; filename="report.txt"',
        "Expires": "Thu, 01 Jan 2099 00:00:00 GMT",
        "x-amz-meta-Camel-Case": "Keeps Its Case",
        "x-amz-meta-unicode": "ÄMÄZÕÑ S3",
    }
    post = presigned_post(
        s3, bucket, "report.txt", Fields=fields, Conditions=[{name: value} for name, value in fields.items()]
    )

    assert send_form(browser, post["url"], post["fields"]).status_code == 204

    object_ = stored(s3, bucket, "report.txt")
    assert object_["ContentType"] == "text/plain"
    assert object_["CacheControl"] == "max-age=60"
    assert object_["ContentDisposition"] == 'attachment; filename="report.txt"'
    assert object_["ResponseMetadata"]["HTTPHeaders"]["expires"] == "Thu, 01 Jan 2099 00:00:00 GMT"
    assert object_["Metadata"] == {
        "camel-case": "Keeps Its Case",
        "unicode": "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=",
    }


def test_user_specified_metadata_must_meet_its_condition(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    url = bucket_url(emulator, bucket)
    meta = ["starts-with", "$x-amz-meta-foo", "bar"]

    assert (
        send_form(browser, url, ceph_form(emulator, bucket, meta, **{"x-amz-meta-foo": "barclamp"})).status_code == 204
    )
    assert stored(s3, bucket, "foo.txt")["Metadata"] == {"foo": "barclamp"}
    missing = send_form(browser, url, ceph_form(emulator, bucket, meta))
    assert s3_error(missing) == (
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-foo", "bar"]',
    )
    wrong = send_form(
        browser, url, ceph_form(emulator, bucket, ["eq", "$x-amz-meta-foo", ""], **{"x-amz-meta-foo": "x"})
    )
    assert s3_error(wrong)[:2] == (403, "AccessDenied")


def test_the_tagging_field_tags_the_object(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    tagging = (
        "<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag><Tag><Key>1</Key><Value>1</Value></Tag></TagSet>"
        "</Tagging> "
    )
    url = bucket_url(emulator, bucket)

    answer = send_form(browser, url, ceph_form(emulator, bucket, ["starts-with", "$tagging", ""], tagging=tagging))

    assert answer.status_code == 204, answer.text
    tags = s3.get_object_tagging(Bucket=bucket, Key="foo.txt")["TagSet"]
    assert tags == [{"Key": "0", "Value": "0"}, {"Key": "1", "Value": "1"}]
    not_xml = send_form(browser, url, ceph_form(emulator, bucket, ["starts-with", "$tagging", ""], tagging="not-xml"))
    assert s3_error(not_xml)[:2] == (400, "MalformedXML")


def test_the_acl_field_sets_the_objects_acl(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    url = bucket_url(emulator, bucket)
    form = sigv2_form(
        emulator, bucket, [["starts-with", "$key", ""], ["starts-with", "$acl", ""]], key="open.txt", acl="public-read"
    )

    assert send_form(browser, url, form).status_code == 204
    grants = s3.get_object_acl(Bucket=bucket, Key="open.txt")["Grants"]
    assert {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "Permission": "READ",
    } in grants
    assert browser.get(f"{url}/open.txt").content == BODY  # readable anonymously, as S3 serves a public-read object
    bad = send_form(
        browser,
        url,
        sigv2_form(emulator, bucket, [["starts-with", "$key", ""], ["starts-with", "$acl", ""]], key="x", acl="public"),
    )
    assert s3_error(bad)[:2] == (400, "InvalidArgument")
    assert keys_in(s3, bucket) == ["open.txt"]


def test_checksum_fields_are_verified_and_kept(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    content = b"x" * (2 * 1024 * 1024)
    sha256 = base64.b64encode(hashlib.sha256(content).digest()).decode()
    post = presigned_post(s3, bucket, "foo_cksum_test", Conditions=[["content-length-range", 0, 5 * 1024 * 1024]])

    good = send_form(browser, post["url"], {**post["fields"], "x-amz-checksum-sha256": sha256}, ("f", content))
    bad = send_form(browser, post["url"], {**post["fields"], "x-amz-checksum-sha256": "sailorjerry"}, ("f", content))
    wrong = send_form(browser, post["url"], {**post["fields"], "x-amz-checksum-sha256": sha256}, ("f", content + b"!"))

    assert good.status_code == 204, good.text
    assert s3.head_object(Bucket=bucket, Key="foo_cksum_test", ChecksumMode="ENABLED")["ChecksumSHA256"] == sha256
    assert s3_error(bad)[:2] == (400, "InvalidRequest")
    assert s3_error(wrong)[:2] == (400, "BadDigest")
    assert stored(s3, bucket, "foo_cksum_test")["Content"] == content


# --- refusals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"x" * 1025, (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")),
        (b"x" * 9, (400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")),
    ],
)
def test_content_length_range_is_enforced(
    s3: BaseClient, bucket: str, browser: httpx.Client, content: bytes, expected: tuple[int, str, str]
) -> None:
    post = presigned_post(s3, bucket, "k", Conditions=[["content-length-range", 10, 1024]])

    assert s3_error(send_form(browser, post["url"], post["fields"], ("f", content))) == expected
    assert keys_in(s3, bucket) == []


def test_an_upload_of_several_mebibytes_within_its_range_is_stored(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    content = b"x" * (4 * 1024 * 1024 + 200)
    form = sigv2_form(
        emulator,
        bucket,
        [["starts-with", "$key", "foo"], ["content-length-range", 4 * 1024 * 1024, 12 * 1024 * 1024]],
        key="foo.txt",
    )

    assert send_form(browser, bucket_url(emulator, bucket), form, ("big", content)).status_code == 204
    assert stored(s3, bucket, "foo.txt")["Content"] == content


def test_the_file_must_be_last_and_fields_after_it_are_ignored(
    s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(s3, bucket, "k")
    fields = dict(post["fields"])

    ignored = send_form(browser, post["url"], fields, after_file=(("x-amz-meta-late", "1"), ("submit", "Upload")))
    key = fields.pop("key")
    late_key = send_form(browser, post["url"], fields, after_file=(("key", key),))

    assert ignored.status_code == 204
    assert stored(s3, bucket, "k")["Metadata"] == {}
    assert s3_error(late_key) == (
        400,
        "InvalidArgument",
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
    )


def test_a_form_without_a_key_is_an_invalid_argument(
    emulator: EmulatorProcess, bucket: str, browser: httpx.Client
) -> None:
    form = sigv2_form(emulator, bucket, [{"acl": "private"}, ["content-length-range", 0, 1024]], acl="private")

    assert s3_error(send_form(browser, bucket_url(emulator, bucket), form))[:2] == (400, "InvalidArgument")


def test_an_expired_policy_is_refused(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    expired = (datetime.now(UTC) - timedelta(seconds=6000)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"expiration": expired, "conditions": [{"bucket": bucket}, ["starts-with", "$key", ""]]}

    answer = send_form(browser, bucket_url(emulator, bucket), signed_policy_form(emulator, document, {"key": "k"}))

    assert s3_error(answer) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    assert keys_in(s3, bucket) == []


def test_a_failed_condition_and_an_uncovered_field_are_refused(
    s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(s3, bucket, "uploads/${filename}", Conditions=[["starts-with", "$key", "uploads/"]])

    elsewhere = send_form(browser, post["url"], {**post["fields"], "key": "private/x"})
    extra = send_form(browser, post["url"], {**post["fields"], "Content-Type": "text/html"})

    assert s3_error(elsewhere) == (
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]',
    )
    assert s3_error(extra) == (403, "AccessDenied", "Invalid according to Policy: Extra input fields: Content-Type")
    assert keys_in(s3, bucket) == []


def test_a_form_posted_to_another_bucket_fails_the_bucket_condition(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    other = f"conformance-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=other)
    form = ceph_form(emulator, bucket, key="${filename}", bucket=bucket)

    answer = send_form(browser, bucket_url(emulator, other), form, ("foo.txt", BODY))

    assert s3_error(answer)[:2] == (403, "AccessDenied")
    assert keys_in(s3, other) == []


def test_a_bad_signature_or_an_unknown_key_is_refused(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    url = bucket_url(emulator, bucket)
    form = ceph_form(emulator, bucket)

    reversed_signature = send_form(browser, url, {**form, "signature": form["signature"][::-1]})
    unknown_key = send_form(browser, url, {**form, "AWSAccessKeyId": "foo"})
    post = presigned_post(s3, bucket, "k")
    sigv4 = send_form(browser, post["url"], {**post["fields"], "x-amz-signature": "0" * 64})
    missing = send_form(browser, url, {name: value for name, value in form.items() if name != "signature"})

    assert s3_error(reversed_signature)[:2] == (403, "SignatureDoesNotMatch")
    assert s3_error(unknown_key)[:2] == (403, "InvalidAccessKeyId")
    assert s3_error(sigv4)[:2] == (403, "SignatureDoesNotMatch")
    assert s3_error(missing)[:2] == (400, "InvalidArgument")
    assert keys_in(s3, bucket) == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"expiration": str(datetime.now(UTC) + timedelta(hours=1)), "conditions": [["starts-with", "$key", ""]]},
            None,
        ),
        ({"expiration": "2099-01-01T00:00:00Z", "conditions": []}, "Invalid Policy: Policy missing conditions."),
        (
            {"expiration": "2099-01-01T00:00:00Z", "conditions": [{}]},
            "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
        ),
        ({"expiration": "2099-01-01T00:00:00Z"}, "Invalid Policy: Policy missing conditions."),
        ({"conditions": [["starts-with", "$key", ""]]}, "Invalid Policy: Policy missing expiration."),
        ({"EXPIRATION": "2099-01-01T00:00:00Z", "conditions": [["starts-with", "$key", ""]]}, None),
        ({"expiration": "2099-01-01T00:00:00Z", "CONDITIONS": [["starts-with", "$key", ""]]}, None),
        ({"expiration": "2099-01-01T00:00:00Z", "conditions": [["content-length-range", 0]]}, None),
    ],
    ids=[
        "invalid-date-format",
        "empty-conditions",
        "empty-condition",
        "no-conditions",
        "no-expiration",
        "expiration-case",
        "conditions-case",
        "range-arguments",
    ],
)
def test_a_policy_s3_cannot_read_is_an_invalid_policy_document(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client, document: object, message: str | None
) -> None:
    answer = send_form(browser, bucket_url(emulator, bucket), signed_policy_form(emulator, document, {"key": "k"}))

    status, code, text = s3_error(answer)
    assert (status, code) == (400, "InvalidPolicyDocument")
    assert message is None or text == message
    assert keys_in(s3, bucket) == []


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/plain", b"key=k", (412, "PreconditionFailed")),
        ("application/x-www-form-urlencoded", b"key=k", (412, "PreconditionFailed")),
        ("multipart/form-data", b"key=k", (400, "MalformedPOSTRequest")),
        (
            "multipart/form-data; boundary=abc",
            b'--abc\r\nContent-Disposition: form-data; name="key"\r\n\r\nk',
            (400, "MalformedPOSTRequest"),
        ),
        ("multipart/form-data; boundary=abc", b"--zzz\r\n\r\n--zzz--", (400, "MalformedPOSTRequest")),
    ],
)
def test_a_post_that_is_no_form_is_refused_as_s3_refuses_it(
    emulator: EmulatorProcess,
    bucket: str,
    browser: httpx.Client,
    content_type: str,
    body: bytes,
    expected: tuple[int, str],
) -> None:
    answer = browser.post(bucket_url(emulator, bucket), content=body, headers={"Content-Type": content_type})

    assert s3_error(answer)[:2] == expected


def test_a_chunked_request_body_uploads(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(s3, bucket, "chunked.bin")
    request = browser.build_request(
        "POST",
        post["url"],
        files=[*((n, (None, v)) for n, v in post["fields"].items()), ("file", ("f", b"c" * 100_000))],
    )
    body = request.read()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 7000):
            yield body[start : start + 7000]

    answer = browser.post(post["url"], content=chunks(), headers={"Content-Type": request.headers["Content-Type"]})

    assert answer.request.headers["Transfer-Encoding"] == "chunked"
    assert answer.status_code == 204, answer.text
    assert stored(s3, bucket, "chunked.bin")["Content"] == b"c" * 100_000


# --- anonymous uploads ------------------------------------------------------------------------------------------


@pytest.fixture
def public_bucket(s3: BaseClient) -> str:
    name = f"conformance-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ACL="public-read-write")
    return name


def test_an_anonymous_upload_to_a_public_read_write_bucket_is_stored(
    emulator: EmulatorProcess, s3: BaseClient, public_bucket: str, browser: httpx.Client
) -> None:
    url = bucket_url(emulator, public_bucket)
    fields = {"key": "foo.txt", "acl": "public-read", "Content-Type": "text/plain"}

    plain = send_form(browser, url, fields)
    replaced = send_form(browser, url, fields, ("f", b"again"))
    created = send_form(browser, url, {**fields, "key": "bar.txt", "success_action_status": "201"})
    invalid = send_form(browser, url, {**fields, "key": "baz.txt", "success_action_status": "404"})

    assert (plain.status_code, replaced.status_code) == (204, 204), replaced.text
    assert (created.status_code, invalid.status_code, invalid.content) == (201, 204, b"")
    assert ElementTree.fromstring(created.content).findtext("Key") == "bar.txt"
    assert stored(s3, public_bucket, "foo.txt")["Content"] == b"again"


def test_a_redirect_to_a_public_bucket_lands_on_its_listing(
    emulator: EmulatorProcess, s3: BaseClient, public_bucket: str, browser: httpx.Client
) -> None:
    # s3-tests' success_redirect_action: the browser follows the 303 to the (public) bucket itself.
    url = bucket_url(emulator, public_bucket)
    form = ceph_form(emulator, public_bucket, ["eq", "$success_action_redirect", url], success_action_redirect=url)

    answer = send_form(browser, url, form)
    landed = browser.get(answer.headers["Location"])

    etag = stored(s3, public_bucket, "foo.txt")["ETag"].strip('"')
    assert answer.headers["Location"] == f"{url}?bucket={public_bucket}&key=foo.txt&etag=%22{etag}%22"
    assert landed.status_code == 200, landed.text


def test_an_anonymous_upload_is_refused_by_a_private_bucket_and_a_missing_one_is_no_such_bucket(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    denied = send_form(browser, bucket_url(emulator, bucket), {"key": "foo.txt"})
    missing = send_form(browser, bucket_url(emulator, f"missing-{uuid.uuid4().hex[:12]}"), {"key": "foo.txt"})

    assert s3_error(denied) == (403, "AccessDenied", "Access Denied")
    assert s3_error(missing)[:2] == (404, "NoSuchBucket")
    assert keys_in(s3, bucket) == []


def test_an_anonymous_upload_is_allowed_by_a_bucket_policy_granting_everyone_put_object(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/inbox/*",
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    url = bucket_url(emulator, bucket)

    inbox = send_form(browser, url, {"key": "inbox/drop.txt"})
    elsewhere = send_form(browser, url, {"key": "private/drop.txt"})

    assert inbox.status_code == 204, inbox.text
    assert s3_error(elsewhere)[:2] == (403, "AccessDenied")
    assert keys_in(s3, bucket) == ["inbox/drop.txt"]


def test_the_tagging_field_of_an_anonymous_upload_tags_the_object(
    emulator: EmulatorProcess, s3: BaseClient, public_bucket: str, browser: httpx.Client
) -> None:
    tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"

    answer = send_form(browser, bucket_url(emulator, public_bucket), {"key": "foo.txt", "tagging": tagging})

    assert answer.status_code == 204, answer.text
    assert s3.get_object_tagging(Bucket=public_bucket, Key="foo.txt")["TagSet"] == [{"Key": "k", "Value": "v"}]


# --- who signed it ----------------------------------------------------------------------------------------------


def iam_user_s3(emulator: EmulatorProcess, actions: list[str]) -> BaseClient:
    iam = emulator.client("iam")
    name = f"poster-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    iam.put_user_policy(
        UserName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    client: BaseClient = boto3.session.Session().client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name=emulator.region,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        config=Config(signature_version="s3v4"),
    )
    return client


def test_the_policys_signer_must_be_allowed_to_put_the_object(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    reader = presigned_post(iam_user_s3(emulator, ["s3:GetObject"]), bucket, "k")
    writer = presigned_post(iam_user_s3(emulator, ["s3:PutObject"]), bucket, "k")

    refused = send_form(browser, reader["url"], reader["fields"])
    allowed = send_form(browser, writer["url"], writer["fields"])

    status, code, message = s3_error(refused)
    assert (status, code) == (403, "AccessDenied")
    assert "is not authorized to perform: s3:PutObject" in message
    assert allowed.status_code == 204, allowed.text
    assert stored(s3, bucket, "k")["Content"] == BODY


# --- addressing, events and durability ---------------------------------------------------------------------------


def test_a_virtual_host_style_post_is_located_virtual_host_style(
    emulator: EmulatorProcess, s3: BaseClient, bucket: str, browser: httpx.Client
) -> None:
    post = presigned_post(s3, bucket, "v/h.txt")
    host = f"{bucket}.localhost:{emulator.port}"
    parts = [*((name, (None, value)) for name, value in post["fields"].items()), ("file", ("f", BODY))]

    answer = browser.post(f"{emulator.endpoint}/", files=parts, headers={"Host": host})

    assert answer.status_code == 204, answer.text
    assert answer.headers["Location"] == f"http://{host}/v%2Fh.txt"
    assert stored(s3, bucket, "v/h.txt")["Content"] == BODY


def test_an_upload_fires_object_created_post_and_survives_a_restart(tmp_path: Path, browser: httpx.Client) -> None:
    events = S3EventLog()
    middleware = [EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE]
    with EmulatorProcess(middleware=middleware, state_dir=tmp_path, on_s3_event=events) as emulator:
        s3 = emulator.client("s3")
        s3.create_bucket(Bucket="durable")
        post = presigned_post(
            s3,
            "durable",
            "uploads/${filename}",
            Fields={
                "tagging": "<Tagging><TagSet><Tag><Key>t</Key><Value>1</Value></Tag></TagSet></Tagging>",
                "x-amz-meta-who": "me",
            },
            Conditions=[["starts-with", "$tagging", ""], {"x-amz-meta-who": "me"}],
        )
        answer = send_form(browser, post["url"], post["fields"], ("form.bin", b"posted bytes"))
        assert answer.status_code == 204, answer.text
        [event] = events.for_bucket("durable", 1)
        assert (event["eventName"], event["key"], event["size"]) == ("ObjectCreated:Post", "uploads/form.bin", 12)
        assert f'"{event["eTag"]}"' == answer.headers["ETag"]
    with EmulatorProcess(middleware=middleware, state_dir=tmp_path) as restarted:
        s3 = restarted.client("s3")
        object_ = stored(s3, "durable", "uploads/form.bin")
        assert (object_["Content"], object_["Metadata"]) == (b"posted bytes", {"who": "me"})
        assert s3.get_object_tagging(Bucket="durable", Key="uploads/form.bin")["TagSet"] == [{"Key": "t", "Value": "1"}]
