"""Malformed browser form POST uploads against the emulator as `sst-dev start` runs it: whatever the form, the answer
is S3's (a 4xx, or the upload's success), never a 500, and the emulator keeps serving.

Forms mix the fields S3 reads, and others, with values odd for them, under policies that are not base64, not JSON, or
JSON of any shape; half are signed with the account's key so that they reach the policy's evaluation and the write.
They go out as multipart bodies that are sometimes cut short, carry another boundary or lose their line breaks, under
a content type that is sometimes no form's, and sometimes as a chunked request body. Anonymous forms go to a private
and to a public-read-write bucket.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from botocore.client import BaseClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.process import EmulatorProcess

FIELD_NAMES = (
    "key Key KEY policy Policy signature AWSAccessKeyId x-amz-signature X-Amz-Signature x-amz-credential "
    "x-amz-algorithm x-amz-date x-amz-security-token acl tagging Content-Type Cache-Control Content-Disposition "
    "Content-Encoding Expires Content-MD5 success_action_status success_action_redirect redirect x-amz-meta-a "
    "x-amz-meta-B x-amz-storage-class x-amz-server-side-encryption x-amz-website-redirect-location "
    "x-amz-checksum-sha256 x-amz-checksum-crc32 x-amz-checksum-algorithm x-amz-checksum-bogus bucket x-ignore-x file"
).split()
JSON_NAMES = ["bucket", "key", "$key", "acl", "$acl", "Content-Type", "$Content-Type", "$x-amz-meta-a", "", "$"]
OPERATORS = ["eq", "starts-with", "content-length-range", "EQ", "StArTs-WiTh", "matches", "", "$key"]
ODD_TEXT = [
    "${filename}",
    "uploads/${filename}",
    "private",
    "public-read",
    "public",
    "201",
    "200",
    "204",
    "abc",
    "http://localhost:3000/done?x=1",
    "/relative",
    "http://[broken",
    "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>",
    "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
    "<Tagging>",
    "<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><Tagging>&b;</Tagging>",
    "AWS4-HMAC-SHA256",
    "test/20240101/us-east-1/s3/aws4_request",
    "test/2024/us-east-1/ec2/nope",
    "20240101T000000Z",
    "STANDARD_IA",
    "BOGUS",
    "SHA256",
    "MD4",
    "sailorjerry",
    "1B2M2Y8AsgTpgAmY7PhCfg==",
    "ÄMÄZÕÑ\r\nX-Injected: 1",
    "\x00\x01\x7f",
    "x" * 21000,
]
DATES = ["2099-01-01T00:00:00Z", "2099-01-01T00:00:00.000Z", "2000-01-01T00:00:00Z", "2099-01-01 00:00:00", "", "now"]

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
values = st.one_of(text, st.sampled_from(ODD_TEXT))
field_names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"'), min_size=1, max_size=20
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text | st.sampled_from(ODD_TEXT[:12]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=3),
    max_leaves=12,
)
conditions = st.one_of(
    st.dictionaries(st.sampled_from(JSON_NAMES), json_values, max_size=2),
    st.lists(st.one_of(st.sampled_from(OPERATORS), st.sampled_from(JSON_NAMES), json_values), max_size=4),
    st.tuples(st.sampled_from(OPERATORS), st.sampled_from(JSON_NAMES), values).map(list),
    st.tuples(st.just("content-length-range"), json_values, json_values).map(list),
    json_values,
)
documents = st.one_of(
    st.fixed_dictionaries(
        {"expiration": st.sampled_from(DATES[:2]), "conditions": st.lists(conditions, min_size=1, max_size=6)}
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "expiration": st.one_of(st.sampled_from(DATES), json_values),
            "conditions": st.lists(conditions, max_size=6),
            "Statement": json_values,
        },
    ),
    json_values,
)


@st.composite
def policies(draw: st.DrawFn) -> str:
    """The policy field's value: JSON of any shape in base64, or bytes that are not even that."""
    kind = draw(st.sampled_from(["document"] * 6 + ["json", "base64", "text"]))
    if kind == "text":
        return draw(values)
    raw = draw(st.binary(max_size=64)) if kind == "base64" else json.dumps(draw(documents)).encode()
    return base64.b64encode(raw).decode()


