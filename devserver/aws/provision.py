"""Creates the app's resources in the emulator (buckets, tables, queues, topics, event buses, SSM parameters and the
functions' IAM users), through boto3 like any other client.

Both functions are idempotent: `sst-dev start` runs them on every start and on every config reload, and they leave
existing objects and parameter history alone except where the app's declaration changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from devserver.app.model import AppSpec, BucketSpec, EventBusSpec, QueueSpec, TableSpec, TopicSpec
from emulator.provisioning.plan import FUNCTION_POLICY_NAME, SST_DEFAULT_BUCKET_CORS

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = [
    "SST_DEFAULT_BUCKET_CORS",
    "create_buckets",
    "create_event_buses",
    "create_queues",
    "create_tables",
    "create_topics",
    "delete_parameters",
    "provision_app",
    "put_function_users",
    "put_parameters",
]

_ALREADY_OWNED = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})
_GET_PARAMETERS_LIMIT = 10  # SSM GetParameters takes at most 10 names
_DELETE_PARAMETERS_LIMIT = 10  # and DeleteParameters as many


def create_buckets(client: BaseClient, buckets: Sequence[BucketSpec]) -> None:
    """Create each bucket unless it exists, and set its CORS to SST's default (`cors=True`) or none (`cors=False`)."""
    region = client.meta.region_name
    # S3 rejects a LocationConstraint of us-east-1 and requires one everywhere else.
    location: dict[str, Any] = {}
    if region != "us-east-1":
        location["CreateBucketConfiguration"] = {"LocationConstraint": region}
    for bucket in buckets:
        try:
            client.create_bucket(Bucket=bucket.name, **location)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _ALREADY_OWNED:
                raise
        if bucket.cors:
            client.put_bucket_cors(Bucket=bucket.name, CORSConfiguration=SST_DEFAULT_BUCKET_CORS)
        else:
            client.delete_bucket_cors(Bucket=bucket.name)


def put_parameters(ssm_client: BaseClient, params: Mapping[str, tuple[str, bool]]) -> None:
    """Store each `name → (value, secure)` as a String or SecureString parameter, overwriting a changed value.

    An unchanged value is not written again, so a parameter's version only moves when its value does, as with
    `sst deploy`.
    """
    names = list(params)
    stored: dict[str, tuple[str, str]] = {}
    for start in range(0, len(names), _GET_PARAMETERS_LIMIT):
        found = ssm_client.get_parameters(Names=names[start : start + _GET_PARAMETERS_LIMIT], WithDecryption=True)
        stored.update({p["Name"]: (p["Value"], p["Type"]) for p in found["Parameters"]})
    for name, (value, secure) in params.items():
        kind = "SecureString" if secure else "String"
        if stored.get(name) != (value, kind):
            ssm_client.put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)


def delete_parameters(ssm_client: BaseClient, names: Sequence[str]) -> None:
    """Delete these SSM parameters (a removed secret's); names that do not exist are skipped."""
    for start in range(0, len(names), _DELETE_PARAMETERS_LIMIT):
        ssm_client.delete_parameters(Names=list(names[start : start + _DELETE_PARAMETERS_LIMIT]))


_ATTRIBUTE_TYPES = {"string": "S", "number": "N", "binary": "B"}


def create_tables(client: BaseClient, tables: Sequence[TableSpec]) -> None:
    """Create each DynamoDB table unless it exists: its primary index as the key schema, billed per request as SST's
    `Table` is by default. Attribute definitions name only key fields, as DynamoDB requires. A table's stream is
    turned on, off or changed to match its `stream`."""
    existing = set(client.list_tables()["TableNames"])
    for table in tables:
        if table.name in existing:
            _match_stream(client, table)
            continue
        keys = [("HASH", table.primary_index["partition_key"])]
        if "sort_key" in table.primary_index:
            keys.append(("RANGE", table.primary_index["sort_key"]))
        client.create_table(
            TableName=table.name,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": name, "KeyType": role} for role, name in keys],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": _ATTRIBUTE_TYPES[table.fields[name]]} for _, name in keys
            ],
            StreamSpecification=_stream_specification(table),
        )


