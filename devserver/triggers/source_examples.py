"""Example events from each event source, for invoking a consumer, subscriber, job, target or stream consumer
directly (`sst-dev invoke`, the Console, the pytest fixture). Pure.

They are the shapes the real delivery builds (`devserver.triggers.event_shapes`), filled with an `example` message:
a WebSocket route's event (a message `{"action": <route key>}`),
an SQS batch of one, an SNS publish, an EventBridge event (source and detail-type `example`), the Cron's scheduled
event, and a DynamoDB `INSERT` record of the table's key fields.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from devserver.apigw.websocket.events import (
    ConnectionContext,
    connect_event,
    disconnect_event,
    message_event,
    new_gateway_id,
)
from devserver.app.invoke_target import SourceTrigger
from devserver.app.model import AppSpec
from devserver.app.naming import ACCOUNT_ID, websocket_api_id
from devserver.triggers.event_shapes import scheduled_event, sns_event, sqs_event, stream_event

__all__ = ["source_example"]

_EXAMPLE = "example"
_ATTRIBUTE_TYPES = {"string": "S", "number": "N", "binary": "B"}
_EXAMPLE_VALUES = {"S": "example", "N": "1", "B": "ZXhhbXBsZQ=="}


def source_example(app: AppSpec, trigger: SourceTrigger, *, now: float) -> dict[str, Any]:
    """An event `trigger`'s source would send; `now` is the epoch time it is stamped with."""
    moment = datetime.fromtimestamp(now, UTC)
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if trigger.source == "websocket":
        return _websocket_example(app, trigger, now_ms=int(now * 1000))
    if trigger.source == "sqs":
        queue = next(q for q in app.queues if q.id == trigger.construct_id)
        message = {
            "MessageId": str(uuid.uuid4()),
            "ReceiptHandle": f"sst-dev-example-{uuid.uuid4().hex}",
            "Body": _EXAMPLE,
            "MD5OfBody": hashlib.md5(_EXAMPLE.encode()).hexdigest(),
            "Attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": str(int(now * 1000)),
                "SenderId": ACCOUNT_ID,
                "ApproximateFirstReceiveTimestamp": str(int(now * 1000)),
            },
        }
        return sqs_event([message], queue_arn=queue.arn, region=app.region)
    if trigger.source == "sns":
        topic = next(t for t in app.topics if t.id == trigger.construct_id)
        publish = {"topicArn": topic.arn, "messageId": str(uuid.uuid4()), "message": _EXAMPLE, "timestamp": iso}
        return sns_event(publish, subscription_arn=f"{topic.arn}:example", region=app.region)
    if trigger.source == "cron":
        rule_arn = f"arn:aws:events:{app.region}:{ACCOUNT_ID}:rule/{app.stage}-{app.name}-{trigger.construct_id}"
        return scheduled_event(rule_arn=rule_arn, account=ACCOUNT_ID, region=app.region, time=iso)
    if trigger.source == "events":
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": _EXAMPLE,
            "source": _EXAMPLE,
            "account": ACCOUNT_ID,
            "time": iso,
            "region": app.region,
            "resources": [],
            "detail": {},
        }
    table = next(t for t in app.tables if t.id == trigger.construct_id)
    keys = {
        field: {_ATTRIBUTE_TYPES[table.fields[field]]: _EXAMPLE_VALUES[_ATTRIBUTE_TYPES[table.fields[field]]]}
        for field in table.primary_index.values()
    }
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": int(now),
        "Keys": keys,
        "SequenceNumber": "100000000000000000001",
        "SizeBytes": 1,
        "StreamViewType": table.stream or "NEW_AND_OLD_IMAGES",
    }
    if dynamodb["StreamViewType"] in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        dynamodb["NewImage"] = keys
    record = {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventVersion": "1.1",
        "awsRegion": app.region,
        "dynamodb": dynamodb,
        "eventSourceARN": f"arn:aws:dynamodb:{app.region}:{ACCOUNT_ID}:table/{table.name}/stream/example",
    }
    return stream_event([record])


def _websocket_example(app: AppSpec, trigger: SourceTrigger, *, now_ms: int) -> dict[str, Any]:
    """The route's event for an example connection (no client holds it: replying to it answers `GoneException`)."""
    context = ConnectionContext(
        connection_id=new_gateway_id(),
        api_id=websocket_api_id(app.name, app.stage, trigger.construct_id),
        stage=app.stage,
        domain_name="localhost",
        source_ip="127.0.0.1",
        user_agent=_EXAMPLE,
        connected_at_ms=now_ms,
    )
    headers = [("host", "localhost")]
    request_id = new_gateway_id()
    if trigger.member == "$connect":
        return connect_event(context, headers=headers, query_string="", request_id=request_id, now_ms=now_ms)
    if trigger.member == "$disconnect":
        return disconnect_event(
            context, headers=headers, status_code=1000, reason="", request_id=request_id, now_ms=now_ms
        )
    body = json.dumps({"action": trigger.member}) if trigger.member != "$default" else _EXAMPLE
    return message_event(
        context, route_key=trigger.member, data=body, message_id=new_gateway_id(), request_id=request_id, now_ms=now_ms
    )
