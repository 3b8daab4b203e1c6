"""The source watcher on real folders: what a save reports, how fast, what it ignores, and that closing is prompt."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devserver.reload.watcher import DEBOUNCE_MS, SourceWatcher

pytestmark = pytest.mark.anyio


class Batches:
    """The batches a watcher reported, with a way to wait for the next one."""

    def __init__(self) -> None:
        self.seen: list[set[Path]] = []
        self._arrived = asyncio.Event()

    async def __call__(self, changed: set[Path]) -> None:
        self.seen.append(changed)
        self._arrived.set()

    async def next(self, timeout: float = 5.0) -> set[Path]:
        await asyncio.wait_for(self._arrived.wait(), timeout)
        self._arrived.clear()
        return self.seen[-1]

    async def reported(self, paths: set[Path], timeout: float = 5.0) -> bool:
        """Whether a batch of exactly `paths` arrives within `timeout` (earlier batches included)."""
        deadline = time.monotonic() + timeout
        while paths not in self.seen and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return paths in self.seen

    async def none_within(self, seconds: float) -> bool:
        """No new batch for `seconds`."""
        count = len(self.seen)
        await asyncio.sleep(seconds)
        return len(self.seen) == count


@pytest.fixture
async def watched(tmp_path: Path) -> AsyncIterator[tuple[Path, SourceWatcher, Batches]]:
    app = tmp_path / "app"
    (app / "functions").mkdir(parents=True)
    (app / "functions" / "hello.py").write_text("A = 1\n")
    batches = Batches()
    watcher = SourceWatcher([app], batches)
    watcher.start()
    yield app.resolve(), watcher, batches
    await watcher.aclose()


async def test_a_save_is_reported_once_as_its_real_path_within_tens_of_milliseconds(
    watched: tuple[Path, SourceWatcher, Batches],
) -> None:
    app, _, batches = watched
    started = time.monotonic()
    (app / "functions" / "hello.py").write_text("A = 2\n")
    assert await batches.next() == {app / "functions" / "hello.py"}
    assert time.monotonic() - started < 0.5
    assert await batches.none_within(0.1), "the write and the close made one batch"


async def test_an_editors_atomic_save_is_seen(watched: tuple[Path, SourceWatcher, Batches]) -> None:
    app, _, batches = watched
    (app / "functions" / ".hello.py.swp").write_text("A = 3\n")
    os.replace(app / "functions" / ".hello.py.swp", app / "functions" / "hello.py")
    assert app / "functions" / "hello.py" in await batches.next()


async def test_ignored_folders_and_files_report_nothing(watched: tuple[Path, SourceWatcher, Batches]) -> None:
    app, _, batches = watched
    (app / ".sst" / "state").mkdir(parents=True)
    (app / ".sst" / "state" / "data.json").write_text("{}")
    (app / "functions" / "__pycache__").mkdir()
    (app / "functions" / "__pycache__" / "hello.cpython-311.pyc").write_bytes(b"")
    (app / "functions" / "notes.tmp").write_text("")
    assert await batches.none_within(0.2)


async def test_an_app_inside_a_folder_named_like_an_ignored_one_still_reloads(tmp_path: Path) -> None:
    app = tmp_path / ".sst" / "bench" / "app"  # where the benchmarks keep their apps
    (app / "functions").mkdir(parents=True)
    batches = Batches()
    watcher = SourceWatcher([app], batches)
    watcher.start()
    try:
        await asyncio.sleep(0.1)
        (app / "functions" / "hello.py").write_text("A = 1\n")
        assert await batches.next() == {app.resolve() / "functions" / "hello.py"}
    finally:
        await watcher.aclose()


async def test_folders_outside_the_app_are_added_and_symlinked_ones_reported_by_their_real_path(
    watched: tuple[Path, SourceWatcher, Batches], tmp_path: Path
) -> None:
    app, watcher, batches = watched
    outside = tmp_path.resolve() / "outside" / "shared_lib"
    outside.mkdir(parents=True)
    (outside / "extra.py").write_text("EXTRA = 1\n")
    os.symlink(outside, app / "shared_lib")
    watcher.watch([app / "shared_lib" / "extra.py"])
    await asyncio.sleep(0.3)  # the new folder's watch starts
    assert watcher.roots == sorted([app, outside]), "the folder a worker imported from, by its real path"
    (outside / "extra.py").write_text("EXTRA = 2\n")
    assert await batches.reported({outside / "extra.py"})

    elsewhere = tmp_path.resolve() / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "util.py").write_text("")
    watcher.watch([elsewhere / "util.py"])
    assert watcher.roots == sorted([app, outside, elsewhere])
    await asyncio.sleep(0.3)
    (elsewhere / "util.py").write_text("U = 1\n")
    assert await batches.reported({elsewhere / "util.py"})


async def test_a_folder_that_keeps_changing_is_reported_in_bounded_batches(
    watched: tuple[Path, SourceWatcher, Batches],
) -> None:
    app, _, batches = watched
    started = time.monotonic()
    while not batches.seen and time.monotonic() - started < 2:
        (app / "functions" / "hello.py").write_text(f"A = {time.monotonic()}\n")
        await asyncio.sleep(0.002)
    assert batches.seen, "a batch ends DEBOUNCE_MS after its first change, however busy the folder"
    assert time.monotonic() - started < DEBOUNCE_MS / 1000 + 0.5


async def test_closing_is_prompt(tmp_path: Path) -> None:
    batches = Batches()
    watcher = SourceWatcher([tmp_path], batches)
    watcher.start()
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await watcher.aclose()
    assert time.monotonic() - started < 0.2
    (tmp_path / "late.py").write_text("")
    assert await batches.none_within(0.1)
