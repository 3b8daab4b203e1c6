"""Object bodies as files: a handle per body (`BodyFile`) and a lazy, sliceable view for streaming (`BodyRange`).

How it works: a body lives in exactly one file at a time and moves, never copies, through three places: staged (in
the store's `tmp/`, being written or waiting for its request to finish), committed (under its version's final name,
see `emulator.store.paths`), and retired (renamed back into `tmp/` when the version is overwritten or deleted).
Renames happen under the handle's lock, and readers open the current path under the same lock, so a reader always
finds the file; an open file stays readable whatever happens to its name afterwards. A handle that is garbage
(moto dropped the version and no reader holds a `BodyRange`) unlinks its file unless it is committed: that is the
only place a body's file is deleted at run time. No file is held open between reads, so the number of objects is not
limited by the process's file-descriptor limit.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["CHUNK_SIZE", "BodyFile", "BodyRange"]

CHUNK_SIZE = 1024 * 1024
"""Bodies are read and copied in pieces of this size, so no request holds more of a body in memory."""


class _Place:
    """Where a body's file is; shared with the handle's finalizer, which must not hold the handle itself."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.committed = False
        self.lock = threading.Lock()


def _release(place: _Place) -> None:
    with place.lock:
        if not place.committed:
            place.path.unlink(missing_ok=True)


class BodyFile:
    """The `size` bytes at the start of one file. `seq` and `trailer` describe the committed version, if any."""

    def __init__(self, path: Path, size: int) -> None:
        self.size = size
        self.seq: int | None = None
        self.trailer: bytes | None = None
        self._place = _Place(path)
        weakref.finalize(self, _release, self._place)

    @classmethod
    def on_disk(cls, path: Path, size: int, seq: int, trailer: bytes) -> BodyFile:
        """The body of a version committed before this process started."""
        body = cls(path, size)
        body._place.committed = True
        body.seq, body.trailer = seq, trailer
        return body

    def __deepcopy__(self, memo: dict[int, object]) -> BodyFile:
        return self  # a body never changes once written: copies of a version share it

    @property
    def path(self) -> Path:
        return self._place.path

    @property
    def committed(self) -> bool:
        return self._place.committed

    def move(self, destination: Path, *, committed: bool) -> None:
        """Rename the file to `destination` (same file system); `committed` says whether it is a version's now."""
        with self._place.lock:
            os.replace(self._place.path, destination)
            self._place.path = destination
            self._place.committed = committed

    def open(self) -> BinaryIO:
        with self._place.lock:
            return open(self._place.path, "rb")  # noqa: SIM115 - the caller closes it

    def read(self) -> bytes:
        """The whole body; for moto's own uses of a value (small objects, or a copy's checksum)."""
        with self.open() as file:
            data = file.read(self.size)
        if len(data) != self.size:
            raise OSError(f"{self.path} holds {len(data)} of {self.size} bytes")
        return data

    def chunks(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """The body from `start` to `stop`, in pieces of at most `CHUNK_SIZE` bytes, reading the file once."""
        stop = self.size if stop is None else stop
        with self.open() as file:
            file.seek(start)
            remaining = stop - start
            while remaining > 0:
                chunk = file.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    raise OSError(f"{self.path} ended {remaining} bytes early")
                remaining -= len(chunk)
                yield chunk


class BodyRange:
    """Bytes `start`..`stop` of a body, read only when iterated: what a GetObject response carries instead of bytes.

    It offers what moto's response path does with a body — `len()`, truth, slicing for a `Range` request — and what
    a WSGI server does with a response — iteration in chunks and `close()`. Holding one keeps the body's file.
    """

    def __init__(self, body: BodyFile, start: int, stop: int) -> None:
        self.body = body
        self.start = start
        self.stop = stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, item: slice) -> BodyRange:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("a body range only takes contiguous slices")
        start, stop, _ = item.indices(len(self))
        return BodyRange(self.body, self.start + start, self.start + max(start, stop))

    def __iter__(self) -> Iterator[bytes]:
        return self.body.chunks(self.start, self.stop)

    def __bytes__(self) -> bytes:
        return b"".join(self)

    def close(self) -> None:
        """Nothing to release: the file is opened only while iterating. (WSGI servers call this.)"""
