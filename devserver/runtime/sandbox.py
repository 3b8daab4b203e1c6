"""A sandbox: one worker process of one function and the conversation with it, as Lambda's execution environment.

How it works: `start()` spawns the worker and waits (up to Lambda's 10 s init limit) for its first `next` or its
`init/error`. `invoke()` sends one invocation and waits for the first of: the answer, the process's exit, or the
function's timeout (then the process group is killed). While a debugger holds the function (`pause()` until
`resume()`), its timeout stands still (`deadline.py`). Whatever the worker printed meanwhile is attributed to the
request in flight, passed to the log sink line by line and returned with the outcome. The transport is the
subclass's business: `PipeSandbox` (here) speaks the private frame protocol over two pipes; `RuntimeApiSandbox`
(`runtime_api.py`) serves the HTTP Runtime API to `awslambdaric`. Both deliver the same messages (`protocol.py`).
"""

from __future__ import annotations

import asyncio
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from devserver.app.model import FunctionSpec
from devserver.runtime.deadline import PausableDeadline
from devserver.runtime.environment import log_stream_name, worker_environment
from devserver.runtime.errors import exit_error, init_timeout_error, out_of_memory_error, timeout_error
from devserver.runtime.invocation import LambdaError
from devserver.runtime.process import WorkerProcess
from devserver.runtime.protocol import (
    ERROR,
    INIT_ERROR,
    INVOCATION,
    NEXT,
    RESPONSE,
    FrameDecoder,
    Message,
    encode_frame,
)

__all__ = ["INIT_TIMEOUT_SECONDS", "InvokeRequest", "Outcome", "PipeSandbox", "Sandbox", "SandboxHooks"]

INIT_TIMEOUT_SECONDS = 10.0
"""Lambda gives the init phase (loading the handler) 10 s of its own, apart from the function's timeout."""

_EXIT = "exit"
_READ_SIZE = 1 << 16


class InvokeRequest(NamedTuple):
    """What the Runtime API's `next` hands a runtime: the event and its request id, deadline and ARN."""

    request_id: str
    event: object
    deadline_ms: int
    invoked_function_arn: str


class Outcome(NamedTuple):
    """What a sandbox returns for a start or an invocation: the result or the error, and the lines printed."""

    result: object = None
    error: LambdaError | None = None
    logs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SandboxHooks:
    """How a sandbox reports to its pool: output lines, newly imported source files, and its own exit."""

    log_sink: Callable[[str, str | None, str], None] | None
    on_sources: Callable[[str, list[str]], None]
    on_exit: Callable[[Sandbox], None]


