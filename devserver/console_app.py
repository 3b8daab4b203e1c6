"""The Console's FastAPI app, mounted under `/_sst/` on every listener.

It answers `/_sst/api/health` (how `sst-dev bind`, tests and tools check that a server in `.sst/dev.json` is
alive and which app it serves) and `/_sst/api/app` (the mounted routes and functions).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

if TYPE_CHECKING:
    from devserver.server import DevServer

__all__ = ["create_console_app"]


def create_console_app(server: DevServer) -> FastAPI:
    console = FastAPI(title="sst-dev console", docs_url=None, redoc_url=None, openapi_url=None)

    @console.get("/_sst/api/health")
    def health() -> dict[str, Any]:
        app = server.app
        return {"status": "ok", "app": app.name, "stage": app.stage, "pid": os.getpid()}

    @console.get("/_sst/api/app")
    def describe() -> dict[str, Any]:
        app = server.app
        return {
            "app": app.name,
            "stage": app.stage,
            "apis": [
                {
                    "id": api.id,
                    "url": server.api_url(api.id),
                    "routes": [
                        {"key": route.key, "function": route.function.name, "handler": route.function.handler}
                        for route in api.routes
                    ],
                }
                for api in app.apis
            ],
            "functions": [
                {
                    "name": f.name,
                    "handler": f.handler,
                    "timeout": f.timeout,
                    "memory_size": f.memory_size,
                    "bind": list(f.bind),
                }
                for f in app.all_functions()
            ],
        }

    return console
