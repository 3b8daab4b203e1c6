"""SNS topics: every publish reaches each of the topic's function subscribers, as SNS invokes Lambda (async).

The emulator reports each publish (`emulator.moto.service_events`); the topic's subscribers each get a one-record
SNS event, delivered with Lambda's asynchronous retries. A publish to a topic the app does not declare reaches no
function here (moto still delivers it to any SQS subscription made through the API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devserver.app.model import TopicSpec
from devserver.triggers.deliveries import TriggerDeliveries
from devserver.triggers.event_shapes import sns_event

__all__ = ["Topics"]


class Topics:
    def __init__(self, deliveries: TriggerDeliveries, *, region: str) -> None:
        self._deliveries = deliveries
        self._region = region
        self._topics: dict[str, TopicSpec] = {}

    def configure(self, topics: Sequence[TopicSpec]) -> None:
        self._topics = {topic.arn: topic for topic in topics}

    def on_publish(self, publish: Mapping[str, Any]) -> None:
        """One publish, as the emulator reported it (on the loop)."""
        topic = self._topics.get(str(publish.get("topicArn")))
        if topic is None:
            return
        for subscriber in topic.subscribers:
            subscription_arn = f"{topic.arn}:{subscriber.id}"
            event = sns_event(publish, subscription_arn=subscription_arn, region=self._region)
            self._deliveries.invoke_async("sns", f"{topic.id} {subscriber.id}", subscriber.function, event)
