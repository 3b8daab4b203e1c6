"""A `ProvisioningPlan` applied to moto's backends directly, in the emulator process.

Why not through moto's API, as any client would: at `sst-dev start` that took a child process importing boto3, one
client (and service model) per service, and ~77 signed HTTP round trips for the sample app (19 functions, three IAM
calls each): ~0.7 s between the emulator being ready and the app's first answer (profiled, 2026-12-03). Here the
same plan costs a few milliseconds, and the functions' access keys are chosen by the dev server, so a function's
worker can start before the emulator has finished starting (see `emulator.provisioning.endpoint`).

What each part does, as the API calls it replaces did:
- a bucket is created unless it exists, in the emulator's region; its CORS is set to SST's default or removed. The
  backend methods called are the ones `emulator.moto.persistence` records, so a durable emulator keeps them;
- a table is created unless it exists (its key attributes only, on-demand billing), and its stream turned on, off or
  changed to match (a new view type is a new stream, as DynamoDB's turning it off and on again makes);
- queues are created unless they exist, then given their visibility timeout and redrive policy (which can name a
  dead-letter queue only once that exists); topics and event buses are created unless they exist;
- an SSM parameter is written only when its value or type changed, so its version moves as `sst deploy`'s would;
- a user is created unless it exists, its inline policy (`FUNCTION_POLICY_NAME`) put or removed, and the plan's
  access key given to it unless it already holds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto import backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.utilities.utils import get_partition

from emulator.provisioning.plan import (
    FUNCTION_POLICY_NAME,
    SST_DEFAULT_BUCKET_CORS,
    BucketPlan,
    ProvisioningFailed,
    ProvisioningPlan,
    QueuePlan,
    TablePlan,
    UserPlan,
)

__all__ = ["plan_applier"]


def plan_applier(region: str, on_changed: Callable[[frozenset[str]], None]) -> Callable[[ProvisioningPlan], None]:
    """A function applying a plan in the default account and `region`; `on_changed` hears which persisted services
    (`sqs`, `dynamodb`) a plan touched."""

    def apply(plan: ProvisioningPlan) -> None:
        partition = get_partition(region)

        def backend(service: str, where: str = region) -> Any:
            # Looked up on use: importing moto's SSM models at start would load its EC2 tables (`deferred_ec2`).
            return backends.get_backend(service)[DEFAULT_ACCOUNT_ID][where]  # type: ignore[call-overload]

        for bucket in plan.buckets:
            with _naming(f"bucket {bucket.name!r}"):
                _put_bucket(backend("s3", partition), bucket, region)
        for table in plan.tables:
            with _naming(f"table {table.name!r}"):
                _put_table(backend("dynamodb"), table)
        if plan.queues:
            _put_queues(backend("sqs"), plan.queues)
        for topic in plan.topics:
            with _naming(f"topic {topic!r}"):
                backend("sns").create_topic(topic)
        for bus in plan.event_buses:
            with _naming(f"event bus {bus!r}"):
                if bus not in backend("events").event_buses:
                    backend("events").create_event_bus(bus)
        for name, (value, secure) in plan.parameters.items():
            with _naming(f"SSM parameter {name!r}"):
                _put_parameter(backend("ssm"), name, value, secure)
        if plan.deleted_parameters:
            with _naming(f"SSM parameters {', '.join(plan.deleted_parameters)}"):
                backend("ssm").delete_parameters(list(plan.deleted_parameters))
        for user in plan.users:
            with _naming(f"the IAM user of function {user.name!r}"):
                _put_user(backend("iam", partition), user, region)
        changed = {service for service, touched in (("dynamodb", plan.tables), ("sqs", plan.queues)) if touched}
        if changed:
            on_changed(frozenset(changed))

    return apply


@contextmanager
def _naming(resource: str) -> Iterator[None]:
    try:
        yield
    except Exception as error:  # noqa: BLE001 - moto's errors vary by service; all become one line naming the resource
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        raise ProvisioningFailed(f"{resource}: {' '.join(str(reason).split())}") from error


def _put_bucket(backend: Any, bucket: BucketPlan, region: str) -> None:
    if bucket.name not in backend.buckets:
        backend.create_bucket(bucket.name, region)
    if bucket.cors:
        backend.put_bucket_cors(bucket.name, _moto_cors_rules(SST_DEFAULT_BUCKET_CORS["CORSRules"]))
    elif backend.get_bucket(bucket.name).cors:
        backend.delete_bucket_cors(bucket.name)


_MOTO_CORS_FIELDS = {
    "AllowedOrigins": "AllowedOrigin",
    "AllowedMethods": "AllowedMethod",
    "AllowedHeaders": "AllowedHeader",
    "ExposeHeaders": "ExposeHeader",
    "MaxAgeSeconds": "MaxAgeSeconds",
    "ID": "ID",
}


def _moto_cors_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """S3 API's CORS rules (`AllowedOrigins`: [...]) in the shape moto parses from the XML (`AllowedOrigin`: [...])."""
    return [{_MOTO_CORS_FIELDS[name]: value for name, value in rule.items()} for rule in rules]


