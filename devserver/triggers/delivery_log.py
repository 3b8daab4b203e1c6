"""What every event source keeps of its deliveries, and how tests wait for them; and one attempt at an invocation.

`DeliveryLog` holds recent final outcomes (and the failed ones apart), thread-safe. `wait(count)` returns the next
`count` outcomes since the last `wait()` or `mark()`, in finishing order, on the log's loop; `wait_blocking()` is
the same for a synchronous test on another thread. `attempt()` runs one invocation and turns anything the pool
raises into a failed `Invocation`, so a failure is recorded and retried rather than lost in a task nobody awaits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from devserver.app.model import FunctionSpec
from devserver.runtime.invocation import Invocation, Invoker, LambdaError
from devserver.terminal import Terminal

__all__ = ["DeliveryLog", "Outcome", "attempt", "printed_deliveries"]

logger = logging.getLogger(__name__)


class Outcome(Protocol):
    @property
    def ok(self) -> bool: ...

    def summary(self) -> str: ...


D = TypeVar("D", bound=Outcome)


class FunctionOutcome(Outcome, Protocol):
    """A delivery the terminal prints: its summary, and the function's invocation (its error, when it failed)."""

    @property
    def function_name(self) -> str: ...

    @property
    def invocation(self) -> Invocation: ...


F = TypeVar("F", bound=FunctionOutcome)


def printed_deliveries(terminal: Terminal, observe: Callable[[F], None] | None) -> Callable[[F], None]:
    """An `on_delivery` for a dispatcher or an event source: hands each delivery to `observe` (the server's record of
    it), then prints its terminal line."""

    def on_delivery(delivery: F) -> None:
        if observe is not None:
            observe(delivery)
        terminal.delivery(delivery.ok, delivery.summary(), delivery.function_name, delivery.invocation)

    return on_delivery


class DeliveryLog(Generic[D]):
    """Recent deliveries of one kind. `describe()` says what is still under way, for a timed-out wait's message;
    `on_delivery(delivery)` hears of each one recorded (without it, each is logged on `logger`)."""

    def __init__(
        self,
        what: str,
        *,
        history: int = 1000,
        describe: Callable[[], str] = lambda: "",
        on_delivery: Callable[[D], None] | None = None,
        logger: logging.Logger = logger,
    ) -> None:
        self._logger = logger
        self._what = what
        self._describe = describe
        self._on_delivery = on_delivery
        self._lock = threading.Lock()
        self._deliveries: deque[D] = deque(maxlen=history)
        self._failed: deque[D] = deque(maxlen=history)
        self._unclaimed: list[D] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._progress: asyncio.Condition | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop deliveries are recorded on (call from that loop)."""
        self._loop = loop
        self._progress = asyncio.Condition()

    @property
    def deliveries(self) -> list[D]:
        """Recent final outcomes, oldest first."""
        with self._lock:
            return list(self._deliveries)

    @property
    def failed(self) -> list[D]:
        """Recent deliveries whose every attempt failed, oldest first."""
        with self._lock:
            return list(self._failed)

    def mark(self) -> None:
        """Forget finished deliveries no `wait()` has returned yet, so the next `wait()` counts from now."""
        with self._lock:
            self._unclaimed.clear()

    async def record(self, delivery: D) -> None:
        """Keep `delivery`, wake the waiters and report it (on the log's loop)."""
        with self._lock:
            self._deliveries.append(delivery)
            if not delivery.ok:
                self._failed.append(delivery)
            self._unclaimed.append(delivery)
        if self._progress is not None:
            async with self._progress:
                self._progress.notify_all()
        if self._on_delivery is None:
            self._logger.log(logging.INFO if delivery.ok else logging.WARNING, "%s", delivery.summary())
            return
        try:
            self._on_delivery(delivery)
        except Exception:
            self._logger.exception("on_delivery callback failed for %s", delivery.summary())

    async def wait(self, count: int = 1, timeout: float = 5.0) -> list[D]:
        """The next `count` deliveries to finish; `TimeoutError` saying how many did if fewer do in `timeout` s."""
        progress = self._progress
        if progress is None or asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("wait() runs on the log's loop once bound; from another thread use wait_blocking()")
        try:
            async with progress:
                await asyncio.wait_for(progress.wait_for(lambda: self._unclaimed_count() >= count), timeout)
        except TimeoutError:
            details = self._describe()
            raise TimeoutError(
                f"waited {timeout:g} s for {count} {self._what}, {self._unclaimed_count()} finished"
                + (f" ({details})" if details else "")
            ) from None
        with self._lock:
            claimed, self._unclaimed = self._unclaimed[:count], self._unclaimed[count:]
        return claimed

    def wait_blocking(self, count: int = 1, timeout: float = 5.0) -> list[D]:
        """`wait()` for a caller on another thread than the log's loop (which it would otherwise deadlock)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError(f"no {self._what} can arrive yet: the event source is not started")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("wait_blocking() called on the log's own loop: await wait() instead")
        return asyncio.run_coroutine_threadsafe(self.wait(count, timeout), loop).result()

    def _unclaimed_count(self) -> int:
        with self._lock:
            return len(self._unclaimed)


async def attempt(
    invoke: Invoker, function: FunctionSpec, event: Any, request_id: str, clock: Callable[[], float] = time.time
) -> Invocation:
    """One invocation; a pool that raises instead of reporting becomes a failed `Invocation` with the traceback."""
    started = clock()
    try:
        return await invoke(function, event, request_id=request_id)
    except Exception as exc:
        return Invocation(
            request_id=request_id,
            function_name=function.name,
            duration_ms=(clock() - started) * 1000,
            cold=False,
            error=LambdaError(
                error_type=type(exc).__name__,
                error_message=str(exc),
                stack_trace=tuple(traceback.format_exception(exc)),
            ),
        )
