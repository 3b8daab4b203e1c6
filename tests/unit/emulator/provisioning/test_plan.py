"""A provisioning plan survives its JSON form, and a malformed document is refused naming the field at fault."""

from __future__ import annotations

import json

import pytest

from emulator.provisioning.plan import (
    BucketPlan,
    DeadLetterPlan,
    PlanError,
    ProvisioningPlan,
    QueuePlan,
    TablePlan,
    UserPlan,
)

PLAN = ProvisioningPlan(
    buckets=(BucketPlan("files", cors=True), BucketPlan("private", cors=False)),
    tables=(TablePlan("notes", ("userId", "S"), ("createdAt", "N"), "NEW_IMAGE"), TablePlan("plain", ("id", "B"))),
    queues=(QueuePlan("jobs", 45, DeadLetterPlan("jobs-dlq", 3)), QueuePlan("jobs-dlq")),
    topics=("news",),
    event_buses=("orders",),
    parameters={"/sst/app/dev/Secret/KEY/value": ("s3cr3t", True), "/sst/app/dev/Parameter/P/value": ("v", False)},
    deleted_parameters=("/sst/app/dev/Secret/OLD/value",),
    users=(
        UserPlan("fn", "AKIAEXAMPLE", "secret", {"Version": "2012-10-17", "Statement": []}),
        UserPlan("no-policy", "AKIAOTHER", "secret2"),
    ),
)


def test_a_plan_reads_back_from_its_json_exactly() -> None:
    assert ProvisioningPlan.from_document(json.loads(json.dumps(PLAN.document()))) == PLAN


def test_an_empty_document_is_an_empty_plan() -> None:
    assert ProvisioningPlan.from_document({}) == ProvisioningPlan()


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ([], "plan must be an object"),
        ({"buckets": {}}, "plan.buckets must be a list"),
        ({"buckets": [{"name": "b"}]}, "plan.buckets[0].cors must be true or false"),
        ({"buckets": [{"name": 3, "cors": True}]}, "plan.buckets[0].name must be a string"),
        ({"tables": [{"name": "t", "partitionKey": ["id", "X"]}]}, "plan.tables[0].partitionKey must be"),
        ({"tables": [{"name": "t", "partitionKey": ["id", "S"], "stream": "ALL"}]}, "plan.tables[0].stream must be"),
        ({"queues": [{"name": "q", "visibilityTimeout": True}]}, "plan.queues[0].visibilityTimeout must be a whole"),
        (
            {"queues": [{"name": "q", "visibilityTimeout": 30, "deadLetter": {"queueName": "d"}}]},
            "plan.queues[0].deadLetter.maxReceiveCount must be a whole number",
        ),
        ({"topics": ["a", 1]}, "plan.topics must be a list of strings"),
        ({"parameters": [{"name": "/p", "value": 1, "secure": False}]}, "plan.parameters[0].value must be a string"),
        (
            {"users": [{"name": "fn", "accessKeyId": "A", "secretAccessKey": "s", "policy": []}]},
            "plan.users[0].policy must be an object or null",
        ),
    ],
)
def test_a_malformed_document_is_refused_naming_the_field(document: object, named: str) -> None:
    with pytest.raises(PlanError) as refused:
        ProvisioningPlan.from_document(document)
    assert named in str(refused.value)