class Sandbox(ABC):
    """One worker process; see the module docstring. Not reusable after its process exits."""

    def __init__(
        self, spec: FunctionSpec, hooks: SandboxHooks, *, python: str, base_environment: dict[str, str]
    ) -> None:
        self.spec = spec
        self.retired = False
        """Set when the worker must not serve again (retired code, out of memory); the pool stops it when idle."""
        self._hooks = hooks
        self._python = python
        self._base_environment = base_environment
        self._request_id: str | None = None
        self._logs: list[str] = []
        self._pending: asyncio.Future[Message] | None = None
        self._process: WorkerProcess | None = None
        self._deadline: PausableDeadline | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.debug_port: int | None = None
        """The port the worker's debugpy listens on (reported at init when it runs under debugpy)."""

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        # The loop `start()` ran in, which serves this sandbox for its whole life; looked up once, not per call.
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    @property
    def function_name(self) -> str:
        return self.spec.name

    @property
    def request_id(self) -> str | None:
        """The invocation in flight, None between invocations and during the cold start."""
        return self._request_id

    def pause(self) -> None:
        """A debugger holds the function (pdb prompt, editor breakpoint): its timeout stands still."""
        if self._deadline is not None:
            self._deadline.pause(self._running_loop().time())
            self._schedule_timeout()

    def resume(self) -> None:
        """The function runs again; the timeout goes on from where it stood."""
        if self._deadline is not None:
            self._deadline.resume(self._running_loop().time())
            self._schedule_timeout()

    async def start(self, request_id: str = "") -> Outcome:
        """Spawn the worker and load the handler: an Outcome with `error` set when initialisation failed.

        `request_id` is the invocation waiting for this cold start; Lambda names it in an init crash's message.
        """
        env = worker_environment(
            self.spec,
            base_environment=self._base_environment,
            server_environ=os.environ,
            log_stream=log_stream_name(datetime.now(UTC)),
        )
        self._process = await self._spawn(env)
        self._process.add_exit_callback(self._exited)
        message = await self._await_message(INIT_TIMEOUT_SECONDS, lambda: None)
        if message["type"] == NEXT:
            self.debug_port = message.get("debugPort")
            return Outcome(logs=self._take_logs())
        error = self._error_of(message, INIT_TIMEOUT_SECONDS, request_id=request_id, init=True)
        return Outcome(error=error, logs=self._take_logs())

    async def invoke(self, request: InvokeRequest) -> Outcome:
        """Run one invocation; the worker stays for the next one unless it died, timed out or ran out of memory."""
        self._request_id = request.request_id
        try:
            if not self.alive:
                assert self._process is not None
                return Outcome(error=exit_error(request.request_id, self._process.returncode or 0))
            message = await self._await_message(self.spec.timeout, lambda: self._send(request))
            if message["type"] == RESPONSE:
                return Outcome(result=message.get("result"), logs=self._take_logs())
            error = self._error_of(message, self.spec.timeout, request_id=request.request_id)
            return Outcome(error=error, logs=self._take_logs())
        finally:
            self._request_id = None

    def kill(self) -> None:
        """Stop the worker now; it never serves again (its exit is reaped a moment later)."""
        self.retired = True
        if self._process is not None:
            self._process.kill()

    async def wait_closed(self) -> None:
        """Wait until the process has exited (after `kill()`)."""
        if self._process is not None:
            await self._process.wait()
        await self._close_transport()

    @abstractmethod
    async def _spawn(self, env: dict[str, str]) -> WorkerProcess:
        """Start the worker process with `env`; register transport readers."""

    @abstractmethod
    def _send(self, request: InvokeRequest) -> None:
        """Hand `request` to the worker."""

    async def _close_transport(self) -> None:  # noqa: B027 — optional hook, the pipe transport has nothing to do
        """Release transport resources once the process is gone."""

    def _deliver(self, message: Message) -> None:
        """Called by the transport for every message from the worker."""
        if sources := message.get("sources"):
            self._hooks.on_sources(self.spec.name, sources)
        self._answer(message)  # the output printed before it is collected by `_take_logs`, once the caller wakes

    def _answer(self, message: Message) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.set_result(message)

    def _on_line(self, line: str) -> None:
        self._logs.append(line)
        if self._hooks.log_sink is not None:
            self._hooks.log_sink(self.spec.name, self._request_id, line)

    async def _await_message(self, timeout: float, send: Callable[[], None]) -> Message:
        # One timer handle per invocation rather than `asyncio.timeout`: this runs on every request, and the
        # handle is what a debugger's pause moves (`_schedule_timeout`).
        loop = self._running_loop()
        pending = self._pending = loop.create_future()
        self._deadline = PausableDeadline(loop.time() + timeout)
        self._schedule_timeout()
        try:
            send()
            return await pending
        except asyncio.CancelledError:
            self.kill()  # nobody will read the answer; a half-finished worker cannot be reused
            raise
        finally:
            if self._timer is not None:
                self._timer.cancel()
            self._pending = self._deadline = self._timer = None

    def _schedule_timeout(self) -> None:
        """(Re)arm the timer for the current deadline; none while a debugger holds the function."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        when = self._deadline.when if self._deadline is not None else None
        if when is not None:
            self._timer = self._running_loop().call_at(when, self._timed_out)

    def _timed_out(self) -> None:
        self._timer = None
        self.kill()
        self._answer({"type": _EXIT, "timedOut": True})

    def _error_of(self, message: Message, timeout: float, *, request_id: str, init: bool = False) -> LambdaError:
        if message.get("timedOut"):
            return init_timeout_error(timeout) if init else timeout_error(timeout)
        if message["type"] == _EXIT:
            return exit_error(request_id, message["returncode"])
        if message["errorType"] == "MemoryError":
            self.retired = True  # Lambda replaces a sandbox that ran out of memory; so do we
            return out_of_memory_error(request_id, self.spec.memory_size)
        return LambdaError(message["errorType"], message["errorMessage"], tuple(message.get("stackTrace") or ()))

    def _take_logs(self) -> tuple[str, ...]:
        if self._process is not None:
            self._process.drain()
        logs, self._logs = tuple(self._logs), []
        return logs

    def _exited(self, returncode: int) -> None:
        self._answer({"type": _EXIT, "returncode": returncode})
        self._hooks.on_exit(self)


class PipeSandbox(Sandbox):
    """The sst-dev worker (`worker.py`) over the private frame protocol."""

    _request_fd = -1
    _response_fd = -1
    _writer_registered = False

    async def _spawn(self, env: dict[str, str]) -> WorkerProcess:
        request_read, self._request_fd = os.pipe()
        self._response_fd, response_write = os.pipe()
        try:
            process = WorkerProcess.spawn(
                [self._python, "-m", "devserver.runtime.worker", str(request_read), str(response_write)],
                env=env,
                cwd=self.spec.app_dir,
                memory_size=self.spec.memory_size,
                on_line=self._on_line,
                pass_fds=(request_read, response_write),
            )
        except BaseException:
            os.close(self._request_fd)
            os.close(self._response_fd)
            raise
        finally:
            os.close(request_read)
            os.close(response_write)
        os.set_blocking(self._request_fd, False)
        os.set_blocking(self._response_fd, False)
        self._decoder = FrameDecoder()
        self._unsent = bytearray()
        self._running_loop().add_reader(self._response_fd, self._read_frames)
        return process

    def _send(self, request: InvokeRequest) -> None:
        self._write(
            encode_frame(
                {
                    "type": INVOCATION,
                    "requestId": request.request_id,
                    "event": request.event,
                    "deadlineMs": request.deadline_ms,
                    "invokedFunctionArn": request.invoked_function_arn,
                }
            )
        )

    def _write(self, data: bytes) -> None:
        # Events up to Lambda's 6 MB payload limit exceed a pipe's buffer: send what fits, the rest when writable.
        self._unsent += data
        try:
            del self._unsent[: os.write(self._request_fd, self._unsent)]
        except BlockingIOError:
            pass
        except BrokenPipeError:
            self._unsent.clear()  # the worker is gone; its exit is reported through the process
            return
        if bool(self._unsent) != self._writer_registered:
            self._writer_registered = bool(self._unsent)
            if self._unsent:
                self._running_loop().add_writer(self._request_fd, self._write, b"")
            else:
                self._running_loop().remove_writer(self._request_fd)

    def _read_frames(self) -> None:
        while True:
            try:
                data = os.read(self._response_fd, _READ_SIZE)
            except BlockingIOError:
                return
            if not data:
                self._running_loop().remove_reader(self._response_fd)
                return
            for message in self._decoder.feed(data):
                if message["type"] in (NEXT, INIT_ERROR, RESPONSE, ERROR):
                    self._deliver(message)
            if len(data) < _READ_SIZE:
                return  # the pipe is empty: spare the read that would only raise BlockingIOError

    def _exited(self, returncode: int) -> None:
        self._read_frames()  # an answer written just before exiting still counts
        super()._exited(returncode)
        loop = self._running_loop()
        for fd in (self._request_fd, self._response_fd):
            loop.remove_reader(fd)
            loop.remove_writer(fd)
            os.close(fd)
        self._request_fd = self._response_fd = -1
