"""`sst-dev reset` empties a stage's persisted emulator data and secrets, only when confirmed and not while in use."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from devserver.commands.reset import run
from devserver.errors import UserError
from devserver.state.files import emulator_state_dir
from devserver.state.secrets import SecretsStore
from emulator.process import EmulatorProcess


def stage_with_data(app_dir: Path) -> Path:
    state_dir = emulator_state_dir(app_dir, "dev")
    emulator = EmulatorProcess(state_dir=state_dir)
    emulator.start()
    try:
        s3 = emulator.client("s3")
        s3.create_bucket(Bucket="files")
        s3.put_object(Bucket="files", Key="a.txt", Body=b"a")
        sqs = emulator.client("sqs")
        sqs.send_message(QueueUrl=sqs.create_queue(QueueName="jobs")["QueueUrl"], MessageBody="queued")
    finally:
        emulator.stop()
    SecretsStore(app_dir, "dev").set({"STRIPE_KEY": "sk"})
    SecretsStore(app_dir, "dev").set({"STRIPE_KEY": "fallback"}, fallback=True)
    return state_dir


def reset_args(app_dir: Path, *, yes: bool) -> argparse.Namespace:
    return argparse.Namespace(app=app_dir, stage="dev", yes=yes)


def resources_after_restart(state_dir: Path) -> list[str]:
    """The buckets and queues an emulator on `state_dir` starts with."""
    emulator = EmulatorProcess(state_dir=state_dir)
    emulator.start()
    try:
        buckets = [bucket["Name"] for bucket in emulator.client("s3").list_buckets()["Buckets"]]
        queues = [url.rsplit("/", 1)[1] for url in emulator.client("sqs").list_queues().get("QueueUrls", [])]
        return buckets + queues
    finally:
        emulator.stop()


def test_a_confirmed_reset_empties_the_stage_but_keeps_fallback_secrets(tmp_path: Path) -> None:
    state_dir = stage_with_data(tmp_path)
    questions: list[str] = []

    def confirm(question: str) -> bool:
        questions.append(question)
        return True

    assert run(reset_args(tmp_path, yes=False), confirm=confirm) == 0

    assert questions and "'dev'" in questions[0]
    assert resources_after_restart(state_dir) == []
    assert SecretsStore(tmp_path, "dev").values() == {}
    assert SecretsStore(tmp_path, "dev").values(fallback=True) == {"STRIPE_KEY": "fallback"}


def test_a_declined_reset_deletes_nothing(tmp_path: Path) -> None:
    state_dir = stage_with_data(tmp_path)

    assert run(reset_args(tmp_path, yes=False), confirm=lambda _: False) == 1

    assert resources_after_restart(state_dir) == ["files", "jobs"]
    assert SecretsStore(tmp_path, "dev").values() == {"STRIPE_KEY": "sk"}


def test_reset_refuses_without_yes_when_stdin_is_not_a_terminal(tmp_path: Path) -> None:
    stage_with_data(tmp_path)

    refused = subprocess.run(
        [sys.executable, "-m", "devserver.cli", "reset", "--app", str(tmp_path), "--stage", "dev"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    accepted = subprocess.run(
        [sys.executable, "-m", "devserver.cli", "reset", "--app", str(tmp_path), "--stage", "dev", "--yes"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )

    assert refused.returncode == 1 and "--yes" in refused.stderr and refused.stderr.count("\n") == 1
    assert accepted.returncode == 0, accepted.stderr
    assert SecretsStore(tmp_path, "dev").values() == {}


def test_reset_refuses_while_an_emulator_uses_the_stage(tmp_path: Path) -> None:
    state_dir = stage_with_data(tmp_path)
    emulator = EmulatorProcess(state_dir=state_dir)
    emulator.start()
    try:
        with pytest.raises(UserError, match="stop `sst-dev start`"):
            run(reset_args(tmp_path, yes=True))
        assert [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]] == ["files"]
    finally:
        emulator.stop()


def test_a_stage_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        run(argparse.Namespace(app=tmp_path, stage="../../elsewhere", yes=True))
