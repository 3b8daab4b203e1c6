"""`sst-dev remove --cloud`: what an app stage owns in the account, and deleting exactly that.

What a stage owns is what carries its `sst:app`/`sst:stage` tags (`cloud.ownership`), looked up resource by
resource: buckets (emptied first, every version and delete marker included), the SSM parameters under
`/sst/{app}/{stage}/`, and the queues, topics, tables and event buses named `{stage}-{app}-...` (the bucket event
queue among them). Anything without both tags is left alone, whatever its name; fallback secrets
(`/sst/{app}/.fallback/`) are shared by every stage and never removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from devserver.app.binding import ssm_prefix
from devserver.cloud.account import CloudAccount
from devserver.cloud.ownership import is_owned
from devserver.cloud.provision import bucket_tags

__all__ = ["Removal", "find_owned", "remove_owned"]

_DELETE_PARAMETERS_LIMIT = 10


@dataclass
class Removal:
    """What a stage owns, by kind; `lines()` lists it for the confirmation and `--dry-run`."""

    buckets: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)  # URLs
    topics: list[str] = field(default_factory=list)  # ARNs
    tables: list[str] = field(default_factory=list)
    event_buses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = (
            ("bucket", self.buckets),
            ("SSM parameter", self.parameters),
            ("SQS queue", [url.rsplit("/", 1)[-1] for url in self.queues]),
            ("SNS topic", [arn.rsplit(":", 1)[-1] for arn in self.topics]),
            ("DynamoDB table", self.tables),
            ("EventBridge bus", self.event_buses),
        )
        return [f"{kind} {name}" for kind, names in kinds for name in names]


def find_owned(account: CloudAccount, app: str, stage: str) -> Removal:
    prefix = f"{stage}-{app}-"
    s3, ssm, sqs = account.client("s3"), account.client("ssm"), account.client("sqs")
    sns, dynamodb, events = account.client("sns"), account.client("dynamodb"), account.client("events")
    return Removal(
        buckets=[b["Name"] for b in s3.list_buckets()["Buckets"] if _owned_bucket(s3, b["Name"], app, stage)],
        parameters=[
            name
            for name in _parameter_names(ssm, ssm_prefix(app, stage))
            if is_owned(ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"], app, stage)
        ],
        queues=[
            url
            for url in sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
            if is_owned(sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), app, stage)
        ],
        topics=[
            arn
            for arn in _topic_arns(sns)
            if arn.rsplit(":", 1)[-1].startswith(prefix)
            and is_owned(sns.list_tags_for_resource(ResourceArn=arn)["Tags"], app, stage)
        ],
        tables=[
            name
            for name in dynamodb.list_tables()["TableNames"]
            if name.startswith(prefix) and is_owned(_table_tags(dynamodb, name), app, stage)
        ],
        event_buses=[
            bus["Name"]
            for bus in events.list_event_buses(NamePrefix=prefix)["EventBuses"]
            if is_owned(events.list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"], app, stage)
        ],
    )


def remove_owned(account: CloudAccount, removal: Removal) -> None:
    """Delete everything in `removal`; buckets are emptied of every version first."""
    s3 = account.client("s3")
    for bucket in removal.buckets:
        _empty(s3, bucket)
        s3.delete_bucket(Bucket=bucket)
    ssm = account.client("ssm")
    for start in range(0, len(removal.parameters), _DELETE_PARAMETERS_LIMIT):
        ssm.delete_parameters(Names=removal.parameters[start : start + _DELETE_PARAMETERS_LIMIT])
    for url in removal.queues:
        account.client("sqs").delete_queue(QueueUrl=url)
    for arn in removal.topics:
        account.client("sns").delete_topic(TopicArn=arn)
    for table in removal.tables:
        account.client("dynamodb").delete_table(TableName=table)
    for bus in removal.event_buses:
        account.client("events").delete_event_bus(Name=bus)


def _owned_bucket(s3: Any, name: str, app: str, stage: str) -> bool:
    try:
        return is_owned(bucket_tags(s3, name), app, stage)
    except ClientError:  # another region's or a bucket we may not read: not provably ours, so not touched
        return False


def _table_tags(dynamodb: Any, name: str) -> list[dict[str, str]]:
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    tags: list[dict[str, str]] = dynamodb.list_tags_of_resource(ResourceArn=arn).get("Tags", [])
    return tags


def _parameter_names(ssm: Any, path: str) -> Iterator[str]:
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True):
        for parameter in page["Parameters"]:
            yield parameter["Name"]


def _topic_arns(sns: Any) -> Iterator[str]:
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            yield topic["TopicArn"]


def _empty(s3: Any, bucket: str) -> None:
    """Delete every object version and delete marker, 1,000 at a time (one DeleteObjects call each)."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [
            {"Key": found["Key"], "VersionId": found["VersionId"]}
            for found in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