def _put_table(backend: Any, table: TablePlan) -> None:
    stream = (
        {"StreamEnabled": False} if table.stream is None else {"StreamEnabled": True, "StreamViewType": table.stream}
    )
    if table.name not in backend.tables:
        keys = [("HASH", table.partition_key), *([("RANGE", table.sort_key)] if table.sort_key else [])]
        backend.create_table(
            table.name,
            schema=[{"AttributeName": name, "KeyType": role} for role, (name, _) in keys],
            throughput=None,
            attr=[{"AttributeName": name, "AttributeType": kind} for _, (name, kind) in keys],
            global_indexes=None,
            indexes=None,
            streams=stream,
            billing_mode="PAY_PER_REQUEST",
            sse_specification=None,
            tags=[],
            deletion_protection_enabled=False,
            warm_throughput=None,
        )
        return
    existing = backend.get_table(table.name)
    current = existing.stream_specification or {}
    if (
        bool(current.get("StreamEnabled")) == (table.stream is not None)
        and current.get("StreamViewType") == table.stream
    ):
        return
    existing.set_stream_specification(stream)  # a new view type starts a new stream, as turning it off and on does


def _put_queues(backend: Any, queues: tuple[QueuePlan, ...]) -> None:
    for queue in queues:
        with _naming(f"queue {queue.name!r}"):
            if queue.name not in backend.queues:
                backend.create_queue(queue.name)
    for queue in queues:
        with _naming(f"queue {queue.name!r}"):
            attributes = {"VisibilityTimeout": str(queue.visibility_timeout)}
            if queue.dead_letter is not None:
                target = backend.queues.get(queue.dead_letter.queue_name)
                if target is None:
                    raise ValueError(f"its dead-letter queue {queue.dead_letter.queue_name!r} is not in the plan")
                policy = {
                    "deadLetterTargetArn": target.queue_arn,
                    "maxReceiveCount": queue.dead_letter.max_receive_count,
                }
                attributes["RedrivePolicy"] = json.dumps(policy)
            backend.set_queue_attributes(queue.name, attributes)


def _put_parameter(backend: Any, name: str, value: str, secure: bool) -> None:
    kind = "SecureString" if secure else "String"
    stored = backend.get_parameter(name)
    if stored is not None and stored.parameter_type == kind and stored.decrypt(stored.value) == value:
        return
    backend.put_parameter(
        name=name,
        description=None,
        value=value,
        parameter_type=kind,
        allowed_pattern=None,
        keyid=None,
        overwrite=True,
        tags=[],
        data_type="text",
        tier=None,
        policies=None,
    )


def _put_user(backend: Any, user: UserPlan, region: str) -> None:
    if user.name not in backend.users:
        backend.create_user(region, user.name)
    moto_user = backend.get_user(user.name)
    if user.policy and user.policy.get("Statement"):
        backend.put_user_policy(user.name, FUNCTION_POLICY_NAME, json.dumps(user.policy))
    elif FUNCTION_POLICY_NAME in moto_user.policies:  # IAM refuses an empty policy: a user with none is denied all
        backend.delete_user_policy(user.name, FUNCTION_POLICY_NAME)
    if any(key.access_key_id == user.access_key_id for key in moto_user.access_keys):
        return
    key = backend.create_access_key(user.name)  # moto draws an id and a secret; the plan's replace them
    del backend.access_keys[key.access_key_id]
    key.access_key_id, key.secret_access_key = user.access_key_id, user.secret_access_key
    backend.access_keys[key.access_key_id] = key
