"""An emulator as `sst-dev start` runs it, for S3 conformance tests: every middleware in front of moto, durable state.

One emulator per test module; each test makes its own bucket (`bucket` fixture) so tests do not see each other's
objects. boto3 retries are off, so a 500 or a throttle is seen as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.config import Config

from devserver.aws.local_aws import EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE
from emulator.process import EmulatorProcess

NO_RETRIES = Config(signature_version="s3v4", retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state_dir: Path = tmp_path_factory.mktemp("state")
    middleware = [EXECUTE_API_MIDDLEWARE, GUARD_MIDDLEWARE, IAM_MIDDLEWARE]
    with EmulatorProcess(middleware=middleware, state_dir=state_dir) as process:
        yield process


@pytest.fixture(scope="module")
def s3(emulator: EmulatorProcess) -> BaseClient:
    """boto3's S3 client with the account's credentials, signing with SigV4, no retries."""
    return emulator.client("s3", NO_RETRIES)


@pytest.fixture
def bucket(s3: BaseClient) -> str:
    """A new, empty bucket of the test's own."""
    name = f"conformance-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def restart(tmp_path: Path) -> Iterator[Callable[[], BaseClient]]:
    """Starts an emulator on a state folder of the test's own, stopping the one before: `restart()` returns a client
    of the emulator now running, so a test can write, restart, and read what was persisted."""
    running: list[EmulatorProcess] = []

    def start() -> BaseClient:
        while running:
            running.pop().stop()
        running.append(EmulatorProcess(state_dir=tmp_path / "state"))
        running[0].start()
        return running[0].client("s3", NO_RETRIES)

    yield start
    for process in running:
        process.stop()
