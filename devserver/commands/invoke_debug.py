"""`sst-dev invoke --debug`: one invocation in a worker of its own, held until an editor has attached."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from devserver.app.model import FunctionSpec
from devserver.debug.debugger import Debugger
from devserver.debug.settings import DEFAULT_DEBUGPY_PORT, DebugSettings
from devserver.runtime.invocation import Invocation
from devserver.runtime.pool import LogSink, WorkerPool

__all__ = ["invoke_settings", "invoke_with_debugger"]


def invoke_settings(
    function: FunctionSpec, *, debugpy: bool, terminal: bool, port: int = DEFAULT_DEBUGPY_PORT
) -> DebugSettings:
    """What `sst-dev invoke` debugs: pdb whenever it runs in a terminal; with `--debug`, debugpy for `function`,
    and the invocation waits for the editor (there is no later request to catch)."""
    return DebugSettings(
        pdb=terminal,
        debugpy=debugpy,
        debugpy_functions=(function.name,),
        debugpy_port=port,
        wait_for_debugger=debugpy,
    )


async def invoke_with_debugger(
    function: FunctionSpec,
    event: object,
    settings: DebugSettings,
    *,
    base_environment: Mapping[str, str] | None = None,
    log_sink: LogSink | None = None,
    announce: Callable[[str], None] | None = None,
) -> Invocation:
    """Run `event` through `function` in a fresh worker with `settings`' debugging; the worker is gone after.

    With debugpy on, `announce` gets the port line as soon as it listens and the invocation waits for an editor.
    """
    debugger = Debugger(settings, announce=announce)
    await debugger.start()
    pool = WorkerPool(max_workers_per_function=1, log_sink=log_sink, base_environment=base_environment, debug=debugger)
    try:
        await debugger.expose([function])
        return await pool.invoke(function, event)
    finally:
        await pool.aclose()
        await debugger.aclose()
