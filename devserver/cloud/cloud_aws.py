"""The dev server's AWS with `--cloud`: the app's resources in the account, its handlers local.

It offers the dev server what `devserver.aws.local_aws.LocalAws` does, without an emulator: `start(app)` creates or
updates the app's resources in the account (`cloud.provision`; a foreign bucket or notification configuration stops
the start with its line), then long-polls the stage's notification queue (`cloud.event_poller`) and hands each S3
event to the same dispatcher as offline, so handlers get the same event shapes, retries and terminal lines.
Functions reach the account through the standard credential chain: they get the server's `AWS_*` variables (profile,
keys, session token, config files, `AWS_ENDPOINT_URL`) and the app's region, and `HOME`, where `~/.aws` lives.

Not yet delivered with `--cloud` (the resources exist in the account, their triggers do not run; the start says
so): queue consumers, topic subscribers, event bus rules, table stream consumers and cron jobs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from devserver.app.binding import bound_parameters
from devserver.app.model import AppSpec
from devserver.cloud.account import CloudAccount
from devserver.cloud.aws_errors import explain
from devserver.cloud.event_poller import BucketEventPoller
from devserver.cloud.provision import CloudResources, provision_cloud
from devserver.errors import StartError, UserError
from devserver.runtime.invocation import Invoker
from devserver.terminal import Terminal
from devserver.triggers.deliveries import TriggerDelivery
from devserver.triggers.delivery_log import printed_deliveries
from devserver.triggers.s3_notifications import Delivery, NotificationDispatcher
from devserver.triggers.sources import EventSources

__all__ = ["CloudAws", "CloudEndpoint", "untriggered_sources"]


@dataclass(frozen=True)
class CloudEndpoint:
    """The account as functions and `dev.json` see it."""

    account: str
    region: str

    def environment(self) -> dict[str, str]:
        """What the credential chain reads, from the server's environment, with the app's region."""
        chain = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
        return chain | {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}

    def dev_document(self) -> None:
        """No emulator: `dev.json` says `"emulator": null` and names the account under `cloud`."""
        return None


def untriggered_sources(app: AppSpec) -> list[str]:
    """The app's triggers that `--cloud` does not deliver yet, as `Queue "jobs" consumer` lines."""
    found = [f'Queue "{queue.id}" consumer' for queue in app.queues if queue.consumer is not None]
    found += [f'Topic "{topic.id}" subscribers' for topic in app.topics if topic.subscribers]
    found += [f'EventBus "{bus.id}" rules' for bus in app.event_buses if bus.rules]
    found += [f'Table "{table.id}" stream consumers' for table in app.tables if table.consumers]
    found += [f'Cron "{cron.id}"' for cron in app.crons]
    return found


class CloudAws:
    def __init__(
        self,
        *,
        account: CloudAccount,
        account_id: str,
        region: str,
        invoke: Invoker,
        terminal: Terminal,
        on_delivery: Callable[[Delivery], None] | None = None,
        on_trigger_delivery: Callable[[TriggerDelivery], None] | None = None,
    ) -> None:
        self.terminal = terminal
        self.account = account
        self.endpoint = CloudEndpoint(account_id, region)
        self.dispatcher = NotificationDispatcher(invoke, on_delivery=printed_deliveries(terminal, on_delivery))
        self.sources = EventSources(invoke, on_delivery=on_trigger_delivery)  # not configured: see the docstring
        self._ready = asyncio.Event()
        self._poller: BucketEventPoller | None = None

    def spawn(self) -> None:
        """Nothing to start ahead: the account is already there."""

    def client(self, service: str) -> Any:
        return self.account.client(service)

    def dev_document(self) -> dict[str, str]:
        """The `cloud` section of `.sst/dev.json`: the account and region the app's resources are in."""
        return {"account": self.endpoint.account, "region": self.endpoint.region}

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    async def ready(self) -> None:
        await self._ready.wait()

    async def invocable(self) -> None:
        """Functions run once the account holds the app (their credentials come from its provisioning)."""
        await self._ready.wait()

    async def start(self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]]) -> None:
        """Create the app's resources in the account and start reading its bucket events; a refusal is a
        `StartError` naming the AWS error, the resource and what to do."""
        await self.dispatcher.start()
        await self.apply(app, secrets)
        self.terminal.info(f"AWS          account {self.endpoint.account}, region {self.endpoint.region} (--cloud)")
        untriggered = untriggered_sources(app)
        if untriggered:
            self.terminal.warning(f"--cloud does not run these triggers yet: {', '.join(untriggered)}")
        self._ready.set()

    async def apply(self, app: AppSpec, secrets: Mapping[str, tuple[str, bool]]) -> None:
        """Create or update the app's resources (idempotent) and use its notification rules."""
        self.dispatcher.configure(app.buckets)
        parameters = {**bound_parameters(app), **secrets}
        try:
            resources = await asyncio.to_thread(provision_cloud, self.account, app, parameters)
        except UserError as error:
            raise StartError(str(error)) from None
        except Exception as error:
            line = explain(error, f"the resources of {app.name} stage {app.stage!r}")
            if line is None:
                raise
            raise StartError(line) from None
        self._start_polling(resources)

    def _start_polling(self, resources: CloudResources) -> None:
        if self._poller is None:
            self._poller = BucketEventPoller(
                self.account.client("sqs"), resources.notification_queue_url, self.dispatcher.submit
            )
            self._poller.start()

    def credentials_for(self, function_name: str) -> dict[str, str]:
        """Nothing of its own: functions use the developer's credentials (see the module docstring)."""
        return {}

    async def update_secrets(self, present: Mapping[str, tuple[str, bool]], absent: list[str]) -> None:
        """Nothing to copy: with `--cloud` secret values are kept in the account's SSM itself."""

    async def aclose(self) -> None:
        if self._poller is not None:
            self._poller.close()
        await self.sources.aclose()
        await self.dispatcher.aclose()
