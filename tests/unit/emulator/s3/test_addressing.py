"""Which bucket and key a request names, path-style and virtual-host style."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.s3.addressing import S3Address, object_url, resolve_s3_address, split_host
from emulator.s3.errors import S3Error

ENDPOINT = "127.0.0.1:4566"


def test_path_style_names_bucket_and_key_in_the_path() -> None:
    address = resolve_s3_address("127.0.0.1:4566", b"/my-bucket/uploads/cat%20pic.png", endpoint_host=ENDPOINT)
    expected_path = "/my-bucket/uploads/cat pic.png"
    assert address == S3Address("my-bucket", "uploads/cat pic.png", virtual_host=False, path=expected_path)


def test_path_style_bucket_without_key() -> None:
    assert resolve_s3_address("localhost:4566", b"/my-bucket/", endpoint_host=ENDPOINT).key is None
    assert resolve_s3_address("localhost:4566", b"/my-bucket", endpoint_host=ENDPOINT).bucket == "my-bucket"


def test_service_root_names_no_bucket() -> None:
    assert resolve_s3_address("localhost:4566", b"/", endpoint_host=ENDPOINT).bucket is None


def test_virtual_host_under_localhost_names_the_bucket_in_the_host() -> None:
    address = resolve_s3_address("My-Bucket.localhost:4566", b"/a/b.txt", endpoint_host=ENDPOINT)
    assert (address.bucket, address.key, address.virtual_host) == ("my-bucket", "a/b.txt", True)


def test_virtual_host_under_the_endpoints_own_name() -> None:
    address = resolve_s3_address("files.s3.dev.test:80", b"/k", endpoint_host="s3.dev.test:80")
    assert (address.bucket, address.key) == ("files", "k")


def test_ip_hosts_are_always_path_style() -> None:
    address = resolve_s3_address("10.0.0.1:4566", b"/b/k", endpoint_host="10.0.0.1:4566")
    assert (address.bucket, address.key, address.virtual_host) == ("b", "k", False)


def test_auth_path_always_starts_with_the_bucket() -> None:
    virtual = resolve_s3_address("b.localhost:1", b"/a%20b", endpoint_host=ENDPOINT)
    path_style = resolve_s3_address("localhost:1", b"/b/a%20b", endpoint_host=ENDPOINT)
    assert virtual.auth_path == path_style.auth_path == "/b/a%20b"


@pytest.mark.parametrize(
    ("host", "raw_path"), [("localhost:1", b"/b"), ("localhost:1", b"/b/"), ("b.localhost:1", b"/")]
)
def test_a_request_for_the_bucket_itself_signs_the_bucket_with_a_trailing_slash(host: str, raw_path: bytes) -> None:
    # botocore's SigV2 presigned ListObjects URL is http://endpoint/b?... and signs "/b/", as S3 expects.
    assert resolve_s3_address(host, raw_path, endpoint_host=ENDPOINT).auth_path == "/b/"


def test_object_url_follows_the_requests_addressing_style() -> None:
    virtual = resolve_s3_address("b.localhost:1", b"/", endpoint_host=ENDPOINT)
    path_style = resolve_s3_address("localhost:1", b"/b", endpoint_host=ENDPOINT)
    assert object_url(virtual, scheme="http", host="b.localhost:1", key="a b") == "http://b.localhost:1/a%20b"
    assert object_url(path_style, scheme="http", host="localhost:1", key="x/y") == "http://localhost:1/b/x/y"


def test_split_host_understands_ipv6_and_missing_ports() -> None:
    assert split_host("[::1]:4566") == ("[::1]", "4566")
    assert split_host("Example.COM") == ("example.com", "")


@pytest.mark.parametrize("raw_path", [b"*", b"/b/%ff%fe", b"http://x/"])
def test_unparseable_paths_are_invalid_uri(raw_path: bytes) -> None:
    with pytest.raises(S3Error) as caught:
        resolve_s3_address("localhost:1", raw_path, endpoint_host=ENDPOINT)
    assert (caught.value.code, caught.value.status) == ("InvalidURI", 400)
    assert caught.value.details["URI"] == raw_path.decode("latin-1")


@given(host=st.text(max_size=40), raw_path=st.binary(max_size=60), endpoint=st.text(max_size=30))
def test_arbitrary_hosts_and_paths_raise_only_s3_errors(host: str, raw_path: bytes, endpoint: str) -> None:
    try:
        address = resolve_s3_address(host, raw_path, endpoint_host=endpoint)
    except S3Error as error:
        assert error.code == "InvalidURI"
    else:
        assert address.path.startswith("/")
        assert address.auth_path.startswith("/")
