"""The AWS CLI (`awscli` from PyPI, unmodified) against the emulator endpoint, configured as `sst-dev bind` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devserver.aws.local_aws import GUARD_MIDDLEWARE
from devserver.aws.provision import put_parameters
from devserver.state.running_server import EmulatorEndpoint
from emulator.process import EmulatorProcess

AWS = Path(sys.executable).parent / "aws"
BUCKET = "cli-bucket"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    assert AWS.exists(), f"the AWS CLI is not installed at {AWS}: pip install awscli (the dev extra has it)"
    with EmulatorProcess(middleware=[GUARD_MIDDLEWARE]) as process:
        process.client("s3").create_bucket(Bucket=BUCKET)
        yield process


def aws(emulator: EmulatorProcess, *args: str, config: Path | None = None) -> str:
    """Run `aws ARGS` with the environment `sst-dev bind` gives a command; returns stdout, fails on an error."""
    credentials = emulator.credentials
    endpoint = EmulatorEndpoint(
        emulator.endpoint, emulator.region, credentials.access_key_id, credentials.secret_access_key
    )
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **endpoint.environment()}
    if config is not None:
        environment["AWS_CONFIG_FILE"] = str(config)
    done = subprocess.run([str(AWS), *args], env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_s3_cp_uploads_and_downloads(emulator: EmulatorProcess, tmp_path: Path) -> None:
    source = tmp_path / "report.csv"
    source.write_bytes(b"a,b\n1,2\n")

    aws(emulator, "s3", "cp", str(source), f"s3://{BUCKET}/reports/report.csv")
    aws(emulator, "s3", "cp", f"s3://{BUCKET}/reports/report.csv", str(tmp_path / "copy.csv"))

    stored = emulator.client("s3").get_object(Bucket=BUCKET, Key="reports/report.csv")["Body"].read()
    assert stored == b"a,b\n1,2\n"
    assert (tmp_path / "copy.csv").read_bytes() == b"a,b\n1,2\n"


def test_s3_cp_of_a_large_file_completes_a_multipart_upload(emulator: EmulatorProcess, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(9 * 1024 * 1024))  # over the CLI's 8 MiB multipart threshold

    aws(emulator, "s3", "cp", str(source), f"s3://{BUCKET}/big.bin")

    head = emulator.client("s3").head_object(Bucket=BUCKET, Key="big.bin")
    assert head["ContentLength"] == 9 * 1024 * 1024
    assert head["ETag"].strip('"').endswith("-2")  # S3's ETag of a two-part upload


def test_s3_ls_lists_a_prefix(emulator: EmulatorProcess) -> None:
    s3 = emulator.client("s3")
    s3.put_object(Bucket=BUCKET, Key="listing/one.txt", Body=b"1")
    s3.put_object(Bucket=BUCKET, Key="listing/two.txt", Body=b"22")

    listing = aws(emulator, "s3", "ls", f"s3://{BUCKET}/listing/")

    assert [line.split()[-2:] for line in listing.splitlines()] == [["1", "one.txt"], ["2", "two.txt"]]


@pytest.mark.parametrize("signature_version", ["default", "s3v4"])
def test_s3_presign_gives_a_url_that_fetches_the_object(
    emulator: EmulatorProcess, tmp_path: Path, signature_version: str
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\n" + ("s3 =\n    signature_version = s3v4\n" if signature_version == "s3v4" else ""))
    emulator.client("s3").put_object(Bucket=BUCKET, Key="shared/photo.txt", Body=b"a photo")

    url = aws(emulator, "s3", "presign", f"s3://{BUCKET}/shared/photo.txt", "--expires-in", "60", config=config)
    fetched = httpx.get(url.strip())

    assert fetched.status_code == 200
    assert fetched.content == b"a photo"
    if signature_version == "s3v4":
        assert "X-Amz-Signature=" in url
        assert httpx.get(url.strip().replace("shared/photo.txt", "shared/other.txt")).status_code == 403


def test_ssm_get_parameters_by_path_reads_sst_parameters(emulator: EmulatorProcess) -> None:
    put_parameters(
        emulator.client("ssm"),
        {
            "/sst/cli-app/dev/Bucket/files/bucketName": ("dev-cli-app-files", False),
            "/sst/cli-app/dev/Secret/STRIPE_KEY/value": ("sk_test_123", True),
            "/sst/other-app/dev/Parameter/X/value": ("not this app", False),
        },
    )

    answer = json.loads(
        aws(
            emulator, "ssm", "get-parameters-by-path", "--path", "/sst/cli-app/dev/", "--recursive", "--with-decryption"
        )
    )

    assert {p["Name"]: (p["Type"], p["Value"]) for p in answer["Parameters"]} == {
        "/sst/cli-app/dev/Bucket/files/bucketName": ("String", "dev-cli-app-files"),
        "/sst/cli-app/dev/Secret/STRIPE_KEY/value": ("SecureString", "sk_test_123"),
    }
