"""Presigned URLs are verified as S3 verifies them: signature, expiry and parameters."""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
from botocore.config import Config
from hypothesis import given
from hypothesis import strategies as st

from emulator.s3.addressing import resolve_s3_address
from emulator.s3.errors import S3Error
from emulator.s3.presign import PresignedRequest, presigned_auth_kind, verify_presigned_request

ENDPOINT = "127.0.0.1:4566"
SECRETS = {"test": "test", "other": "other-secret"}


def lookup_secret_key(access_key: str) -> str | None:
    return SECRETS.get(access_key)


def presign(
    method: str = "put_object",
    *,
    signature_version: str = "s3v4",
    expires: int = 3600,
    access_key: str = "test",
    endpoint: str = f"http://{ENDPOINT}",
    **params: str,
) -> str:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=SECRETS.get(access_key, "unknown-secret"),
        config=Config(signature_version=signature_version),
    )
    return client.generate_presigned_url(
        method, Params={"Bucket": "my-bucket", "Key": "uploads/cat pic.png", **params}, ExpiresIn=expires
    )


def request_for(url: str, method: str = "PUT", headers: dict[str, str] | None = None) -> PresignedRequest:
    parts = urlsplit(url)
    return PresignedRequest(
        method=method,
        host=parts.netloc,
        address=resolve_s3_address(parts.netloc, parts.path.encode(), endpoint_host=ENDPOINT),
        query=parts.query,
        headers=headers or {},
    )


def rejection(request: PresignedRequest, now: float | None = None) -> S3Error:
    with pytest.raises(S3Error) as caught:
        verify_presigned_request(request, lookup_secret_key=lookup_secret_key, now=now or time.time())
    return caught.value


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_fresh_presigned_url_verifies_and_names_its_signer(signature_version: str) -> None:
    url = presign(signature_version=signature_version)
    access_key = verify_presigned_request(request_for(url), lookup_secret_key=lookup_secret_key, now=time.time())
    assert access_key == "test"


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_virtual_host_urls_verify(signature_version: str) -> None:
    client = boto3.client(
        "s3",
        endpoint_url="http://localhost:4566",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version=signature_version, s3={"addressing_style": "virtual"}),
    )
    url = client.generate_presigned_url("get_object", Params={"Bucket": "my-bucket", "Key": "a/b c"})
    assert url.startswith("http://my-bucket.localhost:4566/a/b%20c?")
    assert verify_presigned_request(request_for(url, "GET"), lookup_secret_key=lookup_secret_key, now=time.time())


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_an_expired_url_is_access_denied_request_has_expired(signature_version: str) -> None:
    error = rejection(request_for(presign(signature_version=signature_version, expires=60)), now=time.time() + 61)
    assert (error.code, error.message, error.status) == ("AccessDenied", "Request has expired", 403)
    assert {"Expires", "ServerTime"} <= error.details.keys()


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_tampered_signature_does_not_match(signature_version: str) -> None:
    url = presign(signature_version=signature_version)
    name = "X-Amz-Signature=" if signature_version == "s3v4" else "Signature="
    head, _, tail = url.partition(name)
    tampered = head + name + ("0" if tail[0] != "0" else "1") + tail[1:]
    error = rejection(request_for(tampered))
    assert error.code == "SignatureDoesNotMatch"
    assert error.message.startswith("The request signature we calculated does not match")


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_url_re_pointed_at_another_key_or_method_does_not_match(signature_version: str) -> None:
    url = presign(signature_version=signature_version)
    assert rejection(request_for(url.replace("cat%20pic", "dog"))).code == "SignatureDoesNotMatch"
    assert rejection(request_for(url, method="DELETE")).code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_a_changed_signed_content_type_does_not_match(signature_version: str) -> None:
    url = presign(signature_version=signature_version, ContentType="image/png")
    verify_presigned_request(
        request_for(url, headers={"content-type": "image/png"}), lookup_secret_key=lookup_secret_key, now=time.time()
    )
    error = rejection(request_for(url, headers={"content-type": "text/html"}))
    assert error.code == "SignatureDoesNotMatch"


def test_the_mismatch_shows_the_canonical_request_s3_computed() -> None:
    url = presign()
    error = rejection(request_for(url, method="GET"))
    assert error.details["CanonicalRequest"].startswith("GET\n/my-bucket/uploads/cat%20pic.png\n")
    assert error.details["AWSAccessKeyId"] == "test"


