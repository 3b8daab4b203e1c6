"""The emulator creates an app's resources from a plan sent to its provisioning endpoint: what AWS's own API calls
would have made, idempotently, with the functions' keys the plan chose; a held emulator answers nothing else until
its first plan; a refused plan names the resource at fault."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devserver.http.aws_json import AwsApiError, AwsJsonClient
from emulator.process import EmulatorProcess
from emulator.provisioning.plan import (
    PROVISION_SERVICE,
    PROVISION_TARGET,
    SST_DEFAULT_BUCKET_CORS,
    BucketPlan,
    DeadLetterPlan,
    ProvisioningPlan,
    QueuePlan,
    TablePlan,
    UserPlan,
)

IAM_GUARD = "emulator.iam.guard:iam_guard"
READ_FILES = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::plan-files"}],
}
PLAN = ProvisioningPlan(
    buckets=(BucketPlan("plan-files"), BucketPlan("plan-private", cors=False)),
    tables=(TablePlan("plan-notes", ("userId", "S"), ("createdAt", "N"), "NEW_IMAGE"),),
    queues=(QueuePlan("plan-jobs", 45, DeadLetterPlan("plan-jobs-dlq", 3)), QueuePlan("plan-jobs-dlq")),
    topics=("plan-news",),
    event_buses=("plan-orders",),
    parameters={"/sst/app/dev/Secret/KEY/value": ("s3cr3t", True), "/sst/app/dev/Parameter/P/value": ("v", False)},
    users=(UserPlan("plan-fn", "AKIAPLANFUNCTION0001", "plan-function-secret", READ_FILES),),
)


def provision(emulator: EmulatorProcess, document: object, *, key: tuple[str, str] = ("test", "test")) -> Any:
    async def call() -> Any:
        client = AwsJsonClient(
            emulator.endpoint, region=emulator.region, access_key_id=key[0], secret_access_key=key[1]
        )
        try:
            return await client.call(PROVISION_SERVICE, PROVISION_TARGET, document)  # type: ignore[arg-type]
        finally:
            await client.aclose()

    return asyncio.run(call())


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(middleware=[IAM_GUARD]) as running:
        provision(running, PLAN.document())
        yield running


def test_a_plan_makes_what_the_aws_calls_would_have_made(emulator: EmulatorProcess) -> None:
    s3, dynamodb, sqs = emulator.client("s3"), emulator.client("dynamodb"), emulator.client("sqs")
    assert s3.get_bucket_cors(Bucket="plan-files")["CORSRules"] == SST_DEFAULT_BUCKET_CORS["CORSRules"]
    with pytest.raises(ClientError, match="NoSuchCORSConfiguration"):
        s3.get_bucket_cors(Bucket="plan-private")
    table = dynamodb.describe_table(TableName="plan-notes")["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "userId", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    jobs = sqs.get_queue_url(QueueName="plan-jobs")["QueueUrl"]
    dead_letter = sqs.get_queue_url(QueueName="plan-jobs-dlq")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["All"])["Attributes"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter, AttributeNames=["QueueArn"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": dead_letter_arn["QueueArn"],
        "maxReceiveCount": 3,
    }
    assert any(t["TopicArn"].endswith(":plan-news") for t in emulator.client("sns").list_topics()["Topics"])
    assert "plan-orders" in {bus["Name"] for bus in emulator.client("events").list_event_buses()["EventBuses"]}
    secret = emulator.client("ssm").get_parameter(Name="/sst/app/dev/Secret/KEY/value", WithDecryption=True)
    assert (secret["Parameter"]["Type"], secret["Parameter"]["Value"]) == ("SecureString", "s3cr3t")


def test_the_function_key_of_the_plan_signs_and_its_policy_decides(emulator: EmulatorProcess) -> None:
    function_s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name=emulator.region,
        aws_access_key_id="AKIAPLANFUNCTION0001",
        aws_secret_access_key="plan-function-secret",
    )
    assert function_s3.list_objects_v2(Bucket="plan-files")["KeyCount"] == 0
    with pytest.raises(ClientError, match="AccessDenied"):
        function_s3.list_objects_v2(Bucket="plan-private")
    with pytest.raises(AwsApiError) as refused:
        provision(emulator, PLAN.document(), key=("AKIAPLANFUNCTION0001", "plan-function-secret"))
    assert refused.value.status == 403, "a function's key may not provision"


def test_applying_a_plan_again_changes_only_what_it_changes(emulator: EmulatorProcess) -> None:
    ssm, s3 = emulator.client("ssm"), emulator.client("s3")
    s3.put_object(Bucket="plan-files", Key="kept.txt", Body=b"kept")
    provision(emulator, PLAN.document())
    assert ssm.get_parameter(Name="/sst/app/dev/Parameter/P/value")["Parameter"]["Version"] == 1, "unchanged: kept"
    assert s3.get_object(Bucket="plan-files", Key="kept.txt")["Body"].read() == b"kept"

    changed = ProvisioningPlan(
        buckets=(BucketPlan("plan-files", cors=False),),
        tables=(TablePlan("plan-notes", ("userId", "S"), ("createdAt", "N"), "KEYS_ONLY"),),
        parameters={"/sst/app/dev/Parameter/P/value": ("w", False)},
        deleted_parameters=("/sst/app/dev/Secret/KEY/value",),
        users=(UserPlan("plan-fn", "AKIAPLANFUNCTION0001", "plan-function-secret", None),),
    )
    provision(emulator, changed.document())
    parameter = ssm.get_parameter(Name="/sst/app/dev/Parameter/P/value")["Parameter"]
    assert (parameter["Value"], parameter["Version"]) == ("w", 2)
    with pytest.raises(ClientError, match="ParameterNotFound"):
        ssm.get_parameter(Name="/sst/app/dev/Secret/KEY/value")
    with pytest.raises(ClientError, match="NoSuchCORSConfiguration"):
        s3.get_bucket_cors(Bucket="plan-files")
    stream = emulator.client("dynamodb").describe_table(TableName="plan-notes")["Table"]["StreamSpecification"]
    assert stream == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert emulator.client("iam").list_user_policies(UserName="plan-fn")["PolicyNames"] == []
    provision(emulator, PLAN.document())


@pytest.mark.parametrize(
    ("plan", "named"),
    [
        (
            ProvisioningPlan(users=(UserPlan("bad-fn", "AKIABADFUNCTION00001", "s", {"Statement": [{}]}),)),
            "the IAM user of function 'bad-fn'",
        ),
        (ProvisioningPlan(buckets=(BucketPlan("x"),)), "bucket 'x'"),
        (ProvisioningPlan(queues=(QueuePlan("orphan", 30, DeadLetterPlan("missing", 1)),)), "queue 'orphan'"),
    ],
)
def test_a_refused_plan_names_the_resource_in_one_line(
    emulator: EmulatorProcess, plan: ProvisioningPlan, named: str
) -> None:
    with pytest.raises(AwsApiError) as refused:
        provision(emulator, plan.document())
    assert (refused.value.status, refused.value.code) == (400, "ValidationException")
    assert named in str(refused.value) and "\n" not in str(refused.value)


def test_a_document_that_is_no_plan_is_refused_naming_the_field(emulator: EmulatorProcess) -> None:
    with pytest.raises(AwsApiError, match=r"plan\.buckets\[0\]\.cors must be true or false") as refused:
        provision(emulator, {"buckets": [{"name": "plan-files"}]})
    assert refused.value.status == 400


def test_a_held_emulator_answers_other_requests_only_after_its_first_plan() -> None:
    with EmulatorProcess(hold_until_provisioned=True) as held:
        answered = threading.Event()
        buckets: list[str] = []

        def list_buckets() -> None:
            buckets.extend(bucket["Name"] for bucket in held.client("s3").list_buckets()["Buckets"])
            answered.set()

        threading.Thread(target=list_buckets, daemon=True).start()
        assert not answered.wait(1.0), "answered before any plan"
        provision(held, ProvisioningPlan(buckets=(BucketPlan("held-files"),)).document())
        assert answered.wait(10)
        assert buckets == ["held-files"], "the held request saw the plan's bucket"


def test_a_durable_emulator_keeps_what_a_plan_made(tmp_path: Path) -> None:
    plan = ProvisioningPlan(
        buckets=(BucketPlan("kept-files"),),
        queues=(QueuePlan("kept-jobs", 45),),
        tables=(TablePlan("kept-notes", ("id", "S")),),
    )
    with EmulatorProcess(state_dir=tmp_path / "state") as first:
        provision(first, plan.document())
    with EmulatorProcess(state_dir=tmp_path / "state") as second:
        assert "kept-files" in {b["Name"] for b in second.client("s3").list_buckets()["Buckets"]}
        assert second.client("s3").get_bucket_cors(Bucket="kept-files")["CORSRules"]
        sqs = second.client("sqs")
        url = sqs.get_queue_url(QueueName="kept-jobs")["QueueUrl"]
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
            "VisibilityTimeout": "45"
        }
        assert second.client("dynamodb").describe_table(TableName="kept-notes")["Table"]["TableName"] == "kept-notes"
