"""The dev server's AWS: the emulator process, the app's resources in it, and the event sources that invoke functions.

How it works: `spawn()` starts the emulator process without waiting (its socket listens at once, so early clients
queue in the backlog rather than fail). `start(app)` starts the notification dispatcher, chooses each function's
access key, and sends the emulator the app's plan (`devserver.aws.provisioning_plan`): buckets (with their CORS),
tables, queues, topics, buses, the SSM parameters bound values live in, and the functions' IAM users. The request
waits in the backlog while the emulator starts; the emulator applies the plan to moto directly
(`emulator.moto.provisioning`) and holds every other request until it has. So functions may be invoked at once
(`invocable()`): a worker cold-starts while the emulator does, and its first AWS call finds the app's resources.
`ready()` resolves once the plan is applied and the event sources are configured.
Every S3 write or delete the emulator reports (from its reader thread) goes to the dispatcher, which invokes the
matching notification functions through the worker pool and reports each delivery; every SQS send, SNS publish,
EventBridge event and stream record goes to the other event sources (`devserver.triggers.sources`), configured once
the app's resources exist.
On a config reload `apply(app)` provisions new resources and swaps the notification rules.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from devserver.app.binding import bound_parameters
from devserver.app.model import AppSpec
from devserver.app.permissions import function_policy
from devserver.aws.provisioning_plan import AccessKey, app_plan, new_access_key
from devserver.errors import StartError
from devserver.http.aws_json import AwsApiError, AwsJsonClient
from devserver.runtime.invocation import Invoker
from devserver.state.running_server import EmulatorEndpoint
from devserver.terminal import Terminal
from devserver.triggers.deliveries import TriggerDelivery
from devserver.triggers.delivery_log import printed_deliveries
from devserver.triggers.s3_notifications import Delivery, NotificationDispatcher
from devserver.triggers.sources import EventSources
from emulator.process import EmulatorProcess, EmulatorStartError
from emulator.provisioning.plan import PROVISION_SERVICE, PROVISION_TARGET, ProvisioningPlan

__all__ = ["GUARD_MIDDLEWARE", "LocalAws", "ProvisionError"]

PROVISION_TIMEOUT_SECONDS = 60.0
"""A plan sent at start waits for the emulator to start (its own limit is `EmulatorProcess.wait_ready`'s)."""

GUARD_MIDDLEWARE = "emulator.s3.guard:s3_request_guard"
"""Checks presigned URLs, POST policies and bucket CORS as S3 does, in front of moto (which checks none)."""
IAM_MIDDLEWARE = "emulator.iam.guard:iam_guard"
"""Checks each function's requests against what it binds and its `permissions`."""
EXECUTE_API_MIDDLEWARE = "emulator.iam.execute_api:execute_api_authorizer"
"""Answers the gateway's `iam` authorizer; outermost, so its path never reaches the S3 guard."""


class ProvisionError(Exception):
    """The emulator refused the app's plan; the message names the resource at fault."""


class LocalAws:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        region: str,
        invoke: Invoker,
        terminal: Terminal,
        on_delivery: Callable[[Delivery], None] | None = None,
        on_trigger_delivery: Callable[[TriggerDelivery], None] | None = None,
        enforce_iam: bool = True,
        state_dir: Path | None = None,
    ) -> None:
        self.terminal = terminal
        self.emulator = EmulatorProcess(
            host=host,
            port=port,
            region=region,
            on_s3_event=self._on_s3_event,
            on_service_event=self._on_service_event,
            middleware=[EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, *([IAM_MIDDLEWARE] if enforce_iam else [])],
            state_dir=state_dir,
            hold_until_provisioned=True,
        )
        self.dispatcher = NotificationDispatcher(invoke, on_delivery=printed_deliveries(terminal, on_delivery))
        self.sources = EventSources(invoke, on_delivery=printed_deliveries(terminal, on_trigger_delivery))
        self.enforce_iam = enforce_iam
        self._function_keys: dict[str, AccessKey] = {}
        self._invocable = asyncio.Event()
        self._ready = asyncio.Event()
        self._provisioning: asyncio.Task[None] | None = None
        self._client: AwsJsonClient | None = None

    def spawn(self) -> None:
        try:
            self.emulator.spawn()
        except EmulatorStartError as error:
            raise StartError(str(error)) from None

    def client(self, service: str) -> Any:
        """A boto3 client for `service` on the emulator, with the account's credentials."""
        return self.emulator.client(service)

    @property
    def endpoint(self) -> EmulatorEndpoint:
        """Where the emulator answers, with the account credentials: for workers' environment and `dev.json`."""
        credentials = self.emulator.credentials
        return EmulatorEndpoint(
            self.emulator.endpoint, self.emulator.region, credentials.access_key_id, credentials.secret_access_key
        )

    async def start(self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]]) -> None:
        await self.dispatcher.start()
        self.dispatcher.configure(app.buckets)
        plan = self._plan(app, secrets)  # the functions' keys are chosen here: workers may start from now on
        self._invocable.set()
        self._provisioning = asyncio.create_task(self._boot(app, plan))

    async def ready(self) -> None:
        await self._ready.wait()

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    async def invocable(self) -> None:
        """Resolves once `start()` has chosen the functions' keys. The emulator holds a function's AWS calls until
        it has the app's resources, so a worker need not wait for them."""
        await self._invocable.wait()

    async def _boot(self, app: AppSpec, plan: ProvisioningPlan) -> None:
        began = time.perf_counter()
        try:
            # Sent at once: the request waits in the emulator's listen backlog while the emulator starts.
            provisioning = asyncio.create_task(self._provision(plan))
            try:
                await asyncio.to_thread(self.emulator.wait_ready)
            except BaseException:
                provisioning.cancel()
                await asyncio.gather(provisioning, return_exceptions=True)
                raise
            await provisioning
            await self.sources.configure(app, self._api_client())
            self.terminal.info(
                f"Emulator     {self.emulator.endpoint} ready in {(time.perf_counter() - began) * 1000:.0f} ms"
            )
        except Exception as error:  # the routes keep serving; AWS calls from handlers will fail and say why
            self.terminal.warning(f"the emulator could not start or take the app's resources: {error}")
        finally:
            self._ready.set()

    async def apply(self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]]) -> None:
        """On a config reload: create what the app now declares (idempotent), use its notification rules and
        configure its event sources."""
        self.dispatcher.configure(app.buckets)
        await self._provision(self._plan(app, secrets))
        if self.is_ready:  # else `_boot` configures the sources once the emulator is ready
            await self.sources.configure(app, self._api_client())

    def _plan(self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]]) -> ProvisioningPlan:
        """The app's plan, choosing a key for each function that has none yet (kept across reloads)."""
        policies = None
        if self.enforce_iam:
            policies = {function.name: function_policy(app, function) for function in app.all_functions()}
            for name in policies:
                if name not in self._function_keys:
                    self._function_keys[name] = new_access_key()
        return app_plan(app, {**bound_parameters(app), **secrets}, policies, self._function_keys)

    async def _provision(self, plan: ProvisioningPlan) -> None:
        try:
            await self._api_client().call(
                PROVISION_SERVICE, PROVISION_TARGET, plan.document(), timeout=PROVISION_TIMEOUT_SECONDS
            )
        except AwsApiError as error:
            raise ProvisionError(str(error)) from None

    def credentials_for(self, function_name: str) -> dict[str, str]:
        """The function's own access key (its stand-in execution role), or nothing when IAM is not enforced."""
        key = self._function_keys.get(function_name)
        if key is None:
            return {}
        return {"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]}

    async def update_secrets(self, present: Mapping[str, tuple[str, bool]], absent: list[str]) -> None:
        """Put the secrets' current values into SSM and delete the parameters of removed ones."""
        await self._provision(ProvisioningPlan(parameters=present, deleted_parameters=tuple(absent)))

    def _api_client(self) -> AwsJsonClient:
        if self._client is None:
            endpoint = self.endpoint
            self._client = AwsJsonClient(
                endpoint.endpoint,
                region=endpoint.region,
                access_key_id=endpoint.access_key_id,
                secret_access_key=endpoint.secret_access_key,
            )
        return self._client

    def _on_service_event(self, service: str, event: dict[str, object]) -> None:
        self.sources.submit(service, event)

    def _on_s3_event(self, event: object) -> None:
        self.dispatcher.submit(event)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        if self._provisioning is not None:
            self._provisioning.cancel()
            await asyncio.gather(self._provisioning, return_exceptions=True)
        await self.sources.aclose()
        await self.dispatcher.aclose()
        await asyncio.to_thread(self.emulator.stop)
