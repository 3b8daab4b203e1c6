"""One emulator per state folder: an exclusive `flock` on `<state_dir>/s3/.lock`, held for the emulator's life.

How it works: `EmulatorProcess` takes the lock before it spawns the emulator and hands the locked descriptor to the
child, which keeps it open until it exits (the lock belongs to the open file, so it survives the parent closing its
copy and disappears with the child, even after `kill -9`). A second emulator, or `sst-dev reset`, on the same folder
then fails at once with a one-line reason instead of two processes writing the same files.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["S3_FOLDER", "StateDirError", "lock_state_dir", "s3_root"]

S3_FOLDER = "s3"


class StateDirError(Exception):
    """The state folder cannot be used; `code` is stable and the message is one line naming the folder."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def s3_root(state_dir: Path) -> Path:
    """Where the emulator's buckets and objects live inside a state folder."""
    return state_dir / S3_FOLDER


def lock_state_dir(state_dir: Path) -> int:
    """Create the folder if needed and lock it; returns the locked descriptor (inheritable, for the child)."""
    root = s3_root(state_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise StateDirError(
            "Emulator.StateNotWritable", f"cannot write the state folder {state_dir}: {error.strerror}"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StateDirError(
            "Emulator.StateInUse", f"the state folder {state_dir} is in use by another running emulator"
        ) from None
    if not os.access(root, os.W_OK):
        os.close(fd)
        raise StateDirError("Emulator.StateNotWritable", f"cannot write the state folder {state_dir}")
    return fd
