"""Fuzzed object keys through the real emulator: no 5xx from our code, exact round trips, no file outside the state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.process import EmulatorProcess

# Keys S3 accepts and its XML listings can carry: any unicode but control characters and lone surrogates.
keys = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=200).filter(
    lambda key: len(key.encode()) <= 1024
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def s3(workspace: Path) -> Iterator[BaseClient]:
    emulator = EmulatorProcess(state_dir=workspace / "state")
    emulator.start()
    client = emulator.client("s3")
    client.create_bucket(Bucket="fuzz")
    yield client
    emulator.stop()


def status_of(call: object) -> int:
    try:
        response = call() if callable(call) else call
    except ClientError as error:
        return int(error.response["ResponseMetadata"]["HTTPStatusCode"])
    return int(response["ResponseMetadata"]["HTTPStatusCode"])  # type: ignore[index]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=keys, body=st.binary(max_size=256))
def test_any_key_round_trips_without_a_server_error(s3: BaseClient, workspace: Path, key: str, body: bytes) -> None:
    assert status_of(lambda: s3.put_object(Bucket="fuzz", Key=key, Body=body)) == 200
    assert s3.get_object(Bucket="fuzz", Key=key)["Body"].read() == body
    assert key in [obj["Key"] for obj in s3.list_objects_v2(Bucket="fuzz", Prefix=key)["Contents"]]
    assert status_of(lambda: s3.head_object(Bucket="fuzz", Key=key + "/missing")) == 404
    assert status_of(lambda: s3.delete_object(Bucket="fuzz", Key=key)) == 204
    written = [path for path in workspace.rglob("*") if path.is_file()]
    assert all(path.is_relative_to(workspace / "state") for path in written)
