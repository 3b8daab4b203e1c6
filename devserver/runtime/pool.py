"""The worker pool: the local Lambda service that runs every function's invocations in sandbox processes.

How it works: per function, a semaphore of `max_workers_per_function` slots bounds the invocations in flight. An
invocation takes a slot (queueing FIFO when all are busy, as Lambda throttles at its concurrency limit), then the most
recently used idle sandbox of that exact `FunctionSpec` (warm), or starts a new one (cold; Lambda likewise keeps an
environment per concurrent request). One start at a time per function, though: an invocation that finds no idle sandbox
while another of the function's sandboxes is starting waits until one is released or has started, then looks again.
Lambda starts an environment per concurrent event on cores of their own; here the starts share the machine's few, and a
burst of events against a cold function started up to eight at once, each importing its handler's libraries: seconds of
CPU before the first answer (docs/app.md). After the invocation the sandbox goes back to the idle list unless
it was retired, died or timed out. `retire()` is how hot reload swaps code: idle sandboxes stop at once, busy ones when
they finish, and the next invocation cold-starts with the new files — unless the retire asks to re-warm: then,
`REWARM_DELAY_SECONDS` after the last retire of a burst (a `git checkout` is one generation, not one per file), one new
sandbox per retired function's exact spec starts in the background, as SAM's `--warm-containers EAGER` does, holding a
slot while it starts; an invocation that finds none idle while a start is due or under way begins it at once and waits
for it rather than starting a second one. A sandbox retired while it starts is dropped when its start ends, and a
re-warm due meanwhile starts after it. No re-warm for a function an editor debugs: its workers start only for an
invocation. Workers report the local source files they import; the pool keeps them per function for the reloader to
watch. With a `WorkerDebugger` (`debug=`), workers get its environment, a function under debugpy runs one worker at a
time, and each invocation of it first lets an attaching editor finish (see `devserver.debug.debugger`).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from devserver.app.model import FunctionSpec
from devserver.runtime.context import function_arn
from devserver.runtime.debugging import WorkerDebugger
from devserver.runtime.environment import DEFAULT_REGION
from devserver.runtime.invocation import Invocation
from devserver.runtime.request_ids import new_request_id
from devserver.runtime.sandbox import InvokeRequest, Outcome, PipeSandbox, Sandbox, SandboxHooks

__all__ = ["REWARM_DELAY_SECONDS", "LogSink", "PoolClosedError", "WorkerPool"]

LogSink = Callable[[str, str | None, str], None]
"""`(function_name, request_id or None, line)`: called once per line a worker prints (None while it initialises)."""

_CLOSE_GRACE_SECONDS = 1.0
REWARM_DELAY_SECONDS = 0.1


class PoolClosedError(RuntimeError):
    """`invoke` after `aclose`: the server is shutting down."""


@dataclass
class _FunctionWorkers:
    slots: asyncio.Semaphore
    idle: list[Sandbox] = field(default_factory=list)
    live: set[Sandbox] = field(default_factory=set)
    sources: set[Path] = field(default_factory=set)
    rewarm: asyncio.TimerHandle | None = None
    """The re-warm scheduled after the last retire, until it begins."""
    rewarm_spec: FunctionSpec | None = None
    """What that re-warm starts: the retired workers' spec."""
    warming: asyncio.Task[None] | None = None
    """The re-warm under way, if any."""
    starting: int = 0
    """Sandboxes of the function starting right now (for an invocation, or a re-warm)."""
    changed: asyncio.Future[None] | None = None
    """Resolved when a sandbox is released or a start ends: what invocations waiting for a start wait on."""


