"""A second floor for the route benchmarks: the bare app, with its answer made in a worker process.

This is about the least any design that runs each handler in a process of its own can cost: the bare uvicorn +
Starlette app of `benchmarks.bare_app` (access log on, as there), plus one pipe round trip per request to one of
`WORKERS` child processes. Each child serves one request at a time, as sst-dev's workers do, and there are as many
as sst-dev starts for one function at most. The message each way is a few bytes of JSON: no event is built, no
frame header, no timeout, no log capture. Measured beside `bare_app` in the same run, it tells how much of
sst-dev's distance from the bare app is the process boundary itself rather than sst-dev's own work.

A child is this module run as `python -m benchmarks.bare_app_with_worker REQUEST_FD ANSWER_FD`.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

WORKERS = 8
"""sst-dev's default cap of concurrent workers per function (`WorkerPool(max_workers_per_function=8)`)."""

_READ_SIZE = 1 << 16


class _Worker:
    """A child process and the two pipes to it; `ask()` is one round trip."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        request_read, self._request_fd = os.pipe()
        self._answer_fd, answer_write = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bare_app_with_worker", str(request_read), str(answer_write)],
            pass_fds=(request_read, answer_write),
        )
        os.close(request_read)
        os.close(answer_write)
        os.set_blocking(self._answer_fd, False)
        self._loop = loop
        self._answer: asyncio.Future[bytes] | None = None
        loop.add_reader(self._answer_fd, self._answered)

    async def ask(self, message: bytes) -> bytes:
        self._answer = self._loop.create_future()
        os.write(self._request_fd, message)
        return await self._answer

    def _answered(self) -> None:
        data = os.read(self._answer_fd, _READ_SIZE)
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(data)

    def close(self) -> None:
        self._loop.remove_reader(self._answer_fd)
        os.close(self._request_fd)  # the child reads EOF and exits
        os.close(self._answer_fd)
        self._process.wait(5)


_idle: asyncio.Queue[_Worker] = asyncio.Queue()


@asynccontextmanager
async def _workers(app: Starlette) -> AsyncIterator[None]:
    loop = asyncio.get_running_loop()
    workers = [_Worker(loop) for _ in range(WORKERS)]
    for worker in workers:
        _idle.put_nowait(worker)
    yield
    for worker in workers:
        worker.close()


async def hello(request: Request) -> Response:
    worker = await _idle.get()
    try:
        answer = await worker.ask(json.dumps({"path": request.url.path}).encode())
    finally:
        _idle.put_nowait(worker)
    return Response(answer, media_type="application/json")


app = Starlette(routes=[Route("/", hello)], lifespan=_workers)


def serve(request_fd: int, answer_fd: int) -> None:
    """The child: answer every request message until the parent closes the pipe."""
    while data := os.read(request_fd, _READ_SIZE):
        json.loads(data)
        os.write(answer_fd, json.dumps({"message": "Hello from sst-dev!"}).encode())


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
