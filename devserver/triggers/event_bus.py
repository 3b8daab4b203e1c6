"""EventBridge buses: every event put on a bus goes to the targets of each rule whose pattern matches it.

The emulator reports each accepted PutEvents entry as the event a target receives (`emulator.moto.service_events`);
rules are matched here with `devserver.app.event_patterns`, and each matching rule's targets are invoked
asynchronously, with Lambda's retries, as EventBridge invokes Lambda.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from devserver.app.event_patterns import matches_pattern
from devserver.app.model import EventBusSpec, EventRuleSpec
from devserver.triggers.deliveries import TriggerDeliveries

__all__ = ["EventBuses"]


class EventBuses:
    def __init__(self, deliveries: TriggerDeliveries) -> None:
        self._deliveries = deliveries
        self._buses: dict[str, tuple[EventBusSpec, tuple[tuple[EventRuleSpec, Mapping[str, Any]], ...]]] = {}

    def configure(self, buses: Sequence[EventBusSpec]) -> None:
        self._buses = {bus.name: (bus, tuple((rule, json.loads(rule.pattern)) for rule in bus.rules)) for bus in buses}

    def on_event(self, report: Mapping[str, Any]) -> None:
        """One event put on a bus, as the emulator reported it (on the loop)."""
        found = self._buses.get(str(report.get("eventBusName")))
        event = report.get("event")
        if found is None or not isinstance(event, Mapping):
            return
        bus, rules = found
        for rule, pattern in rules:
            if matches_pattern(pattern, event):
                for target in rule.targets:
                    self._deliveries.invoke_async("events", f"{bus.id} {rule.id}", target.function, event)
