"""The dev server's SigV4 for JSON POSTs signs as botocore does (the emulator checks signatures as AWS does)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devserver.http.sigv4 import sign_json_post

BODY = b'{"QueueUrl": "http://127.0.0.1:4566/000000000000/jobs", "MaxNumberOfMessages": 10}'


@pytest.mark.parametrize(("service", "target"), [("sqs", "AmazonSQS.ReceiveMessage"), ("sst-dev", "SstDev.Provision")])
def test_a_json_post_is_signed_as_botocore_signs_it(service: str, target: str) -> None:
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}
    request = AWSRequest(method="POST", url="http://127.0.0.1:4566/", data=BODY, headers=headers)
    SigV4Auth(Credentials("AKIAEXAMPLE", "secret/key+42"), service, "eu-west-1").add_auth(request)
    signed_at = datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)

    ours = sign_json_post(
        host="127.0.0.1:4566",
        headers=headers,
        body=BODY,
        service=service,
        region="eu-west-1",
        access_key_id="AKIAEXAMPLE",
        secret_access_key="secret/key+42",
        now=signed_at,
    )

    assert ours["authorization"] == request.headers["Authorization"]
    assert ours["x-amz-date"] == request.headers["X-Amz-Date"]
