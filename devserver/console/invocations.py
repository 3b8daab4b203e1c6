"""The Console's Invocations API: recent invocations, a live Server-Sent Events stream of new ones, replay.

How it works: `GET /_sst/api/invocations/stream` subscribes to the server's `InvocationLog`, then sends the records
already there (oldest first) and every new one as an `invocation` event whose `id:` is the record's id, so the page
dedupes by id. The subscription is registered before the backlog is read, so nothing recorded in between is lost.
A comment line every `KEEPALIVE_SECONDS` keeps proxies and the browser from timing the stream out. Replay sends a
recorded event to the same function again, from the Console.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from devserver.console.errors import ConsoleError
from devserver.console.functions import invoke_from_console
from devserver.console.origin import same_origin_only
from devserver.invocations import InvocationLog, InvocationRecord

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["KEEPALIVE_SECONDS", "invocations_router", "live_records", "sse_frame"]

KEEPALIVE_SECONDS = 15.0


def sse_frame(record: InvocationRecord) -> str:
    """One Server-Sent Event carrying the record's summary."""
    return f"id: {record.id}\nevent: invocation\ndata: {json.dumps(record.summary())}\n\n"


async def live_records(
    log: InvocationLog, keepalive: float = KEEPALIVE_SECONDS
) -> AsyncIterator[InvocationRecord | None]:
    """The records in `log`, then each new one as it is recorded; `None` after `keepalive` seconds of quiet."""
    updates = log.subscribe()
    pending: asyncio.Future[InvocationRecord] = asyncio.ensure_future(anext(updates))
    try:
        await asyncio.sleep(0)  # let the subscription register its queue before we read the backlog
        last = 0
        for record in log.recent():
            last = record.id
            yield record
        while True:
            done, _ = await asyncio.wait({pending}, timeout=keepalive)
            if not done:
                yield None
                continue
            record = pending.result()
            pending = asyncio.ensure_future(anext(updates))
            if record.id > last:
                yield record
    finally:
        # Cancelling the pending step raises inside the subscription, which then unregisters its queue.
        pending.cancel()
        await asyncio.gather(pending, return_exceptions=True)


def invocations_router(server: ConsoleHost) -> APIRouter:
    router = APIRouter(prefix="/_sst/api/invocations")

    def record_or_404(record_id: int) -> InvocationRecord:
        record = server.invocations.get(record_id)
        if record is None:
            raise ConsoleError(
                404, "NoSuchInvocation", "no invocation with this id (the log keeps the last 500)", str(record_id)
            )
        return record

    @router.get("")
    async def recent() -> list[dict[str, object]]:
        return [record.summary() for record in reversed(server.invocations.recent())]

    @router.get("/stream")
    async def stream() -> StreamingResponse:
        async def frames() -> AsyncIterator[str]:
            yield "retry: 1000\n\n"
            async for record in live_records(server.invocations):
                yield ": keep-alive\n\n" if record is None else sse_frame(record)

        headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
        return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)

    @router.get("/{record_id}")
    async def details(record_id: int) -> dict[str, Any]:
        return record_or_404(record_id).details()

    @router.post("/{record_id}/replay", dependencies=[Depends(same_origin_only(server))])
    async def replay(record_id: int) -> dict[str, object]:
        record = record_or_404(record_id)
        function = server.function_named(record.function.name) or record.function
        return await invoke_from_console(server, function, record.event, f"replay of #{record.id}")

    return router
