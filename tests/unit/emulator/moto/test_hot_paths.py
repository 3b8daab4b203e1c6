"""moto's per-request answers the emulator gives faster are the answers moto gives."""

from __future__ import annotations

import string

import pytest
from moto.moto_api._internal import mock_random
from moto.s3.responses import S3Response

from emulator.moto.hot_paths import remembered_by_host, request_id

HOSTS = [
    "127.0.0.1:4566",
    "localhost:4566",
    "my-bucket.localhost:4566",
    "s3.amazonaws.com",
    "my-bucket.s3.amazonaws.com",
    "s3.us-west-2.amazonaws.com",
    "my-bucket.s3.us-west-2.amazonaws.com",
    "[::1]:4566",
    "emulator",
]


class Request:
    def __init__(self, host: str) -> None:
        self.headers = {"Host": host}
        self.url = f"http://{host}/key"


@pytest.mark.parametrize("host", HOSTS)
def test_the_addressing_style_remembered_per_host_is_motos(host: str) -> None:
    calls: list[str] = []

    def by_request(request: Request) -> bool:
        calls.append(request.headers.get("host") or request.headers["Host"])
        return bool(S3Response.subdomain_based_buckets(request))

    remembered = remembered_by_host(by_request)

    assert remembered(Request(host)) == S3Response.subdomain_based_buckets(Request(host))
    assert remembered(Request(host)) == S3Response.subdomain_based_buckets(Request(host))
    assert calls == [host]


def test_a_request_id_is_52_letters_and_digits_set_on_the_headers_and_follows_motos_seed() -> None:
    headers: dict[str, str] = {}
    mock_random.seed(7)
    first = request_id(headers)
    mock_random.seed(7)

    assert len(first) == 52 and set(first) <= set(string.ascii_letters + string.digits)
    assert headers == {"x-amzn-requestid": first}
    assert request_id() == first
