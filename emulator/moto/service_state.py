"""SQS queues and DynamoDB tables, with their messages and items, as JSON documents and back into moto.

moto keeps both only in memory (a restart loses them); `emulator.moto.service_persistence` writes these documents
to the state folder and restores them at start. What a document keeps, per resource:

- a queue: its account, region, name, creation time, settable attributes (visibility timeout, delay, retention,
  policy, redrive policy…), tags, and every message not yet deleted — id, body, message and system attributes,
  sender, sent time, first-receive time and receive count (so a dead-letter redrive still counts earlier receives).
  A restored message is visible at once, whether it was in flight or delayed when the emulator stopped: the consumer
  that held it stopped with it, and the restarted dev server delivers it again.
- a table: its account, region, key schema, attribute definitions, billing, indexes, stream specification, tags, and
  every item in DynamoDB JSON. Items are restored before the stream is switched on, so a restart sends no stream
  records: those were delivered when the items were written.

Capturing runs while requests go on, on other threads. It copies each container moto mutates (`list(...)` of a
dict's items or of a list is one step under the GIL) before iterating it; a request that changes a container the
capture reads inside moto raises `RuntimeError` there, and the caller reads again.
"""

from __future__ import annotations

import base64
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.sqs.models import Message, Queue, sqs_backends

__all__ = ["capture_queues", "capture_tables", "restore_queues", "restore_tables"]

_COMPUTED_QUEUE_ATTRIBUTES = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
    }
)
_MESSAGE_FIELDS = (
    "message_attributes",
    "sender_id",
    "sent_timestamp",
    "approximate_first_receive_timestamp",
    "approximate_receive_count",
    "deduplication_id",
    "group_id",
    "sequence_number",
    "system_attributes",
)
_BYTES = "$bytes"


def _to_json(value: Any) -> Any:
    """`value` with every `bytes` (an SQS or DynamoDB binary value) as `{"$bytes": base64}`."""
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in list(value.items())}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value


def _backends(backend_dict: Any) -> list[tuple[str, str, Any]]:
    """(account, region, backend) for every backend moto has made so far."""
    return [
        (account, region, backend)
        for account, regions in list(backend_dict.items())
        for region, backend in list(regions.items())
    ]


# SQS ---------------------------------------------------------------------------------------------------------------


def capture_queues() -> list[dict[str, Any]]:
    """Every queue of every account and region, with its undeleted messages."""
    return [
        _queue_document(account, region, queue)
        for account, region, backend in _backends(sqs_backends)
        for queue in list(backend.queues.values())
    ]


def _queue_document(account: str, region: str, queue: Queue) -> dict[str, Any]:
    attributes = {
        name: value
        for name, value in queue.attributes.items()
        if name not in _COMPUTED_QUEUE_ATTRIBUTES and value is not None
    }
    return {
        "account": account,
        "region": region,
        "name": queue.name,
        "created": queue.created_timestamp,
        "attributes": attributes,
        "tags": dict(queue.tags),
        "messages": [_message_document(message) for message in list(queue._messages)],
    }


def _message_document(message: Message) -> dict[str, Any]:
    document = {"id": message.id, "body": message.body}
    document.update({field: _to_json(getattr(message, field)) for field in _MESSAGE_FIELDS})
    return document


def restore_queues(documents: list[dict[str, Any]]) -> int:
    """Recreate the queues and their messages; the number of messages restored. Redrive policies are set once every
    queue exists, as each names its dead-letter queue."""
    restored = 0
    redrives: list[tuple[Queue, str]] = []
    for document in documents:
        backend = sqs_backends[document["account"]][document["region"]]
        attributes = dict(document["attributes"])
        redrive = attributes.pop("RedrivePolicy", None)
        queue = backend.create_queue(document["name"], tags=document["tags"] or None, **attributes)
        queue.created_timestamp = document["created"]
        if redrive:
            redrives.append((queue, redrive))
        for fields in document["messages"]:
            queue._messages.append(_message(fields))
            restored += 1
    for queue, redrive in redrives:
        queue._set_attributes({"RedrivePolicy": redrive})
    return restored


def _message(document: dict[str, Any]) -> Message:
    message = Message(document["id"], document["body"])
    for field in _MESSAGE_FIELDS:
        setattr(message, field, _from_json(document[field]))
    return message  # visible_at and delayed_until stay 0: visible now


# DynamoDB ----------------------------------------------------------------------------------------------------------


def capture_tables() -> list[dict[str, Any]]:
    """Every table of every account and region, with its items."""
    return [
        _table_document(account, region, table)
        for account, region, backend in _backends(dynamodb_backends)
        for table in list(backend.tables.values())
        if hasattr(table, "all_items")  # a table, not a backup's view of one
    ]


def _table_document(account: str, region: str, table: Any) -> dict[str, Any]:
    description = table.describe()["TableDescription"]
    return {
        "account": account,
        "region": region,
        "name": table.name,
        "key_schema": description["KeySchema"],
        "attribute_definitions": description["AttributeDefinitions"],
        "billing_mode": table.billing_mode,
        "throughput": None
        if table.billing_mode == "PAY_PER_REQUEST"
        else {name: table.throughput[name] for name in ("ReadCapacityUnits", "WriteCapacityUnits")},
        "global_indexes": [_index_document(index) for index in description["GlobalSecondaryIndexes"]],
        "local_indexes": [_index_document(index) for index in description["LocalSecondaryIndexes"]],
        "stream": table.stream_specification,
        "sse": table.sse_specification,
        "tags": list(table.tags),
        "deletion_protection": table.deletion_protection_enabled,
        "items": [{name: _attribute(value) for name, value in list(item.attrs.items())} for item in _items(table)],
    }


def _items(table: Any) -> list[Any]:
    """The table's items (moto's `all_items`, with each container copied before it is iterated)."""
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for by_range in list(table.items.values()) for item in list(by_range.values())]


def _attribute(value: DynamoType) -> dict[str, Any]:
    """One attribute as moto holds it, in DynamoDB JSON (bytes tagged), which `DynamoType` reads back as it was."""
    if value.is_list():
        return {value.type: [_attribute(member) for member in list(value.value)]}
    if value.is_map():
        return {value.type: {key: _attribute(member) for key, member in list(value.value.items())}}
    return {value.type: _to_json(value.value)}


def _index_document(index: dict[str, Any]) -> dict[str, Any]:
    """The parts of a described index that CreateTable takes."""
    wanted = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
    return {name: index[name] for name in wanted if name in index}


def restore_tables(documents: list[dict[str, Any]]) -> int:
    """Recreate the tables and their items; the number of items restored."""
    restored = 0
    for document in documents:
        backend = dynamodb_backends[document["account"]][document["region"]]
        table = backend.create_table(
            document["name"],
            schema=document["key_schema"],
            throughput=document["throughput"],
            attr=document["attribute_definitions"],
            global_indexes=document["global_indexes"],
            indexes=document["local_indexes"],
            streams=None,
            billing_mode=document["billing_mode"],
            sse_specification=document["sse"],
            tags=document["tags"],
            deletion_protection_enabled=document["deletion_protection"],
            warm_throughput=None,
        )
        for item in document["items"]:
            table.put_item(_from_json(item))
            restored += 1
        table.set_stream_specification(document["stream"])
    return restored
