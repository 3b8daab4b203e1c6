"""The constructs a user writes in `sst.config.py`: the public import path (`from devserver.constructs import Api`).

They are defined in `devserver.app.constructs`; this module only re-exports them, so apps keep one stable path.
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

__all__ = ["Api", "App", "Auth", "Bucket", "Config", "Construct", "ConstructError", "Function", "Stack", "Table"]
