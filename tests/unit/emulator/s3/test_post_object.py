"""An accepted form upload becomes the PutObject its fields describe, as S3 treats POST fields as PUT headers."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from emulator.s3.errors import S3Error
from emulator.s3.post_form import PostForm, parse_post_form
from emulator.s3.post_object import object_headers

CONTENT = b"file content"
TAGGING = (
    "<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag><Tag><Key>a b</Key><Value>c&amp;d</Value></Tag></TagSet>"
    "</Tagging> "
)


def form_for(*fields: tuple[str, str]) -> PostForm:
    parts = [(name, (None, value)) for name, value in fields]
    request = httpx.Request("POST", "http://x/", files=[*parts, ("file", ("f", CONTENT))])
    return parse_post_form(request.read(), request.headers["content-type"])


def headers_of(*fields: tuple[str, str], content: bytes = CONTENT) -> dict[str, str]:
    return dict(object_headers(form_for(*fields), content))


def rejection(*fields: tuple[str, str]) -> S3Error:
    with pytest.raises(S3Error) as caught:
        headers_of(*fields)
    return caught.value


def test_documented_fields_become_the_put_headers_and_the_rest_stay_in_the_form() -> None:
    headers = headers_of(
        ("key", "k"),
        ("policy", "p"),
        ("success_action_status", "201"),
        ("x-ignore-me", "1"),
        ("Content-Type", "text/plain"),
        ("Cache-Control", "max-age=60"),
        ("Content-Disposition", 'attachment; filename="a.txt"'),
        ("Content-Encoding", "identity"),
        ("Expires", "Wed, 21 Oct 2099 07:28:00 GMT"),
        ("X-Amz-Storage-Class", "STANDARD_IA"),
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-website-redirect-location", "/elsewhere"),
    )

    assert headers == {
        "content-type": "text/plain",
        "cache-control": "max-age=60",
        "content-disposition": 'attachment; filename="a.txt"',
        "content-encoding": "identity",
        "expires": "Wed, 21 Oct 2099 07:28:00 GMT",
        "x-amz-storage-class": "STANDARD_IA",
        "x-amz-server-side-encryption": "AES256",
        "x-amz-website-redirect-location": "/elsewhere",
    }


def test_metadata_names_are_lower_case_and_their_values_kept_and_a_repeated_field_joined() -> None:
    headers = headers_of(("x-amz-meta-TEST-2", "Value"), ("x-amz-meta-tag", "Ninja"), ("X-Amz-Meta-Tag", "Stallman"))

    assert headers == {"x-amz-meta-test-2": "Value", "x-amz-meta-tag": "Ninja,Stallman"}


def test_values_that_are_not_printable_ascii_are_stored_rfc_2047_encoded_as_s3_returns_them() -> None:
    headers = headers_of(
        ("x-amz-meta-name", "ÄMÄZÕÑ S3"),
        ("x-amz-meta-bytes", "\x00\x01\x02\x03\x04"),
        ("Content-Type", "text/plain\r\nX-Injected: 1"),
        ("x-amz-meta-encoded", "=?UTF-8?Q?already?="),
    )

    assert headers["x-amz-meta-name"] == "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?="
    assert headers["x-amz-meta-bytes"] == "=?UTF-8?B?AAECAwQ=?="
    assert "\n" not in headers["content-type"] and headers["content-type"].startswith("=?UTF-8?B?")
    assert headers["x-amz-meta-encoded"] == "=?UTF-8?Q?already?="


def test_a_metadata_name_that_is_no_header_name_is_refused() -> None:
    error = rejection(("x-amz-meta-my field", "v"))

    assert (error.status, error.code, error.details["ArgumentName"]) == (400, "InvalidArgument", "x-amz-meta-my field")


def test_acl_is_a_canned_acl() -> None:
    assert headers_of(("acl", "public-read")) == {"x-amz-acl": "public-read"}

    error = rejection(("acl", "public-reads"))

    assert (error.status, error.code, error.details) == (
        400,
        "InvalidArgument",
        {"ArgumentName": "x-amz-acl", "ArgumentValue": "public-reads"},
    )


def test_a_tagging_document_becomes_the_tagging_header() -> None:
    assert headers_of(("tagging", TAGGING)) == {"x-amz-tagging": "0=0&a+b=c%26d"}
    namespaced = (
        '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>'
    )
    assert headers_of(("tagging", namespaced)) == {"x-amz-tagging": "k="}


def test_a_tagging_document_of_another_kind_stores_no_tags() -> None:
    assert headers_of(("tagging", "<InvalidXmlTagging></InvalidXmlTagging>")) == {}


@pytest.mark.parametrize(
    "document",
    [
        "not-xml",
        "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
        "<Tagging><TagSet><Tag><Key>a</Key><Key>b</Key></Tag></TagSet></Tagging>",
    ],
)
def test_a_tagging_field_that_is_no_tagging_xml_is_malformed_xml(document: str) -> None:
    error = rejection(("tagging", document))

    assert (error.status, error.code) == (400, "MalformedXML")
    assert error.message == (
        "The XML you provided was not well-formed or did not validate against our published schema"
    )


def test_checksum_fields_are_verified_and_passed_on() -> None:
    sha256 = base64.b64encode(hashlib.sha256(CONTENT).digest()).decode()

    headers = headers_of(("x-amz-checksum-algorithm", "SHA256"), ("x-amz-checksum-sha256", sha256))

    assert headers == {"x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": sha256}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ((("x-amz-checksum-sha256", base64.b64encode(hashlib.sha256(b"other").digest()).decode()),), "BadDigest"),
        ((("x-amz-checksum-sha256", "sailorjerry"),), "InvalidRequest"),
        ((("x-amz-checksum-algorithm", "SHA256"),), "InvalidRequest"),
        ((("Content-MD5", base64.b64encode(hashlib.md5(b"other").digest()).decode()),), "BadDigest"),
    ],
    ids=["wrong-sha256", "not-a-checksum", "algorithm-without-value", "wrong-md5"],
)
def test_a_file_that_does_not_match_its_checksum_fields_is_refused(
    fields: tuple[tuple[str, str], ...], code: str
) -> None:
    error = rejection(*fields)

    assert (error.status, error.code) == (400, code)
