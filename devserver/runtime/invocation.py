"""What one invocation of a function produced, and the `Invoker` every event source calls to get one."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from devserver.app.model import FunctionSpec


@dataclass(frozen=True)
class LambdaError:
    """An error as the Lambda runtime reports it (`errorType`, `errorMessage`, `stackTrace`)."""

    error_type: str
    error_message: str
    stack_trace: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, object]:
        """The JSON body Lambda returns for a failed invocation."""
        return {"errorType": self.error_type, "errorMessage": self.error_message, "stackTrace": list(self.stack_trace)}


@dataclass(frozen=True)
class Invocation:
    """The outcome of running one event through one function.

    Exactly one of `result` (the handler's JSON-decoded return value) and `error` is meaningful: `error` is set
    when the handler raised, the worker failed to initialise, timed out or died. `logs` holds the lines the worker
    printed for this invocation (on a cold start, the handler's import-time output first).
    """

    request_id: str
    function_name: str
    duration_ms: float
    cold: bool
    result: object = None
    error: LambdaError | None = None
    logs: tuple[str, ...] = field(default=())
    init_duration_ms: float | None = None
    """On a cold start, how long loading the handler took (Lambda's `Init Duration`); `duration_ms` excludes it."""

    @property
    def ok(self) -> bool:
        return self.error is None


class Invoker(Protocol):
    """Runs one event through one function: `FunctionInvoker.invoke` (and, without bindings, `WorkerPool.invoke`)."""

    def __call__(
        self, function: FunctionSpec, event: object, /, *, request_id: str | None = None
    ) -> Coroutine[Any, Any, Invocation]: ...
