"""What a developer asked to debug: pure choices, no sockets (see `devserver.debug.debugger` for the running part)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from devserver.app.model import FunctionSpec

__all__ = ["DEFAULT_DEBUGPY_PORT", "DebugSettings", "DebugSettingsError", "debugpy_ports"]

DEFAULT_DEBUGPY_PORT = 5678
"""debugpy's own default port, the one VS Code's Python docs use in their attach examples."""


class DebugSettingsError(ValueError):
    """Bad debug options; `code` is stable, `value` the offending input."""

    def __init__(self, code: str, value: object, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.value = value


@dataclass(frozen=True)
class DebugSettings:
    """How workers are debugged.

    - `pdb`: `breakpoint()` opens a pdb prompt on the dev server's terminal. Off when the server has no terminal
      (stdin not a TTY): then `breakpoint()` prints a warning line and the handler goes on.
    - `debugpy`: run workers under debugpy so an editor can attach. `debugpy_functions` names the functions (by
      Lambda name or handler string); empty means every function.
    - `debugpy_port`: the first debugged function listens there, the next ones on the following ports, in the
      order `debugpy_ports` is given them; 0 gives each function any free port (printed).
    - `wait_for_debugger`: hold every invocation of a debugged function until an editor has attached and sent its
      breakpoints (`sst-dev invoke --debug`: nothing happens until you attach). Otherwise an invocation waits only
      for an editor that is attaching at that moment.
    """

    pdb: bool = False
    debugpy: bool = False
    debugpy_functions: tuple[str, ...] = ()
    debugpy_host: str = "127.0.0.1"
    debugpy_port: int = DEFAULT_DEBUGPY_PORT
    wait_for_debugger: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.debugpy_port <= 65535:
            raise DebugSettingsError(
                "InvalidDebugPort", self.debugpy_port, f"debug port {self.debugpy_port} is not between 0 and 65535"
            )

    def debugs(self, function: FunctionSpec) -> bool:
        """Whether `function`'s workers run under debugpy."""
        if not self.debugpy:
            return False
        return not self.debugpy_functions or bool({function.name, function.handler} & set(self.debugpy_functions))

    def unknown_functions(self, functions: Iterable[FunctionSpec]) -> list[str]:
        """The names in `debugpy_functions` that match none of `functions` (a typo the CLI should refuse)."""
        known = {key for function in functions for key in (function.name, function.handler)}
        return [name for name in self.debugpy_functions if name not in known]


def debugpy_ports(names: Sequence[str], base_port: int, taken: dict[str, int] | None = None) -> dict[str, int]:
    """Ports for the functions `names`, in order: `base_port`, `base_port + 1`, ...; 0 everywhere when base is 0.

    Functions already in `taken` keep their port and new ones continue after the highest, so a config reload
    never moves a port an editor is configured for.
    """
    ports = dict(taken or {})
    following = max(ports.values(), default=base_port - 1) + 1
    for name in names:
        if name in ports:
            continue
        if base_port == 0:
            ports[name] = 0
            continue
        if following > 65535:
            raise DebugSettingsError("DebugPortsExhausted", name, f"no debug port left for {name} above {base_port}")
        ports[name] = following
        following += 1
    return ports