class WorkerPool:
    """Runs invocations of any function in that function's own worker processes (see the module docstring)."""

    on_sources: Callable[[str, frozenset[Path]], None] | None
    """Called with a function's name and all its source files whenever a worker reports new ones."""

    def __init__(
        self,
        *,
        max_workers_per_function: int = 8,
        log_sink: LogSink | None = None,
        base_environment: Mapping[str, str] | None = None,
        python: str = sys.executable,
        debug: WorkerDebugger | None = None,
    ) -> None:
        """`debug`: breakpoints and editor attach for the workers; the caller starts and closes it."""
        self.on_sources = None
        self._max_workers = max_workers_per_function
        self._base_environment = dict(base_environment or {})
        self._python = python
        self._functions: dict[str, _FunctionWorkers] = {}
        self._hooks = SandboxHooks(log_sink=log_sink, on_sources=self._add_sources, on_exit=self._forget)
        self._closed = False
        self._closing: set[asyncio.Future[None]] = set()
        self._debug = debug
        if debug is not None:
            debug.locate_workers(self._worker_with_pid)

    def add_base_environment(self, values: Mapping[str, str]) -> None:
        """Variables every worker started from now on gets; running workers keep theirs (retire them to apply)."""
        self._base_environment.update(values)

    async def invoke(self, function: FunctionSpec, event: object, *, request_id: str | None = None) -> Invocation:
        """Run `event` through `function`: result or Lambda error, logs, duration and whether it was a cold start."""
        if self._closed:
            raise PoolClosedError("the worker pool is closed")
        request_id = request_id or new_request_id()
        workers = self._workers(function)
        if not workers.idle and workers.rewarm is not None:  # a re-warm is due: start it now, not a second worker
            workers.rewarm.cancel()
            self._begin_rewarm(workers)
        if not workers.idle and workers.warming is not None and not workers.warming.done():
            await asyncio.wait([workers.warming])  # a sandbox of the new code is starting: take it when it is up
        async with workers.slots:
            sandbox = self._take_idle(workers, function)
            if sandbox is None and workers.starting:
                sandbox = await self._idle_after_starts(workers, function)
            init_ms: float | None = None
            init_logs: tuple[str, ...] = ()
            if sandbox is None:
                started = time.perf_counter()
                sandbox = self._new_sandbox(function)
                workers.live.add(sandbox)
                try:
                    with self._counted_start(workers):
                        init = await sandbox.start(request_id)
                except BaseException:  # cannot spawn (bad `python`), or cancelled: leave nothing behind
                    self._discard(workers, sandbox)
                    raise
                init_ms = (time.perf_counter() - started) * 1000
                init_logs = init.logs
                if init.error is not None:
                    self._discard(workers, sandbox)
                    return self._invocation(function, request_id, init, 0.0, init_ms)
                if self._debug is not None:
                    await self._debug.worker_ready(function, sandbox)
            if self._debug is not None:
                await self._debug.before_invoke(function)
            region = function.environment.get("AWS_REGION") or self._base_environment.get("AWS_REGION", DEFAULT_REGION)
            request = InvokeRequest(
                request_id=request_id,
                event=event,
                deadline_ms=int((time.time() + function.timeout) * 1000),
                invoked_function_arn=function_arn(region, function.name),
            )
            started = time.perf_counter()
            try:
                outcome = await sandbox.invoke(request)
            finally:
                self._release(workers, sandbox)
            duration_ms = (time.perf_counter() - started) * 1000
            if init_logs:
                outcome = Outcome(outcome.result, outcome.error, init_logs + outcome.logs)
            return self._invocation(function, request_id, outcome, duration_ms, init_ms)

    def retire(self, predicate: Callable[[FunctionSpec], bool], *, rewarm: bool = False) -> int:
        """Stop the workers whose function matches: idle ones now, busy ones after their current invocation.

        Returns how many workers were retired; the next invocation of those functions cold-starts new code, or, with
        `rewarm`, finds one started in the background (for code changes: the specs stay the same).
        """
        count = 0
        for workers in self._functions.values():
            retired: FunctionSpec | None = None
            for sandbox in list(workers.live):
                if not sandbox.retired and predicate(sandbox.spec):
                    sandbox.retired = True
                    retired = sandbox.spec
                    count += 1
                    if sandbox in workers.idle:
                        self._discard(workers, sandbox)
            if rewarm and retired is not None and not (self._debug is not None and self._debug.debugs(retired)):
                self._schedule_rewarm(workers, retired)
        return count

    def _schedule_rewarm(self, workers: _FunctionWorkers, spec: FunctionSpec) -> None:
        if workers.rewarm is not None:
            workers.rewarm.cancel()  # a later retire of the same burst: one re-warm, after the last
        workers.rewarm_spec = spec
        workers.rewarm = asyncio.get_running_loop().call_later(REWARM_DELAY_SECONDS, self._begin_rewarm, workers)

    def _begin_rewarm(self, workers: _FunctionWorkers) -> None:
        spec = workers.rewarm_spec
        workers.rewarm, workers.rewarm_spec = None, None
        assert spec is not None
        if not self._closed:
            under_way = workers.warming if workers.warming is not None and not workers.warming.done() else None
            workers.warming = asyncio.ensure_future(self._rewarm(workers, spec, after=under_way))

    async def _rewarm(
        self, workers: _FunctionWorkers, spec: FunctionSpec, *, after: asyncio.Future[None] | None
    ) -> None:
        if after is not None:  # a start under way may hold code from before this retire: start the next after it
            await asyncio.wait([after])
        if workers.idle or workers.slots.locked():
            return  # something is warm already, or every slot is busy: an invocation will start what it needs
        async with workers.slots:
            sandbox = self._new_sandbox(spec)
            workers.live.add(sandbox)
            try:
                with self._counted_start(workers):
                    init = await sandbox.start(new_request_id())
            except Exception:  # cannot spawn: the next invocation tries again and reports why
                self._discard(workers, sandbox)
                return
            if init.error is not None:
                self._discard(workers, sandbox)  # the next invocation cold-starts and reports the error
                return
            if self._debug is not None:
                await self._debug.worker_ready(spec, sandbox)
            self._release(workers, sandbox)

    def source_files(self, function_name: str) -> frozenset[Path]:
        """Real paths of the local source files the function's workers have imported so far."""
        workers = self._functions.get(function_name)
        return frozenset(workers.sources) if workers else frozenset()

    def worker_count(self) -> int:
        """Worker processes alive right now (starting, idle or busy)."""
        return sum(len(workers.live) for workers in self._functions.values())

    async def aclose(self) -> None:
        """Kill every worker with its process group and wait for them to exit (at most about a second)."""
        self._closed = True
        for workers in self._functions.values():
            if workers.rewarm is not None:
                workers.rewarm.cancel()
            if workers.warming is not None:
                workers.warming.cancel()
            for sandbox in list(workers.live):
                self._discard(workers, sandbox)
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=_CLOSE_GRACE_SECONDS)
        self._functions.clear()

    def _workers(self, function: FunctionSpec) -> _FunctionWorkers:
        workers = self._functions.get(function.name)
        if workers is None:
            slots = self._max_workers
            if self._debug is not None:
                slots = self._debug.concurrency(function, slots)
            workers = self._functions[function.name] = _FunctionWorkers(asyncio.Semaphore(slots))
        return workers

    def _worker_with_pid(self, pid: int) -> Sandbox | None:
        return next(
            (sandbox for workers in self._functions.values() for sandbox in workers.live if sandbox.pid == pid), None
        )

    async def _idle_after_starts(self, workers: _FunctionWorkers, function: FunctionSpec) -> Sandbox | None:
        """An idle sandbox of `function`, waited for while another is starting; None once none is idle or starting
        (the caller starts one). See the module docstring. Only called when none is idle: the warm path never waits."""
        sandbox = None
        while sandbox is None and workers.starting:
            if workers.changed is None:
                workers.changed = asyncio.get_running_loop().create_future()
            await asyncio.wait([workers.changed])  # not the future itself: a cancelled waiter must not cancel it
            if self._closed:
                raise PoolClosedError("the worker pool is closed")
            sandbox = self._take_idle(workers, function)
        return sandbox

    @contextmanager
    def _counted_start(self, workers: _FunctionWorkers) -> Iterator[None]:
        workers.starting += 1
        try:
            yield
        finally:
            workers.starting -= 1
            self._changed(workers)

    @staticmethod
    def _changed(workers: _FunctionWorkers) -> None:
        if workers.changed is not None:
            workers.changed.set_result(None)
            workers.changed = None

    def _take_idle(self, workers: _FunctionWorkers, function: FunctionSpec) -> Sandbox | None:
        while workers.idle:
            sandbox = workers.idle.pop()  # most recently used: its caches are the warmest
            if sandbox.alive and (sandbox.spec is function or sandbox.spec == function):
                return sandbox
            self._discard(workers, sandbox)  # the function's settings changed: its old workers are stale
        return None

    def _new_sandbox(self, function: FunctionSpec) -> Sandbox:
        kind: type[Sandbox] = PipeSandbox
        if function.runtime_client == "awslambdaric":
            from devserver.runtime.runtime_api import RuntimeApiSandbox  # uvicorn only when a function needs it

            kind = RuntimeApiSandbox
        environment = self._base_environment
        if self._debug is not None:
            environment = {**environment, **self._debug.environment(function)}
        return kind(function, self._hooks, python=self._python, base_environment=environment)

    def _release(self, workers: _FunctionWorkers, sandbox: Sandbox) -> None:
        if sandbox.alive and not sandbox.retired and not self._closed:
            workers.idle.append(sandbox)
            self._changed(workers)
        else:
            self._discard(workers, sandbox)

    def _discard(self, workers: _FunctionWorkers, sandbox: Sandbox) -> None:
        if sandbox in workers.idle:
            workers.idle.remove(sandbox)
        workers.live.discard(sandbox)
        if self._debug is not None:
            self._debug.worker_gone(sandbox.spec.name, sandbox)
        sandbox.kill()
        closing = asyncio.ensure_future(sandbox.wait_closed())
        self._closing.add(closing)  # keep a reference until done, or the task could be collected mid-way
        closing.add_done_callback(self._closing.discard)

    def _forget(self, sandbox: Sandbox) -> None:
        """A worker process exited (on its own, or killed): it no longer counts, and its transport is released."""
        workers = self._functions.get(sandbox.spec.name)
        if workers is not None and sandbox in workers.live:
            self._discard(workers, sandbox)

    def _add_sources(self, function_name: str, files: list[str]) -> None:
        workers = self._functions.get(function_name)
        if workers is None:
            return  # the pool closed while the worker was reporting
        fresh = {Path(file) for file in files} - workers.sources
        if fresh:
            workers.sources.update(fresh)
            if self.on_sources is not None:
                self.on_sources(function_name, frozenset(workers.sources))

    @staticmethod
    def _invocation(
        function: FunctionSpec, request_id: str, outcome: Outcome, duration_ms: float, init_ms: float | None
    ) -> Invocation:
        return Invocation(
            request_id=request_id,
            function_name=function.name,
            duration_ms=duration_ms,
            cold=init_ms is not None,
            result=outcome.result,
            error=outcome.error,
            logs=outcome.logs,
            init_duration_ms=init_ms,
        )
