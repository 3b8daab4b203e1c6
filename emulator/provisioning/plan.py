"""What the emulator is asked to hold for an app: the plan a provisioning request carries, and its JSON form.

Pure data. The dev server builds a `ProvisioningPlan` from the app and sends `plan.document()`; the emulator reads it
back with `ProvisioningPlan.from_document()`, which names the first field at fault, and applies it
(`emulator.moto.provisioning`). Every part of a plan is idempotent to apply: a bucket, table, queue, topic, bus or
user that exists is kept (with its data), and only what the plan changes is changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FUNCTION_POLICY_NAME",
    "PROVISION_SERVICE",
    "PROVISION_TARGET",
    "SST_DEFAULT_BUCKET_CORS",
    "BucketPlan",
    "DeadLetterPlan",
    "PlanError",
    "ProvisioningFailed",
    "ProvisioningPlan",
    "QueuePlan",
    "TablePlan",
    "UserPlan",
]

PROVISION_TARGET = "SstDev.Provision"
"""The `x-amz-target` of a provisioning request (`emulator.provisioning.endpoint`)."""
PROVISION_SERVICE = "sst-dev"
"""The service its SigV4 credential scope names."""

FUNCTION_POLICY_NAME = "sst-dev-function"
"""The inline policy a function's stand-in IAM user holds."""

SST_DEFAULT_BUCKET_CORS: dict[str, list[dict[str, Any]]] = {
    "CORSRules": [
        {
            "AllowedOrigins": ["*"],
            "AllowedHeaders": ["*"],
            "AllowedMethods": ["GET", "PUT", "HEAD", "POST", "DELETE"],
            "ExposeHeaders": ["ETag"],
        }
    ]
}
"""What SST configures on a Bucket whose `cors` option is left on, in the S3 API's shape: any origin and header,
every object method, and `ETag` readable by scripts (browser multipart uploads need it to complete)."""

KEY_TYPES = frozenset({"S", "N", "B"})
STREAM_VIEWS = frozenset({"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"})


class PlanError(ValueError):
    """The document is not a plan; the message names the field at fault."""


class ProvisioningFailed(Exception):
    """A plan could not be applied; the message names the resource at fault and why."""


@dataclass(frozen=True)
class BucketPlan:
    name: str
    cors: bool = True
    """True: SST's default CORS rules (any origin, every object method, `ETag` exposed); False: none."""


@dataclass(frozen=True)
class TablePlan:
    name: str
    partition_key: tuple[str, str]
    """`(attribute name, type)`; type one of `S`, `N`, `B`."""
    sort_key: tuple[str, str] | None = None
    stream: str | None = None
    """The stream's view type, or None for no stream."""


@dataclass(frozen=True)
class DeadLetterPlan:
    queue_name: str
    max_receive_count: int


@dataclass(frozen=True)
class QueuePlan:
    name: str
    visibility_timeout: int = 30
    dead_letter: DeadLetterPlan | None = None


@dataclass(frozen=True)
class UserPlan:
    """A function's stand-in execution role: an IAM user with one inline policy and the access key given here."""

    name: str
    access_key_id: str
    secret_access_key: str
    policy: Mapping[str, Any] | None = None
    """The inline policy document; None or one without statements leaves the user with no policy."""


@dataclass(frozen=True)
class ProvisioningPlan:
    buckets: tuple[BucketPlan, ...] = ()
    tables: tuple[TablePlan, ...] = ()
    queues: tuple[QueuePlan, ...] = ()
    topics: tuple[str, ...] = ()
    event_buses: tuple[str, ...] = ()
    parameters: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    """SSM parameters to hold these values: `name → (value, secure)`."""
    deleted_parameters: tuple[str, ...] = ()
    users: tuple[UserPlan, ...] = ()

    def document(self) -> dict[str, Any]:
        """The plan as JSON-ready data (what `from_document` reads)."""
        return {
            "buckets": [{"name": bucket.name, "cors": bucket.cors} for bucket in self.buckets],
            "tables": [_table_document(table) for table in self.tables],
            "queues": [_queue_document(queue) for queue in self.queues],
            "topics": list(self.topics),
            "eventBuses": list(self.event_buses),
            "parameters": [
                {"name": name, "value": value, "secure": secure} for name, (value, secure) in self.parameters.items()
            ],
            "deletedParameters": list(self.deleted_parameters),
            "users": [
                {
                    "name": user.name,
                    "accessKeyId": user.access_key_id,
                    "secretAccessKey": user.secret_access_key,
                    "policy": None if user.policy is None else dict(user.policy),
                }
                for user in self.users
            ],
        }

    @classmethod
    def from_document(cls, document: object) -> ProvisioningPlan:
        """Read a plan; raises `PlanError` naming the first field that is missing or of the wrong type."""
        root = _Reader(document, "plan")
        return cls(
            buckets=tuple(BucketPlan(item.text("name"), item.flag("cors")) for item in root.items("buckets")),
            tables=tuple(_table(item) for item in root.items("tables")),
            queues=tuple(_queue(item) for item in root.items("queues")),
            topics=root.texts("topics"),
            event_buses=root.texts("eventBuses"),
            parameters={
                item.text("name"): (item.text("value"), item.flag("secure")) for item in root.items("parameters")
            },
            deleted_parameters=root.texts("deletedParameters"),
            users=tuple(
                UserPlan(
                    item.text("name"),
                    item.text("accessKeyId"),
                    item.text("secretAccessKey"),
                    item.optional_mapping("policy"),
                )
                for item in root.items("users")
            ),
        )


