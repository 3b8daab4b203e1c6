"""Which requests the emulator answers on its event loop: small S3 work that waits for nothing."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.inline_requests import InlinePolicy

SIGV4_S3 = b"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
SIGV4_SQS = SIGV4_S3.replace(b"/s3/", b"/sqs/")


def scope(method: str, path: str = "/bucket/key", query: bytes = b"", **headers: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": [(name.replace("_", "-").encode(), value) for name, value in headers.items()],
    }


@pytest.mark.parametrize("durable", [True, False])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_s3_reads_run_inline_whether_or_not_writes_are_committed(method: str, durable: bool) -> None:
    policy = InlinePolicy(durable=durable)

    assert policy(scope(method, authorization=SIGV4_S3))
    assert policy(scope(method, query=b"X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"))
    assert policy(scope(method))  # anonymous: moto routes it to S3


def test_writes_run_inline_only_when_nothing_is_fsynced() -> None:
    put = scope("PUT", authorization=SIGV4_S3)

    assert InlinePolicy(durable=False)(put)
    assert not InlinePolicy(durable=True)(put)
    assert InlinePolicy(durable=False)(scope("DELETE", authorization=SIGV4_S3))


def test_copies_and_multipart_completions_run_on_worker_threads() -> None:
    policy = InlinePolicy(durable=False)

    assert not policy(scope("PUT", authorization=SIGV4_S3, x_amz_copy_source=b"/bucket/source"))
    assert not policy(scope("POST", query=b"uploadId=abc", authorization=SIGV4_S3))
    assert policy(scope("POST", query=b"uploads", authorization=SIGV4_S3))


def test_other_services_and_motos_own_api_run_on_worker_threads() -> None:
    policy = InlinePolicy(durable=False)

    assert not policy(scope("POST", path="/", authorization=SIGV4_SQS))  # a ReceiveMessage may long-poll
    assert not policy(scope("GET", path="/", authorization=SIGV4_SQS))
    assert not policy(scope("POST", path="/moto-api/reset"))
