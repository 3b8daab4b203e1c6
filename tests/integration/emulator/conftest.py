"""Fixtures shared by the emulator's integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.emulator_support import Restartable


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    handle = Restartable(tmp_path / "app" / ".sst" / "state" / "dev")
    yield handle
    handle.stop()
