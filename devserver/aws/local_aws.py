"""The dev server's AWS: the emulator process, the app's resources in it, and the event sources that invoke functions.

How it works: `spawn()` starts the emulator process without waiting (its socket listens at once, so early clients
queue in the backlog rather than fail). `start(app)` starts the notification dispatcher and, in the background,
waits for the emulator to answer and provisions the app: buckets (with their CORS), tables, the SSM parameters
bound values live in, and the functions' IAM users. That runs in a short-lived child process
(`devserver.aws.provision_child`), so boto3's service models never stay in the dev server's memory. `ready()` resolves
when it is done; the server holds invocations until then, so no handler sees a bucket that does not exist yet.
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
from devserver.aws.json_api import AwsJsonClient
from devserver.aws.provision_child import ProvisioningChild, ProvisionJob, provision_in_child
from devserver.errors import StartError
from devserver.runtime.invocation import Invoker
from devserver.state.running_server import EmulatorEndpoint
from devserver.terminal import Terminal
from devserver.triggers.deliveries import TriggerDelivery
from devserver.triggers.delivery_log import printed_deliveries
from devserver.triggers.s3_notifications import Delivery, NotificationDispatcher
from devserver.triggers.sources import EventSources
from emulator.process import EmulatorProcess, EmulatorStartError

__all__ = ["GUARD_MIDDLEWARE", "LocalAws"]

GUARD_MIDDLEWARE = "emulator.s3.guard:s3_request_guard"
"""Checks presigned URLs, POST policies and bucket CORS as S3 does, in front of moto (which checks none)."""
IAM_MIDDLEWARE = "emulator.iam.guard:iam_guard"
"""Checks each function's requests against what it binds and its `permissions`."""
EXECUTE_API_MIDDLEWARE = "emulator.iam.execute_api:execute_api_authorizer"
"""Answers the gateway's `iam` authorizer; outermost, so its path never reaches the S3 guard."""


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
        )
        self.dispatcher = NotificationDispatcher(invoke, on_delivery=printed_deliveries(terminal, on_delivery))
        self.sources = EventSources(invoke, on_delivery=printed_deliveries(terminal, on_trigger_delivery))
        self.enforce_iam = enforce_iam
        self._function_keys: dict[str, tuple[str, str]] = {}
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
        self._provisioning = asyncio.create_task(self._boot(app, secrets))

    async def ready(self) -> None:
        await self._ready.wait()

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    async def _boot(self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]]) -> None:
        began = time.perf_counter()
        child: ProvisioningChild | None = None
        try:
            child = await ProvisioningChild.start()  # its imports run while the emulator starts
            await asyncio.to_thread(self.emulator.wait_ready)
            await self.apply(app, secrets, child)
            await self.sources.configure(app, self._api_client())
            self.terminal.info(
                f"Emulator     {self.emulator.endpoint} ready in {(time.perf_counter() - began) * 1000:.0f} ms"
            )
        except Exception as error:  # the routes keep serving; AWS calls from handlers will fail and say why
            self.terminal.warning(f"the emulator could not start or take the app's resources: {error}")
        finally:
            if child is not None:
                await child.close()
            self._ready.set()

    async def apply(
        self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]], child: ProvisioningChild | None = None
    ) -> None:
        """Create the app's buckets, tables, SSM parameters and function users (idempotent; in `child`, or one
        started now) and use its notification rules."""
        self.dispatcher.configure(app.buckets)
        policies = (
            {function.name: function_policy(app, function) for function in app.all_functions()}
            if self.enforce_iam
            else None
        )
        job = ProvisionJob(
            self.endpoint,
            buckets=app.buckets,
            tables=app.tables,
            queues=app.queues,
            topics=app.topics,
            event_buses=app.event_buses,
            parameters={**bound_parameters(app), **secrets},
            policies=policies,
            keys=self._function_keys,
        )
        self._function_keys = await (child or await ProvisioningChild.start()).run(job)
        if self.is_ready:  # a config reload (at start, `_boot` configures the sources once the emulator is ready)
            await self.sources.configure(app, self._api_client())

    def credentials_for(self, function_name: str) -> dict[str, str]:
        """The function's own access key (its stand-in execution role), or nothing when IAM is not enforced."""
        key = self._function_keys.get(function_name)
        if key is None:
            return {}
        return {"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]}

    async def update_secrets(self, present: Mapping[str, tuple[str, bool]], absent: list[str]) -> None:
        """Put the secrets' current values into SSM and delete the parameters of removed ones."""
        await provision_in_child(ProvisionJob(self.endpoint, parameters=present, deleted_parameters=absent))

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
