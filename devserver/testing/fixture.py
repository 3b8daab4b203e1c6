"""What the `emulator` pytest fixture gives a test: the app running locally, with its resources, as one object.

```python
def test_upload_makes_a_thumbnail(emulator):
    emulator.s3.put_object(Bucket=Bucket.myFiles.bucketName, Key="uploads/a.png", Body=png)
    [delivery] = emulator.notifications.wait(count=1, timeout=5)
    assert delivery.invocation.result == {"thumbnails": ["thumbnails/a.png"]}
```

`Emulator` is a thin layer over a `TestSession` (the dev server on a background thread, reset before every test):
boto3 clients on the emulator, an httpx client per Api, a WebSocket client per connection to a WebSocketApi
(`devserver.testing.websocket`), direct invocation, event factories, S3 notification
deliveries, the other event sources' deliveries (`deliveries`: queues, topics, buses, cron jobs, streams) and secrets
for tests. A handler failure surfaces as `HandlerError`, whose message carries the
handler's error and traceback so pytest prints them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
from botocore.client import BaseClient
from botocore.credentials import Credentials

from devserver import resources
from devserver.apigw.websocket.connections import Connection
from devserver.app.invoke_target import find_target
from devserver.app.model import AppSpec
from devserver.runtime.invocation import Invocation, LambdaError
from devserver.state.secrets import SecretValueError, check_secret_name
from devserver.testing.session import TestSession
from devserver.testing.signing import SigV4
from devserver.testing.websocket import WebSocketClient, open_websocket
from devserver.triggers.deliveries import TriggerDelivery
from devserver.triggers.invoke_events import AppEvents
from devserver.triggers.s3_notifications import Delivery

__all__ = ["Deliveries", "Emulator", "HandlerError", "Notifications", "TestSecrets"]

HTTP_TIMEOUT_SECONDS = 30.0


class HandlerError(Exception):
    """A function failed: `error` is what the Lambda runtime reported, `invocation` the whole outcome.

    The message holds the function, the error type and message, the handler's traceback and its log lines.
    """

    code = "Handler.Failed"

    def __init__(self, function_name: str, invocation: Invocation) -> None:
        error = invocation.error
        assert error is not None
        super().__init__(_describe_failure(function_name, error, invocation.logs))
        self.error: LambdaError = error
        self.invocation = invocation


def _describe_failure(function_name: str, error: LambdaError, logs: Sequence[str]) -> str:
    lines = [f"{function_name} failed with {error.error_type}: {error.error_message}"]
    if error.stack_trace:
        lines += ["", "Handler traceback (most recent call last):"]
        lines += [frame.rstrip("\n") for frame in error.stack_trace]
    if logs:
        lines += ["", "Function logs:", *(line.rstrip("\n") for line in logs)]
    return "\n".join(lines)


D = TypeVar("D", Delivery, TriggerDelivery)


def _checked(deliveries: list[D], raise_errors: bool) -> list[D]:
    if raise_errors:
        for delivery in deliveries:
            if not delivery.ok:
                raise HandlerError(delivery.function_name, delivery.invocation)
    return deliveries


class Notifications:
    """The app's S3 notification deliveries, as a test sees them."""

    def __init__(self, session: TestSession) -> None:
        self._session = session

    def wait(self, count: int = 1, timeout: float = 5.0, *, raise_errors: bool = True) -> list[Delivery]:
        """The next `count` deliveries to finish since the test started (or the last `wait`), in finishing order.

        Each `Delivery` has the function's outcome in `.invocation` (`.result`, `.error`, `.logs`). A delivery
        that failed every attempt raises `HandlerError` with its traceback, unless `raise_errors=False`.
        Raises `TimeoutError` saying how many finished if fewer than `count` do within `timeout` seconds.
        """
        return _checked(self._session.dispatcher.wait_blocking(count, timeout), raise_errors)


class Deliveries:
    """The deliveries of queues, topics, event buses, cron jobs and table streams, as a test sees them."""

    def __init__(self, session: TestSession) -> None:
        self._session = session

    def wait(self, count: int = 1, timeout: float = 5.0, *, raise_errors: bool = True) -> list[TriggerDelivery]:
        """The next `count` deliveries of any of these sources to finish since the test started (or the last
        `wait`), in finishing order. A queue or stream batch is one delivery per attempt; a publish, event or job
        is one after its retries. Each has `.source`, `.detail`, `.event` and the outcome in `.invocation`. A failed
        one raises `HandlerError` with its traceback, unless `raise_errors=False`.
        """
        return _checked(self._session.server.aws.sources.deliveries.log.wait_blocking(count, timeout), raise_errors)

    def fire_cron(self, cron_id: str) -> None:
        """Run a `Cron`'s job now with its scheduled event, as its schedule would; `deliveries.wait()` sees it."""
        sources = self._session.server.aws.sources
        self._session.call(lambda: sources.fire_cron(cron_id))


class TestSecrets:
    """`Config.Secret` values for tests: set in the emulator's SSM only, never in the stored secrets on disk.

    Every test starts with the stage's stored values (`sst-dev secrets set ... --stage test`, or the fallback).
    """

    __test__ = False

    def __init__(self, session: TestSession) -> None:
        self._session = session

    def set(self, name: str, value: str) -> None:
        """Give the secret `name` this value; functions bound to it (and this process) see it from now on."""
        check_secret_name(name)
        if not value:
            raise SecretValueError(name)
        ssm = self._session.client("ssm")
        ssm.put_parameter(Name=self._session.secret_parameter(name), Value=value, Type="SecureString", Overwrite=True)
        self._changed(name)

    def remove(self, name: str) -> None:
        """Unset the stage's value of `name` (a fallback value, if stored, still applies)."""
        ssm = self._session.client("ssm")
        ssm.delete_parameters(Names=[self._session.secret_parameter(check_secret_name(name))])
        self._changed(name)

    def _changed(self, name: str) -> None:
        self._session.retire_secret_workers({name})
        resources.forget_cached_secrets()


