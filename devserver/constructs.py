"""The constructs a user writes in `sst.config.py`: the public import path (`from devserver.constructs import Api`).

They are defined in `devserver.app.constructs`, `devserver.app.trigger_constructs` and
`devserver.app.websocket_constructs`; this module only re-exports them, so apps keep one stable path.
"""

from __future__ import annotations

from devserver.app.constructs import (
    Api,
    App,
    Auth,
    Bucket,
    Config,
    Construct,
    ConstructError,
    Function,
    Stack,
    Table,
)
from devserver.app.trigger_constructs import Cron, EventBus, Queue, Topic
from devserver.app.websocket_constructs import WebSocketApi

__all__ = [
    "Api",
    "App",
    "Auth",
    "Bucket",
    "Config",
    "Construct",
    "ConstructError",
    "Cron",
    "EventBus",
    "Function",
    "Queue",
    "Stack",
    "Table",
    "Topic",
    "WebSocketApi",
]
