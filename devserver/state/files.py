"""The files an app gets under `.sst/`: `outputs.json` (SST's shape) and `dev.json` (how tools find a running server).

Both are written atomically (temporary file, fsync, rename), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from devserver.app.model import AppSpec

__all__ = [
    "DEV_FILE",
    "OUTPUTS_FILE",
    "dev_file",
    "emulator_state_dir",
    "outputs_document",
    "remove_dev_file",
    "state_dir",
    "write_json",
]

OUTPUTS_FILE = "outputs.json"
DEV_FILE = "dev.json"


def state_dir(app_dir: Path) -> Path:
    return app_dir / ".sst"


def emulator_state_dir(app_dir: Path, stage: str) -> Path:
    """`<app>/.sst/state/emulator/<stage>/`: where a stage's emulator keeps its data (beside `state/secrets/`)."""
    return state_dir(app_dir) / "state" / "emulator" / stage


def dev_file(app_dir: Path) -> Path:
    return state_dir(app_dir) / DEV_FILE


def outputs_document(app: AppSpec) -> dict[str, dict[str, str]]:
    """`{"<stage>-<app>-<StackName>": {"<OutputKey>": "<value>"}}`, as `sst deploy --outputs-file` writes it."""
    return {f"{app.stage}-{app.name}-{stack.name}": dict(stack.outputs) for stack in app.stacks}


def write_json(path: Path, document: Mapping[str, object], *, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(document, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_dev_file(app_dir: Path, pid: int) -> None:
    """Remove `dev.json` on a clean stop, unless another server (another pid) has written it since."""
    path = dev_file(app_dir)
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass
