"""A stand-in AWS account for `--cloud` tests: moto's server in its own process, with its own credentials, reached
only through `AWS_ENDPOINT_URL` (as boto3 reads it), so the code under test runs exactly as against AWS."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

_SERVER = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""


@dataclass(frozen=True)
class StandInAccount:
    endpoint: str
    region: str = "us-east-1"
    access_key_id: str = "AKIASTANDINACCOUNT01"
    secret_access_key: str = "stand-in-account-secret"

    def environment(self, home: Path) -> dict[str, str]:
        """What a process needs to reach this account through the standard chain, and nothing of the developer's:
        `home` holds no AWS config, so only these variables count."""
        kept = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        return kept | {
            "HOME": str(home),
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
        }

    def client(self, service: str) -> Any:
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


@contextmanager
def stand_in_account(*, unauthenticated_actions: int | None = None) -> Iterator[StandInAccount]:
    """The account; with `unauthenticated_actions=N` it enforces IAM after its first N requests (moto's
    `INITIAL_NO_AUTH_ACTION_COUNT`), so a test can make a user first and then be refused as that user."""
    env = dict(os.environ)
    if unauthenticated_actions is not None:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(unauthenticated_actions)
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None
        yield StandInAccount(f"http://127.0.0.1:{int(child.stdout.readline())}")
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)
