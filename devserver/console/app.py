"""The Console's FastAPI app, mounted under `/_sst/` on every listener.

It answers `/_sst/api/app` (the mounted routes and functions), and includes the Console's own areas from
`devserver.console` (buckets, uploads, invocations, functions, secrets, users), its page, and the `Auth`
endpoints (`devserver.auth.router`). State-changing calls depend on `same_origin_only`. The dev server builds it
on its first request (`devserver.console.on_demand`, which also answers the health check).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from devserver.auth.router import auth_router
from devserver.console.buckets import buckets_router
from devserver.console.errors import install_error_handlers
from devserver.console.functions import functions_router
from devserver.console.invocations import invocations_router
from devserver.console.invoke import invoke_router
from devserver.console.origin import same_origin_only
from devserver.console.pages import mount_pages
from devserver.console.s3_access import BucketAccess
from devserver.console.secrets import secrets_router
from devserver.console.uploads import uploads_router
from devserver.console.users import users_router

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["create_console_app", "same_origin_only"]


def create_console_app(server: ConsoleHost) -> FastAPI:
    console = FastAPI(title="sst-dev console", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(console)
    access = BucketAccess(server)
    console.include_router(buckets_router(server, access))
    console.include_router(uploads_router(server, access))
    console.include_router(invocations_router(server))
    console.include_router(functions_router(server))
    console.include_router(secrets_router(server))
    console.include_router(invoke_router(server), dependencies=[Depends(same_origin_only(server))])
    console.include_router(auth_router(lambda: server.auth))
    console.include_router(users_router(server))
    mount_pages(console)

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

    @console.post("/_sst/api/secrets/changed", dependencies=[Depends(same_origin_only(server))])
    async def secrets_changed(change: SecretsChange) -> dict[str, Any]:
        retired = await server.secrets_changed(change.names)
        return {"retiredWorkers": retired}

    return console


class SecretsChange(BaseModel):
    names: list[str]