def _table_document(table: TablePlan) -> dict[str, Any]:
    return {
        "name": table.name,
        "partitionKey": list(table.partition_key),
        "sortKey": None if table.sort_key is None else list(table.sort_key),
        "stream": table.stream,
    }


def _queue_document(queue: QueuePlan) -> dict[str, Any]:
    dead_letter = queue.dead_letter
    return {
        "name": queue.name,
        "visibilityTimeout": queue.visibility_timeout,
        "deadLetter": None
        if dead_letter is None
        else {"queueName": dead_letter.queue_name, "maxReceiveCount": dead_letter.max_receive_count},
    }


def _table(item: _Reader) -> TablePlan:
    stream = item.optional_text("stream")
    if stream is not None and stream not in STREAM_VIEWS:
        raise PlanError(f"{item.where}.stream must be one of {', '.join(sorted(STREAM_VIEWS))}")
    sort_key = None if item.optional("sortKey") is None else item.key("sortKey")
    return TablePlan(item.text("name"), item.key("partitionKey"), sort_key, stream)


def _queue(item: _Reader) -> QueuePlan:
    dead_letter = None
    if item.optional("deadLetter") is not None:
        target = item.child("deadLetter")
        dead_letter = DeadLetterPlan(target.text("queueName"), target.number("maxReceiveCount"))
    return QueuePlan(item.text("name"), item.number("visibilityTimeout"), dead_letter)


class _Reader:
    """Typed access to one JSON object, naming the path of any field at fault."""

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise PlanError(f"{where} must be an object")
        self._value: dict[str, Any] = value
        self.where = where

    def optional(self, name: str) -> Any:
        return self._value.get(name)

    def _typed(self, name: str, kind: type, what: str) -> Any:
        value = self._value.get(name)
        # JSON's true and false are Python bools, which are also ints: only a bool field takes them.
        if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
            raise PlanError(f"{self.where}.{name} must be {what}")
        return value

    def text(self, name: str) -> str:
        value: str = self._typed(name, str, "a string")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self._value.get(name) is None else self.text(name)

    def flag(self, name: str) -> bool:
        value: bool = self._typed(name, bool, "true or false")
        return value

    def number(self, name: str) -> int:
        value: int = self._typed(name, int, "a whole number")
        return value

    def child(self, name: str) -> _Reader:
        return _Reader(self._value.get(name), f"{self.where}.{name}")

    def optional_mapping(self, name: str) -> dict[str, Any] | None:
        value = self._value.get(name)
        if value is not None and not isinstance(value, dict):
            raise PlanError(f"{self.where}.{name} must be an object or null")
        return value

    def key(self, name: str) -> tuple[str, str]:
        value = self._value.get(name)
        if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str) or value[1] not in KEY_TYPES:
            raise PlanError(f"{self.where}.{name} must be [attribute name, one of S, N, B]")
        return value[0], value[1]

    def items(self, name: str) -> list[_Reader]:
        value = self._value.get(name, [])
        if not isinstance(value, list):
            raise PlanError(f"{self.where}.{name} must be a list")
        return [_Reader(item, f"{self.where}.{name}[{index}]") for index, item in enumerate(value)]

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._value.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise PlanError(f"{self.where}.{name} must be a list of strings")
        return tuple(value)
