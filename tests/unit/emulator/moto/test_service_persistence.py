"""Which requests mark SQS or DynamoDB changed, so that their snapshot is written."""

from __future__ import annotations

import pytest

from emulator.moto.service_persistence import changed_service


def _signed(service: str, target: str | None = None) -> dict[str, str]:
    headers = {
        "authorization": f"AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host, Signature=00"
    }
    if target is not None:
        headers["x-amz-target"] = target
    return headers


@pytest.mark.parametrize(
    ("service", "target"),
    [
        ("sqs", "AmazonSQS.SendMessage"),
        ("sqs", "AmazonSQS.ReceiveMessage"),  # receive counts and visibility change
        ("sqs", "AmazonSQS.DeleteMessageBatch"),
        ("sqs", "AmazonSQS.CreateQueue"),
        ("sqs", None),  # the query protocol names its operation in the body
        ("dynamodb", "DynamoDB_20120810.PutItem"),
        ("dynamodb", "DynamoDB_20120810.TransactWriteItems"),
        ("dynamodb", "DynamoDB_20120810.ExecuteStatement"),
        ("dynamodb", "DynamoDB_20120810.DeleteTable"),
    ],
)
def test_writes_mark_their_service(service: str, target: str | None) -> None:
    assert changed_service("/", _signed(service, target), "") == {service}


@pytest.mark.parametrize(
    ("service", "target"),
    [
        ("sqs", "AmazonSQS.GetQueueUrl"),
        ("sqs", "AmazonSQS.ListQueues"),
        ("dynamodb", "DynamoDB_20120810.GetItem"),
        ("dynamodb", "DynamoDB_20120810.Query"),
        ("dynamodb", "DynamoDB_20120810.Scan"),
        ("dynamodb", "DynamoDB_20120810.BatchGetItem"),
        ("dynamodb", "DynamoDB_20120810.TransactGetItems"),
        ("dynamodb", "DynamoDB_20120810.DescribeTable"),
    ],
)
def test_reads_mark_nothing(service: str, target: str) -> None:
    assert changed_service("/", _signed(service, target), "") == frozenset()


def test_other_services_and_unsigned_requests_mark_nothing() -> None:
    assert changed_service("/bucket/key", _signed("s3"), "") == frozenset()
    assert changed_service("/", _signed("sns", "AmazonSNS.Publish"), "") == frozenset()
    assert changed_service("/bucket/key", {}, "") == frozenset()


def test_a_presigned_sqs_request_marks_sqs() -> None:
    query = "X-Amz-Credential=AKID%2F20261202%2Fus-east-1%2Fsqs%2Faws4_request&Action=SendMessage"
    assert changed_service("/123456789012/jobs", {}, query) == {"sqs"}


def test_a_call_to_motos_own_api_marks_every_service() -> None:
    assert changed_service("/moto-api/reset", {}, "") == {"sqs", "dynamodb"}
