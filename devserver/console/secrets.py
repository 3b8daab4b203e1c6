"""The Console's Secrets and Outputs API: secrets listed masked, set and removed; stack outputs and bound values.

Setting or removing a secret writes the same store `sst-dev secrets set` does, then tells the server
(`secrets_changed`), which updates SSM and retires the warm workers bound to it: their next invocation reads the
new value at its cold start, as after `sst secrets set` in SST.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from devserver.console.errors import ConsoleError
from devserver.console.origin import same_origin_only
from devserver.errors import UserError
from devserver.state.files import outputs_document
from devserver.state.secrets import SecretValues

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["mask", "secrets_router"]

_SHOWN = 2
_MASK = "••••••"


def mask(value: str) -> str:
    """A secret as the Console lists it: never the value, only its last characters when it is long enough."""
    return _MASK + value[-_SHOWN:] if len(value) >= 4 * _SHOWN else _MASK


class SecretValue(BaseModel):
    value: str
    fallback: bool = False


def secret_rows(store: SecretValues, declared: list[str]) -> list[dict[str, object]]:
    """Every declared secret (set or not) and every stored one, with where its value comes from, masked."""
    stage, fallback = store.values(), store.values(fallback=True)
    rows = []
    for name in sorted({*declared, *stage, *fallback}):
        value = stage.get(name, fallback.get(name))
        rows.append(
            {
                "name": name,
                "declared": name in declared,
                "source": "stage" if name in stage else "fallback" if name in fallback else None,
                "masked": None if value is None else mask(value),
                "fallbackMasked": mask(fallback[name]) if name in fallback else None,
            }
        )
    return rows


def secrets_router(server: ConsoleHost) -> APIRouter:
    router = APIRouter(prefix="/_sst/api")
    changes = [Depends(same_origin_only(server))]

    def store() -> SecretValues:
        try:
            return server.secrets
        except UserError as error:
            raise ConsoleError(400, getattr(error, "code", "Secrets.Store"), str(error), server.stage) from None

    @router.get("/secrets")
    def list_secrets() -> dict[str, Any]:
        return {"stage": server.app.stage, "secrets": secret_rows(store(), [s.id for s in server.app.secrets])}

    @router.put("/secrets/{name}", dependencies=changes)
    async def set_secret(name: str, body: SecretValue) -> dict[str, object]:
        try:
            await asyncio.to_thread(store().set, {name: body.value}, fallback=body.fallback)
        except UserError as error:
            raise ConsoleError(400, getattr(error, "code", "Secrets.Store"), str(error), name) from None
        retired = await server.secrets_changed([name])
        return {"name": name, "masked": mask(body.value), "retiredWorkers": retired}

    @router.delete("/secrets/{name}", dependencies=changes)
    async def remove_secret(name: str, fallback: bool = False) -> dict[str, object]:
        if not await asyncio.to_thread(store().remove, name, fallback=fallback):
            raise ConsoleError(404, "Secrets.NotSet", "this secret has no value to remove", name)
        retired = await server.secrets_changed([name])
        return {"name": name, "retiredWorkers": retired}

    @router.get("/outputs")
    def outputs() -> dict[str, Any]:
        app = server.app
        resources = {kind: {cid: dict(props) for cid, props in ids.items()} for kind, ids in app.resources.items()}
        return {"outputs": outputs_document(app), "resources": resources}

    return router
