"""The app's resources in the account: created or updated at `start --cloud` and on every config reload.

Every resource is tagged `sst:app`/`sst:stage` (see `cloud.ownership`), which is how `remove --cloud` knows it. The
emulator's provisioning (`devserver.aws.provision`) does the creating, through boto3 like any client; here come the
account's extra rules:
- a bucket name is global on S3: one that exists but is not this stage's (another account's, or untagged) stops the
  start with a line naming it, rather than sharing someone's bucket;
- bucket notifications go to one SQS queue per app stage (`{stage}-{app}-sst-dev-bucket-events`), which only the
  app's buckets may send to; a bucket whose notification configuration holds anything sst-dev did not put there is
  never overwritten: the start stops and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from devserver.app.model import AppSpec, BucketSpec
from devserver.app.naming import resource_name
from devserver.aws.provision import create_buckets, create_event_buses, create_queues, create_tables, put_parameters
from devserver.cloud.account import CloudAccount
from devserver.cloud.bucket_events import foreign_configurations, queue_configurations, queue_policy
from devserver.cloud.ownership import is_owned, ownership_tags, tag_list
from devserver.errors import UserError

__all__ = ["NOTIFICATION_QUEUE_ID", "CloudResources", "bucket_tags", "provision_cloud"]

NOTIFICATION_QUEUE_ID = "sst-dev-bucket-events"


@dataclass(frozen=True)
class CloudResources:
    """What `provision_cloud` made that the dev server needs afterwards."""

    notification_queue_url: str
    notification_queue_arn: str


def provision_cloud(account: CloudAccount, app: AppSpec, parameters: Mapping[str, tuple[str, bool]]) -> CloudResources:
    """Create or update every resource of `app` in the account, tagged as the stage's; idempotent."""
    tags = ownership_tags(app.name, app.stage)
    s3 = account.client("s3")
    _check_bucket_owners(s3, app)
    create_buckets(s3, app.buckets)
    for bucket in app.buckets:
        s3.put_bucket_tagging(Bucket=bucket.name, Tagging={"TagSet": tag_list(tags)})
    _put_tagged_parameters(account.client("ssm"), parameters, tags)
    sqs = account.client("sqs")
    create_queues(sqs, app.queues)
    for queue in app.queues:
        sqs.tag_queue(QueueUrl=sqs.get_queue_url(QueueName=queue.name)["QueueUrl"], Tags=tags)
    sns = account.client("sns")
    for topic in app.topics:
        sns.create_topic(Name=topic.name, Tags=tag_list(tags))
    dynamodb = account.client("dynamodb")
    create_tables(dynamodb, app.tables)
    for table in app.tables:
        arn = dynamodb.describe_table(TableName=table.name)["Table"]["TableArn"]
        dynamodb.tag_resource(ResourceArn=arn, Tags=tag_list(tags))
    events = account.client("events")
    create_event_buses(events, app.event_buses)
    for bus in app.event_buses:
        events.tag_resource(ResourceARN=events.describe_event_bus(Name=bus.name)["Arn"], Tags=tag_list(tags))
    return _wire_notifications(account, app, tags)


def notification_queue_name(app: AppSpec) -> str:
    return resource_name(app.stage, app.name, NOTIFICATION_QUEUE_ID)


def _check_bucket_owners(s3: Any, app: AppSpec) -> None:
    for bucket in app.buckets:
        try:
            s3.head_bucket(Bucket=bucket.name)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                continue  # not there yet: ours to create
            if status == 403:
                raise UserError(_taken(bucket, "exists in another account")) from None
            raise
        if not is_owned(bucket_tags(s3, bucket.name), app.name, app.stage):
            raise UserError(_taken(bucket, "exists in this account but is not this app stage's (no sst:app/sst:stage "
                                           "tags naming it)"))  # fmt: skip


def _taken(bucket: BucketSpec, why: str) -> str:
    return (f'Bucket "{bucket.id}": the bucket {bucket.name} {why}; sst-dev will not use it. Give the Bucket a name '
            'of its own (name=...) or use another --stage')  # fmt: skip


def bucket_tags(s3: Any, name: str) -> list[dict[str, str]]:
    """The bucket's tags (none when it has no tag set)."""
    try:
        tag_set: list[dict[str, str]] = s3.get_bucket_tagging(Bucket=name)["TagSet"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return []
        raise
    return tag_set


def _put_tagged_parameters(ssm: Any, parameters: Mapping[str, tuple[str, bool]], tags: Mapping[str, str]) -> None:
    put_parameters(ssm, parameters)
    for name in parameters:
        ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=tag_list(tags))


def _wire_notifications(account: CloudAccount, app: AppSpec, tags: Mapping[str, str]) -> CloudResources:
    sqs, s3 = account.client("sqs"), account.client("s3")
    url = sqs.create_queue(QueueName=notification_queue_name(app), tags=dict(tags))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    account_id = arn.split(":")[4]
    policy = queue_policy(arn, [bucket.name for bucket in app.buckets], account_id)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy, "ReceiveMessageWaitTimeSeconds": "20"})
    for bucket in app.buckets:
        found = s3.get_bucket_notification_configuration(Bucket=bucket.name)
        foreign = foreign_configurations(found)
        if foreign:
            raise UserError(
                f'Bucket "{bucket.id}": {bucket.name} has notifications sst-dev did not make ({", ".join(foreign)}); '
                "sst-dev will not overwrite them. Remove them or give the Bucket another name"
            )
        s3.put_bucket_notification_configuration(
            Bucket=bucket.name,
            NotificationConfiguration={"QueueConfigurations": queue_configurations(bucket, arn)},
        )
    return CloudResources(url, arn)
