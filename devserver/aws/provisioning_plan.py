"""The app, as a plan for the emulator to provision (`emulator.provisioning.plan`): pure, no I/O.

Each function's stand-in IAM user gets an access key chosen here, by the dev server, rather than issued by the
emulator: a worker can then be given its credentials, and start, while the emulator is still starting. Keys look
like AWS's (`AKIA` and 16 base-32 characters; a 40-character secret) and are drawn from `secrets`.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping, Sequence

from devserver.app.model import AppSpec, QueueSpec, TableSpec
from emulator.provisioning.plan import (
    BucketPlan,
    DeadLetterPlan,
    ProvisioningPlan,
    QueuePlan,
    TablePlan,
    UserPlan,
)

__all__ = ["AccessKey", "app_plan", "new_access_key"]

AccessKey = tuple[str, str]
"""`(access key id, secret access key)`."""

_KEY_ID_CHARACTERS = string.ascii_uppercase + "234567"
_SECRET_CHARACTERS = string.ascii_letters + string.digits + "+/"
_FIELD_TYPES = {"string": "S", "number": "N", "binary": "B"}


def new_access_key() -> AccessKey:
    """A fresh access key id and secret, shaped as IAM issues them."""
    key_id = "AKIA" + "".join(secrets.choice(_KEY_ID_CHARACTERS) for _ in range(16))
    return key_id, "".join(secrets.choice(_SECRET_CHARACTERS) for _ in range(40))


def app_plan(
    app: AppSpec,
    parameters: Mapping[str, tuple[str, bool]],
    policies: Mapping[str, Mapping[str, object]] | None,
    keys: Mapping[str, AccessKey],
) -> ProvisioningPlan:
    """Everything `app` needs in the emulator: its buckets, tables, queues, topics, buses, these SSM `parameters`,
    and — unless `policies` is None (IAM not enforced) — one user per function holding its policy and its key in
    `keys`."""
    users = () if policies is None else tuple(_user(name, policy, keys[name]) for name, policy in policies.items())
    return ProvisioningPlan(
        buckets=tuple(BucketPlan(bucket.name, bucket.cors) for bucket in app.buckets),
        tables=tuple(_table(table) for table in app.tables),
        queues=_queues(app.queues),
        topics=tuple(topic.name for topic in app.topics),
        event_buses=tuple(bus.name for bus in app.event_buses),
        parameters=dict(parameters),
        users=users,
    )


def _user(name: str, policy: Mapping[str, object], key: AccessKey) -> UserPlan:
    return UserPlan(name, key[0], key[1], dict(policy))


def _table(table: TableSpec) -> TablePlan:
    def key(role: str) -> tuple[str, str] | None:
        name = table.primary_index.get(role)
        return None if name is None else (name, _FIELD_TYPES[table.fields[name]])

    partition_key = key("partition_key")
    assert partition_key is not None, "the app loader requires a partition key"
    return TablePlan(table.name, partition_key, key("sort_key"), table.stream)


def _queues(queues: Sequence[QueueSpec]) -> tuple[QueuePlan, ...]:
    names = {queue.id: queue.name for queue in queues}
    return tuple(
        QueuePlan(
            queue.name,
            int(queue.visibility_timeout),
            None
            if queue.dead_letter is None
            else DeadLetterPlan(names[queue.dead_letter.queue_id], queue.dead_letter.max_receive_count),
        )
        for queue in queues
    )
