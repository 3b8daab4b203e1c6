"""What the Console needs of the dev server it runs in: a Protocol, so no console module imports the server.

`devserver.server.DevServer` satisfies it; the Console's routers are built against a `ConsoleHost` and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from devserver.app.model import AppSpec, FunctionSpec
    from devserver.auth.service import AuthService
    from devserver.invocations import InvocationLog
    from devserver.runtime.invocation import Invocation
    from devserver.state.secrets import SecretValues

__all__ = ["ConsoleAws", "ConsoleHost"]


class ConsoleAws(Protocol):
    """The emulator (`LocalAws`), or the account with `--cloud` (`CloudAws`)."""

    async def ready(self) -> None:
        """Resolves once the app's resources exist."""

    def client(self, service: str) -> Any:
        """A boto3 client with full access to the app's resources."""


class ConsoleHost(Protocol):
    """The running dev server, as its Console sees it."""

    invocations: InvocationLog
    """Recent invocations: listed, streamed and replayed by the Console, and recorded by its invokes."""

    @property
    def app(self) -> AppSpec:
        """The app as last loaded (it changes when `sst.config.py` is reloaded)."""

    @property
    def stage(self) -> str: ...

    @property
    def console_origins(self) -> frozenset[str]:
        """The origins of the pages the Console is served on (its listeners'): the only ones that may change state."""

    @property
    def aws(self) -> ConsoleAws:
        """Where the app's resources are, for the Console's S3 calls (after `aws.ready()`)."""

    @property
    def auth(self) -> AuthService:
        """The app's local user pools, for the Users area and the `Auth` endpoints."""

    @property
    def secrets(self) -> SecretValues:
        """The stage's secret values, as `sst-dev secrets` reads and writes them."""

    def api_url(self, api_id: str) -> str: ...

    def function_named(self, name: str) -> FunctionSpec | None: ...

    async def invoke(self, function: FunctionSpec, event: object, *, request_id: str | None = None) -> Invocation:
        """Run one event through `function` with its bindings."""

    async def secrets_changed(self, names: list[str]) -> int:
        """Update SSM after a secret changed; the number of warm workers retired."""
