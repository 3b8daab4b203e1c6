"""One dev server for a whole pytest session, on a background thread, and the reset that runs before every test.

How it works: `TestSession.start()` starts a `DevServer` (ephemeral loopback ports, no file watching) on a thread
that runs its own asyncio loop, and waits until the emulator holds the app's resources. Synchronous test code
reaches the server's coroutines with `run()` (`asyncio.run_coroutine_threadsafe`) and the emulator directly
with boto3. While the session runs, the test process's environment has the app's resources bound (`SST_*`
variables as `sst-dev bind` sets them, plus the emulator's endpoint, region and credentials), so
`devserver.resources` and unmodified boto3 code in test code reach the emulator; `close()` restores it.

`reset()` (before every test) puts the emulator back to the app's starting state:
1. notification rules off, and the deliveries the previous test left running finished (they may still write);
2. every object, version and delete marker of the app's buckets deleted;
3. a barrier write to a bucket of the session's own, then a wait until the dispatcher has routed as many events
   as were caused since step 1 (the deletions and the barrier): the emulator reports events in order through one
   pipe, so the deletions are routed while the rules are off and no `object_removed` handler of the app runs for
   them. (Events the previous test caused and that are still in the pipe at step 1 are dropped too; they count
   towards the wait, so in theory the wait can end up to that many events early. The pipe is read within
   microseconds and steps 1-2 take milliseconds, so this needs a reader stalled for longer than the whole reset.)
4. rules back on; the app's SSM parameters (bound values and the stage's stored secrets) put back as they were
   at start, extra parameters under the app's `/sst/{app}/` path deleted, and the warm workers of functions bound
   to a secret that changed retired; `dispatcher.mark()` so `wait()` counts from the new test.
5. once no trigger delivery is under way, every queue and table deleted and created again (empty, and a deleted
   table writes no stream record), and the stream consumers' held records dropped; trigger deliveries marked.
Steps 1 and 3 only run for apps with bucket notifications, step 5 for apps with queues or tables.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from botocore.client import BaseClient

from devserver.app.binding import SECRET_PROP, SECRET_TYPE, all_bindings_environment, bound_parameters, ssm_path
from devserver.app.model import AppSpec
from devserver.aws.provision import create_queues, create_tables, put_parameters
from devserver.errors import UserError
from devserver.server import DevServer, ServerOptions
from devserver.terminal import Terminal
from devserver.testing.background import BackgroundServer, ServerStartTimeout
from devserver.triggers.s3_notifications import NotificationDispatcher

__all__ = ["DEFAULT_TEST_STAGE", "BARRIER_BUCKET", "TestSession", "TestSessionError", "parameter_changes"]

T = TypeVar("T")

DEFAULT_TEST_STAGE = "test"
"""The stage the fixture runs the app in: secrets stored with `sst-dev secrets set --stage test` (or the fallback)
are the tests' starting values, and nothing of a developer's own stage is touched."""
BARRIER_BUCKET = "sst-dev-pytest-barrier"
START_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.0005
ROUTING_TIMEOUT_SECONDS = 10.0

Parameters = Mapping[str, tuple[str, bool]]
"""SSM parameters as `{name: (value, secure)}`."""


class TestSessionError(UserError):
    """The session cannot start or cannot reset the emulator; the message says why."""

    code = "Testing.Session"


def parameter_changes(expected: Parameters, actual: Mapping[str, str]) -> tuple[dict[str, tuple[str, bool]], list[str]]:
    """What to put (missing or changed values) and what to delete (names not expected) to get back `expected`."""
    to_put = {name: spec for name, spec in expected.items() if actual.get(name) != spec[0]}
    to_delete = sorted(name for name in actual if name not in expected)
    return to_put, to_delete


def _secret_name(path: str) -> str | None:
    """`STRIPE_KEY` for `/sst/{app}/{stage or .fallback}/Secret/STRIPE_KEY/value`, else None."""
    parts = path.split("/")
    return parts[5] if len(parts) == 7 and parts[4] == SECRET_TYPE and parts[6] == SECRET_PROP else None


class TestSession:
    """A `DevServer` for tests: start once, `reset()` before each test, `close()` at the end."""

    __test__ = False  # not a test class, whatever pytest's name patterns say

    def __init__(self, app_dir: Path, *, stage: str = DEFAULT_TEST_STAGE, output: io.StringIO | None = None) -> None:
        self.output = output if output is not None else io.StringIO()
        self.server = DevServer(
            ServerOptions(app_dir=app_dir, stage=stage, port=0, watch=False, publish=False, persist=False),
            terminal=Terminal(self.output),
        )
        self._background = BackgroundServer(self.server, name="sst-dev-test-server")
        self._saved_environment: dict[str, str] | None = None
        self._clients: dict[str, BaseClient] = {}
        self._initial_parameters: dict[str, tuple[str, bool]] = {}

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and bind the app's resources into this process's environment."""
        began = time.monotonic()
        try:
            self._background.start(START_TIMEOUT_SECONDS)
            self.run(self.server.aws.ready(), timeout=START_TIMEOUT_SECONDS - (time.monotonic() - began))
        except ServerStartTimeout:
            raise TestSessionError(f"the dev server did not start within {START_TIMEOUT_SECONDS:g} s") from None
        except TimeoutError:
            raise TestSessionError(f"the emulator did not take the app within {START_TIMEOUT_SECONDS:g} s") from None
        except Exception as error:
            raise TestSessionError(str(error)) from error
        app = self.app
        self._initial_parameters = bound_parameters(app) | self.server.secrets.parameters(app.name)
        if self.notifying:
            self.client("s3").create_bucket(Bucket=BARRIER_BUCKET)
        self._saved_environment = dict(os.environ)
        os.environ.update(all_bindings_environment(app) | self.server.aws.endpoint.environment())

    def close(self) -> None:
        """Stop the server and give the environment back as it was."""
        if self._saved_environment is not None:
            os.environ.clear()
            os.environ.update(self._saved_environment)
            self._saved_environment = None
        self._background.stop(30)

    # -- access ----------------------------------------------------------------------------------------------------

    @property
    def app(self) -> AppSpec:
        return self.server.app

    @property
    def dispatcher(self) -> NotificationDispatcher:
        return self.server.aws.dispatcher

    @property
    def notifying(self) -> bool:
        """Whether any bucket of the app has notifications."""
        return any(bucket.notifications for bucket in self.app.buckets)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coroutine` on the server's loop and wait for its result."""
        return self._background.run(coroutine, timeout)

    def call(self, function: Callable[[], T]) -> T:
        """Call `function` on the server's loop (for objects that belong to it) and return its result."""
        return self._background.call(function)

    def client(self, service: str) -> BaseClient:
        """A boto3 client for the emulator with its account credentials, made once per service."""
        if service not in self._clients:
            self._clients[service] = self.server.emulator.client(service)
        return self._clients[service]

    def secret_parameter(self, name: str) -> str:
        app = self.app
        return ssm_path(app.name, app.stage, SECRET_TYPE, name, SECRET_PROP)

    def retire_secret_workers(self, names: set[str]) -> None:
        """Retire the warm workers of functions bound to any of `names`, so they read the new values."""
        bound = {f"{SECRET_TYPE}.{name}" for name in names}
        pool = self.server.pool
        self.call(lambda: pool.retire(lambda spec: not bound.isdisjoint(spec.bind)))

    # -- reset -----------------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the app's buckets, restore its parameters, forget finished deliveries (see the module doc)."""
        app, dispatcher = self.app, self.dispatcher
        if self.notifying:
            dispatcher.configure(())
            try:
                self._wait_for_deliveries(dispatcher)
                routed = dispatcher.unmatched
                removed = sum(self._empty(bucket.name) for bucket in app.buckets)
                self.client("s3").put_object(Bucket=BARRIER_BUCKET, Key="barrier", Body=b"")
                self._wait_until(
                    lambda: dispatcher.unmatched >= routed + removed + 1,
                    ROUTING_TIMEOUT_SECONDS,
                    "the emulator's events for the reset's own deletions",
                )
            finally:
                dispatcher.configure(app.buckets)
        else:
            for bucket in app.buckets:
                self._empty(bucket.name)
        self._restore_parameters()
        self._recreate_queues_and_tables()
        dispatcher.mark()
        self.server.aws.sources.deliveries.log.mark()

    def _recreate_queues_and_tables(self) -> None:
        """Empty queues and tables: each is deleted and created again, which writes no stream record."""
        app, sources = self.app, self.server.aws.sources
        if not app.queues and not app.tables:
            return
        longest = max((f.timeout for f in app.all_functions()), default=1.0)
        self._wait_until(lambda: sources.deliveries.in_flight == 0, 3 * longest + 2, "trigger deliveries still running")
        sqs, dynamodb = self.client("sqs"), self.client("dynamodb")
        for queue in app.queues:
            sqs.delete_queue(QueueUrl=queue.url)
        for table in app.tables:
            dynamodb.delete_table(TableName=table.name)
        create_queues(sqs, app.queues)
        create_tables(dynamodb, app.tables)
        self.run(sources.drop_pending())

    def _wait_for_deliveries(self, dispatcher: NotificationDispatcher) -> None:
        # A delivery makes at most three attempts, each bounded by its function's timeout.
        longest = max(n.function.timeout for b in self.app.buckets for n in b.notifications)
        limit = 3 * longest + 2
        self._wait_until(lambda: dispatcher.in_flight == 0, limit, "notification deliveries still running")

    @staticmethod
    def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TestSessionError(f"reset: waited {timeout:g} s for {what}")
            time.sleep(POLL_SECONDS)

    def _empty(self, bucket: str) -> int:
        """Delete every version and delete marker in `bucket`; returns how many were deleted (one event each)."""
        s3 = self.client("s3")
        deleted = 0
        while True:
            listing = s3.list_object_versions(Bucket=bucket)
            entries = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
            if not entries:
                return deleted
            # Objects of an unversioned bucket list with the version id "null"; they are deleted by key alone.
            objects = [
                {"Key": entry["Key"]}
                if entry["VersionId"] == "null"
                else {"Key": entry["Key"], "VersionId": entry["VersionId"]}
                for entry in entries
            ]
            for start in range(0, len(objects), 1000):  # DeleteObjects takes at most 1000 keys
                answer = s3.delete_objects(
                    Bucket=bucket, Delete={"Objects": objects[start : start + 1000], "Quiet": True}
                )
                deleted += len(objects[start : start + 1000]) - len(answer.get("Errors", []))

    def _restore_parameters(self) -> None:
        ssm, app = self.client("ssm"), self.app
        actual: dict[str, str] = {}
        for page in ssm.get_paginator("get_parameters_by_path").paginate(
            Path=f"/sst/{app.name}/", Recursive=True, WithDecryption=True
        ):
            actual.update({parameter["Name"]: parameter["Value"] for parameter in page["Parameters"]})
        to_put, to_delete = parameter_changes(self._initial_parameters, actual)
        if to_put:
            put_parameters(ssm, to_put)
        for start in range(0, len(to_delete), 10):  # DeleteParameters takes at most 10 names
            ssm.delete_parameters(Names=to_delete[start : start + 10])
        changed = {_secret_name(name) for name in [*to_put, *to_delete]} - {None}
        if changed:
            self.retire_secret_workers({name for name in changed if name is not None})