def sign(emulator: EmulatorProcess, policy: str) -> str:
    secret = emulator.credentials.secret_access_key.encode()
    return base64.b64encode(hmac.new(secret, policy.encode(), hashlib.sha1).digest()).decode()


@st.composite
def forms(draw: st.DrawFn, emulator: EmulatorProcess) -> tuple[bytes, str]:
    """A multipart body, perhaps broken, and the Content-Type it goes with."""
    names = st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(FIELD_NAMES), field_names)
    fields = draw(st.lists(st.tuples(names, values), max_size=8))
    if draw(st.integers(0, 9)) < 8:
        fields.append(("key", draw(values)))
    if draw(st.integers(0, 9)) < 6:
        policy = draw(policies())
        fields += [("AWSAccessKeyId", emulator.credentials.access_key_id), ("policy", policy)]
        fields.append(("signature", sign(emulator, policy) if draw(st.integers(0, 9)) < 8 else draw(values)))
    boundary = draw(st.sampled_from(["b0und"] * 8 + ["----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b", "x" * 80]))
    parts = [(name, value.encode(), None) for name, value in draw(st.permutations(fields))]
    if draw(st.integers(0, 9)) < 8:
        filename = draw(st.sampled_from([None, "", "a.png", "C:\\dir\\b.png", 'q"uote.png']))
        at = len(parts) if draw(st.integers(0, 9)) < 8 else draw(st.integers(0, len(parts)))
        parts.insert(at, ("file", draw(st.binary(max_size=2048)), filename))
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'.encode("utf-8", "replace")
            + (b"" if filename is None else f'; filename="{filename}"'.encode())
            + b"\r\n\r\n"
            + value
            + b"\r\n"
            for name, value, filename in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    mangle = draw(st.sampled_from(["none"] * 16 + ["cut", "other-boundary", "no-cr", "no-close"]))
    if mangle == "cut":
        body = body[: draw(st.integers(0, len(body)))]
    elif mangle == "other-boundary":
        body = body.replace(boundary.encode(), b"zzz")
    elif mangle == "no-cr":
        body = body.replace(b"\r", b"")
    elif mangle == "no-close":
        body = body.removesuffix(f"--{boundary}--\r\n".encode())
    content_type = draw(
        st.sampled_from(
            [f"multipart/form-data; boundary={boundary}"] * 16
            + [
                f'multipart/form-data; boundary="{boundary}"',
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "application/x-www-form-urlencoded",
                "text/plain",
            ]
        )
    )
    return body, content_type


@pytest.fixture(scope="module")
def public_bucket(s3: BaseClient) -> str:
    name = f"conformance-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ACL="public-read-write")
    return name


@pytest.fixture(scope="module")
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_form_post_makes_the_emulator_answer_500(
    emulator: EmulatorProcess,
    s3: BaseClient,
    bucket: str,
    public_bucket: str,
    browser: httpx.Client,
    data: st.DataObject,
) -> None:
    body, content_type = data.draw(forms(emulator))
    target = data.draw(st.sampled_from([bucket, public_bucket]))
    content: bytes | Iterator[bytes] = body
    if data.draw(st.booleans()):  # a chunked request body, as a streaming client sends one
        content = iter([body[: len(body) // 2], body[len(body) // 2 :]])

    answer = browser.post(f"{emulator.endpoint}/{target}", content=content, headers={"Content-Type": content_type})

    assert answer.status_code < 500, (answer.status_code, answer.text[:600])
    assert s3.head_bucket(Bucket=target)["ResponseMetadata"]["HTTPStatusCode"] == 200