class Emulator:
    """The app under test: its AWS resources, its Apis and its functions. See the module docstring."""

    def __init__(self, session: TestSession) -> None:
        self._session = session
        self._http: dict[str, httpx.Client] = {}
        self._signed: list[httpx.Client] = []
        self._websockets: list[WebSocketClient] = []
        self.events = AppEvents(session.app, api_url=session.server.api_url)
        """Event factories: `events.http(method, path, ...)`, `events.s3_put(bucket, key, body=...)`."""
        self.notifications = Notifications(session)
        self.deliveries = Deliveries(session)
        self.secrets = TestSecrets(session)

    @property
    def app(self) -> AppSpec:
        """The app as loaded from its `sst.config.py` (stage `test`)."""
        return self._session.app

    @property
    def endpoint(self) -> str:
        """The emulator's endpoint URL (every service)."""
        return self._session.server.emulator.endpoint

    def client(self, service: str) -> BaseClient:
        """A boto3 client for `service` on the emulator, with the account's credentials (full access)."""
        return self._session.client(service)

    @property
    def s3(self) -> Any:
        """`client("s3")`, signing with SigV4 as production does."""
        return self.client("s3")

    @property
    def ssm(self) -> Any:
        return self.client("ssm")

    @property
    def http(self) -> httpx.Client:
        """An httpx client whose base URL is the app's first Api (`emulator.http.get("/files")`)."""
        return self.api(self._first_api_id())

    def _first_api_id(self) -> str:
        apis = self.app.apis
        if not apis:
            raise LookupError("the app declares no Api")
        return apis[0].id

    def api(self, api_id: str) -> httpx.Client:
        """An httpx client whose base URL is the Api `api_id`."""
        if api_id not in {api.id for api in self.app.apis}:
            raise LookupError(f"the app has no Api {api_id!r} ({', '.join(api.id for api in self.app.apis)})")
        if api_id not in self._http:
            url = self._session.server.api_url(api_id)
            self._http[api_id] = httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_SECONDS)
        return self._http[api_id]

    def signed(self, credentials: Credentials | None = None, *, api_id: str | None = None) -> httpx.Client:
        """An httpx client on an Api (the first by default) that SigV4-signs every request, for routes with the
        `iam` authorizer. Signs with `credentials` (e.g. a user's, from their Auth's `credentials` endpoint), or the
        emulator account's, which pass as the account root. Closed with the fixture."""
        url = self.api(api_id or self._first_api_id()).base_url
        endpoint = self._session.server.local_aws.endpoint
        signer = credentials or Credentials(endpoint.access_key_id, endpoint.secret_access_key)
        client = httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_SECONDS, auth=SigV4(signer, region=self.app.region))
        self._signed.append(client)
        return client

    def websocket(
        self,
        api_id: str | None = None,
        *,
        query: Mapping[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> WebSocketClient:
        """A new connection to the WebSocketApi `api_id` (the app's first by default), after its `$connect` accepted
        it; `query` and `headers` reach `$connect`'s event. Closed at the end of the test if still open."""
        ids = [api.id for api in self.app.websocket_apis]
        if not ids or (api_id is not None and api_id not in ids):
            raise LookupError(f"the app has no WebSocketApi {api_id or ''!r} ({', '.join(ids) or 'it declares none'})")
        chosen = api_id or ids[0]
        url = str(self.app.resources["WebSocketApi"][chosen]["url"]) + (f"?{urlencode(query)}" if query else "")
        server, session = self._session.server, self._session

        def find(peer: tuple[str, int]) -> Connection | None:
            return session.call(lambda: server.websocket_gateway(chosen).connections.from_peer(peer))

        def wait_finished(connection: Connection, timeout: float) -> None:
            session.run(asyncio.wait_for(connection.finished.wait(), timeout))

        client = open_websocket(chosen, url, find_connection=find, wait_finished=wait_finished, headers=headers)
        self._websockets.append(client)
        return client

    def invocation(self, function: str, event: object = None) -> Invocation:
        """Run `event` through `function` (a handler string, route key or function name) and return the outcome.

        With no event, the function gets a default one for its trigger (a request to its route, a write its
        notification matches, or `{}`).
        """
        target = find_target(self.app, function)
        payload = self.events.for_target(target) if event is None else event
        return self._session.run(self._session.server.invoke(target.function, payload))

    def invoke(self, function: str, event: object = None) -> Any:
        """`invocation(...)`'s result; raises `HandlerError` (with the handler's traceback) if the handler failed."""
        outcome = self.invocation(function, event)
        if outcome.error is not None:
            raise HandlerError(outcome.function_name, outcome)
        return outcome.result

    def output(self) -> str:
        """Everything the dev server printed so far (requests, function logs, errors)."""
        return self._session.output.getvalue()

    def close(self) -> None:
        self._close_websockets()
        for client in [*self._http.values(), *self._signed]:
            client.close()
        self._http.clear()
        self._signed.clear()

    def _close_websockets(self) -> None:
        for client in self._websockets:
            client.close()
        self._websockets.clear()

    def reset(self) -> None:
        """Start a test: empty buckets, the app's parameters and secrets as at start, no pending deliveries, no
        WebSocket connection of an earlier test."""
        self._close_websockets()
        self._session.reset()
        for client in self._http.values():
            client.cookies.clear()
        resources.forget_cached_secrets()