def test_an_unknown_access_key_is_invalid_access_key_id() -> None:
    error = rejection(request_for(presign(access_key="nobody")))
    assert (error.code, error.details["AWSAccessKeyId"]) == ("InvalidAccessKeyId", "nobody")


def test_the_wrong_secret_does_not_match() -> None:
    SECRETS["rotated"] = "old"
    url = presign(access_key="rotated")
    SECRETS["rotated"] = "new"
    assert rejection(request_for(url)).code == "SignatureDoesNotMatch"


def test_unsigned_amz_headers_are_refused() -> None:
    error = rejection(request_for(presign(), headers={"x-amz-acl": "public-read"}))
    assert (error.code, error.details["HeadersNotSigned"]) == ("AccessDenied", "x-amz-acl")


@pytest.mark.parametrize(
    ("expires", "message_part"),
    [("604801", "less than 604800 seconds"), ("-1", "non-negative"), ("soon", "should be a number")],
)
def test_an_unusable_expiry_is_a_forbidden_authorization_query_parameters_error(
    expires: str, message_part: str
) -> None:
    url = presign().replace("X-Amz-Expires=3600", f"X-Amz-Expires={expires}")
    error = rejection(request_for(url))
    assert (error.code, error.status) == ("AuthorizationQueryParametersError", 403)
    assert message_part in error.message


@pytest.mark.parametrize(
    ("old", "new", "message_part"),
    [
        ("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1", "only supports"),
        ("X-Amz-Date=", "X-Amz-Date=2024", "ISO8601"),
        ("%2Fs3%2F", "%2Fsqs%2F", 'incorrect service "sqs"'),
        ("%2Faws4_request", "%2Faws5_request", 'incorrect terminal "aws5_request"'),
        ("X-Amz-Credential=test%2F", "X-Amz-Credential=test%2F1", "Date is not the same"),
        ("&X-Amz-SignedHeaders=host", "", "requires the X-Amz-Algorithm"),
    ],
)
def test_malformed_sigv4_parameters_are_named(old: str, new: str, message_part: str) -> None:
    url = presign()
    assert old in url
    error = rejection(request_for(url.replace(old, new, 1)))
    assert (error.code, error.status) == ("AuthorizationQueryParametersError", 400)
    assert message_part in error.message


def test_sigv2_with_a_non_numeric_expiry_is_refused() -> None:
    head, _, _ = presign(signature_version="s3").partition("Expires=")
    error = rejection(request_for(head + "Expires=tomorrow"))
    assert (error.code, error.details["Expires"]) == ("AccessDenied", "tomorrow")


def test_the_auth_kind_is_read_from_the_query() -> None:
    assert presigned_auth_kind([("X-Amz-Signature", "x")]) == "sigv4"
    assert presigned_auth_kind([("AWSAccessKeyId", "x"), ("Signature", "y")]) == "sigv2"
    assert presigned_auth_kind([("prefix", "a")]) is None


@given(query=st.text(max_size=200), method=st.sampled_from(["GET", "PUT"]))
def test_arbitrary_queries_raise_only_s3_errors(query: str, method: str) -> None:
    address = resolve_s3_address("localhost:1", b"/b/k", endpoint_host=ENDPOINT)
    request = PresignedRequest(method=method, host="localhost:1", address=address, query=query, headers={})
    try:
        verify_presigned_request(request, lookup_secret_key=lookup_secret_key, now=0.0)
    except S3Error as error:
        assert error.code and error.message


@given(
    values=st.fixed_dictionaries(
        {
            name: st.text(alphabet=st.characters(codec="ascii"), max_size=30)
            for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders")
        }
    )
)
def test_arbitrary_sigv4_parameter_values_raise_only_s3_errors(values: dict[str, str]) -> None:
    query = urlencode({**values, "X-Amz-Signature": "ab"})
    address = resolve_s3_address("localhost:1", b"/b/k", endpoint_host=ENDPOINT)
    request = PresignedRequest(method="GET", host="localhost:1", address=address, query=query, headers={})
    with pytest.raises(S3Error):
        verify_presigned_request(request, lookup_secret_key=lookup_secret_key, now=0.0)