def _stream_specification(table: TableSpec) -> dict[str, Any]:
    if table.stream is None:
        return {"StreamEnabled": False}
    return {"StreamEnabled": True, "StreamViewType": table.stream}


def _match_stream(client: BaseClient, table: TableSpec) -> None:
    current = client.describe_table(TableName=table.name)["Table"].get("StreamSpecification") or {}
    enabled = bool(current.get("StreamEnabled"))
    if enabled == (table.stream is not None) and current.get("StreamViewType") == table.stream:
        return
    if enabled:  # DynamoDB changes a stream's view type by turning it off first
        client.update_table(TableName=table.name, StreamSpecification={"StreamEnabled": False})
    if table.stream is not None:
        client.update_table(TableName=table.name, StreamSpecification=_stream_specification(table))


def create_queues(client: BaseClient, queues: Sequence[QueueSpec]) -> None:
    """Create each SQS queue (idempotent), then set its visibility timeout and redrive policy, which can name a
    dead-letter queue only once that exists."""
    by_id = {queue.id: queue for queue in queues}
    for queue in queues:
        client.create_queue(QueueName=queue.name)
    for queue in queues:
        attributes = {"VisibilityTimeout": str(int(queue.visibility_timeout))}
        if queue.dead_letter is not None:
            target = by_id[queue.dead_letter.queue_id]
            policy = {"deadLetterTargetArn": target.arn, "maxReceiveCount": queue.dead_letter.max_receive_count}
            attributes["RedrivePolicy"] = json.dumps(policy)
        client.set_queue_attributes(QueueUrl=queue.url, Attributes=attributes)


def create_topics(client: BaseClient, topics: Sequence[TopicSpec]) -> None:
    """Create each SNS topic (CreateTopic is idempotent)."""
    for topic in topics:
        client.create_topic(Name=topic.name)


def create_event_buses(client: BaseClient, buses: Sequence[EventBusSpec]) -> None:
    """Create each EventBridge bus unless it exists; rules are matched by the dev server, not stored in the bus."""
    existing = {bus["Name"] for bus in client.list_event_buses()["EventBuses"]}
    for bus in buses:
        if bus.name not in existing:
            client.create_event_bus(Name=bus.name)


def put_function_users(
    client: BaseClient, policies: Mapping[str, Mapping[str, object]], keys: Mapping[str, tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """Give each function (by name) an IAM user holding its policy, and an access key unless `keys` has one.

    The user stands in for the function's execution role: its requests are checked against the policy by
    `emulator.iam.guard`. The policy is rewritten every time, so a config reload's changes apply at once.
    Returns every function's `(access key id, secret)`.
    """
    credentials = dict(keys)
    for name, policy in policies.items():
        if name not in credentials:
            try:
                client.create_user(UserName=name)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "EntityAlreadyExists":
                    raise
        if policy.get("Statement"):
            client.put_user_policy(UserName=name, PolicyName=FUNCTION_POLICY_NAME, PolicyDocument=json.dumps(policy))
        else:  # IAM refuses an empty policy; a user with none is denied everything, as a role with no grants
            try:
                client.delete_user_policy(UserName=name, PolicyName=FUNCTION_POLICY_NAME)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
                    raise
        if name not in credentials:
            key = client.create_access_key(UserName=name)["AccessKey"]
            credentials[name] = (key["AccessKeyId"], key["SecretAccessKey"])
    return credentials


def provision_app(
    client: Callable[[str], BaseClient], app: AppSpec, parameters: Mapping[str, tuple[str, bool]]
) -> None:
    """Everything the app's code expects to find: its buckets, its tables and its SSM parameters.

    `client(service)` gives a boto3 client on the emulator with the account's credentials.
    """
    create_buckets(client("s3"), app.buckets)
    create_tables(client("dynamodb"), app.tables)
    create_queues(client("sqs"), app.queues)
    create_topics(client("sns"), app.topics)
    create_event_buses(client("events"), app.event_buses)
    put_parameters(client("ssm"), parameters)
