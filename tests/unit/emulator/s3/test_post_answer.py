"""An accepted form upload is answered as S3 answers a POST, not as moto answers the PutObject it became."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx
import pytest

from emulator.s3.post_answer import PostSuccess, post_success_response
from emulator.s3.post_form import PostForm, parse_post_form

BUCKET = "my-bucket"
BUCKET_URL = "http://127.0.0.1:4566/my-bucket"
ETAG = '"900150983cd24fb0d6963f7d28e17f72"'
STORED = {
    "etag": ETAG,
    "x-amz-version-id": "v1",
    "x-amz-server-side-encryption": "AES256",
    "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=",
    "x-amz-request-id": "RID",
    "content-type": "text/html; charset=utf-8",
    "server": "amazon.com",
}


def form_for(**fields: str) -> PostForm:
    request = httpx.Request("POST", "http://x/", data=fields, files={"file": ("f", b"abc")})
    return parse_post_form(request.read(), request.headers["content-type"])


def answer(key: str = "uploads/a b.png", **fields: str) -> PostSuccess:
    return post_success_response(form_for(**fields), bucket=BUCKET, key=key, bucket_url=BUCKET_URL, stored=STORED)


def test_the_default_is_204_with_the_etag_the_location_and_the_stored_versions_headers() -> None:
    success = answer()

    assert (success.status, success.body) == (204, b"")
    assert success.headers == {
        "etag": ETAG,
        "x-amz-version-id": "v1",
        "x-amz-server-side-encryption": "AES256",
        "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=",
        "x-amz-request-id": "RID",
        "location": f"{BUCKET_URL}/uploads%2Fa%20b.png",  # S3 encodes the whole key, "/" included
    }


@pytest.mark.parametrize(("value", "status"), [("200", 200), ("204", 204), ("404", 204), ("302", 204), ("", 204)])
def test_success_action_status_200_and_204_are_empty_and_other_values_are_204(value: str, status: int) -> None:
    success = answer(success_action_status=value)

    assert (success.status, success.body) == (status, b"")


def test_success_action_status_201_answers_a_post_response_document() -> None:
    success = answer("uploads/président & co.png", success_action_status="201")

    assert (success.status, success.headers["content-type"]) == (201, "application/xml")
    assert success.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>')
    root = ElementTree.fromstring(success.body)
    assert [(child.tag, child.text) for child in root] == [
        ("Location", f"{BUCKET_URL}/uploads%2Fpr%C3%A9sident%20%26%20co.png"),
        ("Bucket", BUCKET),
        ("Key", "uploads/président & co.png"),
        ("ETag", ETAG),
    ]


def test_success_action_redirect_sends_the_browser_on_with_bucket_key_and_etag_in_its_query() -> None:
    success = answer(success_action_redirect="http://app.test/done?from=upload#top", success_action_status="201")

    assert (success.status, success.body) == (303, b"")
    assert success.headers["location"] == (
        "http://app.test/done?from=upload&bucket=my-bucket&key=uploads%2Fa+b.png"
        "&etag=%22900150983cd24fb0d6963f7d28e17f72%22#top"
    )
    assert success.headers["etag"] == ETAG


def test_the_deprecated_redirect_field_redirects_too() -> None:
    assert answer(redirect="https://app.test/done").headers["location"].startswith("https://app.test/done?bucket=")


@pytest.mark.parametrize("redirect", ["/relative/path", "app.test/done", "ftp://app.test/done", "http://[broken"])
def test_a_redirect_s3_cannot_interpret_is_ignored(redirect: str) -> None:
    assert answer(success_action_redirect=redirect).status == 204
    assert answer(success_action_redirect=redirect, success_action_status="201").status == 201
