"""The app's resources are created in the emulator by a short-lived child: `python -m devserver.aws.provision_child`.

Why: boto3 clients for S3, SSM, IAM and DynamoDB load their service models into the process that creates them —
measured, ~37 MB, of which ~29 MB stayed resident after the clients were gone (the freed objects leave pymalloc's
arenas fragmented, and `malloc_trim` gave back 4 MB). The dev server provisions only at start, on a config reload
and when secrets change, so it hands each of those jobs to a child that exits when done and keeps none of that
memory. The child's start-up (~0.5 s, mostly importing boto3) is paid while the dev server serves on; at start it
overlaps the emulator's own (`ProvisioningChild`).

How: `provision_in_child(job)` pickles a `ProvisionJob` to the child's stdin and unpickles the functions' access
keys from its stdout (the pipes join this process to a child it started itself, so pickle carries the app model's
objects as they are; their read-only mappings arrive as plain dicts). A failed call makes the child exit
non-zero with one line on stderr, raised here as `ProvisionError`. Cancelling the job kills the child.
"""

from __future__ import annotations

import asyncio
import copyreg
import io
import pickle
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from devserver.app.model import BucketSpec, EventBusSpec, QueueSpec, TableSpec, TopicSpec
from devserver.aws.provision import (
    create_buckets,
    create_event_buses,
    create_queues,
    create_tables,
    create_topics,
    delete_parameters,
    put_function_users,
    put_parameters,
)
from devserver.state.running_server import EmulatorEndpoint

if TYPE_CHECKING:
    import boto3.session
    from botocore.client import BaseClient

__all__ = ["ProvisionError", "ProvisionJob", "ProvisioningChild", "provision_in_child"]


class ProvisionError(Exception):
    """The child could not create the resources; the message is its one-line reason."""


@dataclass(frozen=True)
class ProvisionJob:
    """What to create in the emulator at `emulator`; everything is idempotent (see `devserver.aws.provision`)."""

    emulator: EmulatorEndpoint
    buckets: Sequence[BucketSpec] = ()
    tables: Sequence[TableSpec] = ()
    queues: Sequence[QueueSpec] = ()
    topics: Sequence[TopicSpec] = ()
    event_buses: Sequence[EventBusSpec] = ()
    parameters: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    """SSM parameters to hold these values: `name → (value, secure)`."""
    deleted_parameters: Sequence[str] = ()
    policies: Mapping[str, Mapping[str, object]] | None = None
    """Each function's IAM policy, given to its stand-in user (`put_function_users`); None leaves IAM alone."""
    keys: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """The functions' access keys from the previous job, kept rather than issued again."""


class ProvisioningChild:
    """One `python -m devserver.aws.provision_child`, for one job. Start it ahead of the job (`start()`), so its imports
    run while the caller still waits for the emulator; `run(job)` then does it. The child is killed if the job is
    cancelled or never given (`close()`)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls) -> ProvisioningChild:
        pipe = asyncio.subprocess.PIPE
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, stdin=pipe, stdout=pipe, stderr=pipe
        )
        return cls(process)

    async def run(self, job: ProvisionJob) -> dict[str, tuple[str, str]]:
        """Do `job`; returns every function's `(access key id, secret)`."""
        try:
            out, err = await self._process.communicate(_pickled(job))
        finally:
            await self.close()
        if self._process.returncode != 0:
            lines = err.decode(errors="replace").strip().splitlines()
            status = self._process.returncode
            raise ProvisionError(lines[-1] if lines else f"the provisioning process exited with status {status}")
        keys: dict[str, tuple[str, str]] = pickle.loads(out)
        return keys

    async def close(self) -> None:
        if self._process.returncode is None:
            self._process.kill()
            await self._process.wait()


async def provision_in_child(job: ProvisionJob) -> dict[str, tuple[str, str]]:
    """Run `job` in a child started for it."""
    child = await ProvisioningChild.start()
    return await child.run(job)


def _pickled(job: ProvisionJob) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _reduce_read_only_mapping}
    pickler.dump(job)
    return buffer.getvalue()


def _reduce_read_only_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[type, tuple[dict[Any, Any]]]:
    return dict, (dict(mapping),)


def provision(job: ProvisionJob, session: boto3.session.Session) -> dict[str, tuple[str, str]]:
    """Do `job` with clients from `session` (in the child); only the services it needs get one."""

    def client(service: str) -> BaseClient:
        return job.emulator.client(service, session)

    if job.buckets:
        create_buckets(client("s3"), job.buckets)
    if job.tables:
        create_tables(client("dynamodb"), job.tables)
    if job.queues:
        create_queues(client("sqs"), job.queues)
    if job.topics:
        create_topics(client("sns"), job.topics)
    if job.event_buses:
        create_event_buses(client("events"), job.event_buses)
    if job.parameters or job.deleted_parameters:
        ssm = client("ssm")
        put_parameters(ssm, job.parameters)
        delete_parameters(ssm, job.deleted_parameters)
    if job.policies is None:
        return dict(job.keys)
    return put_function_users(client("iam"), job.policies, job.keys)


def main() -> int:
    import boto3.session  # in the child only, and before the job arrives: the dev server never loads boto3 for this

    try:
        session = boto3.session.Session()
        job: ProvisionJob = pickle.load(sys.stdin.buffer)
        keys = provision(job, session)
    except (BotoCoreError, ClientError) as error:
        print(error, file=sys.stderr)
        return 1
    pickle.dump(keys, sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
