"""Build small apps in a temporary folder for tests: an `sst.config.py` body plus handler files."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_APP = REPO / "sample_app"

CONFIG_HEADER = """\
from devserver.constructs import Api, Bucket, Config, Cron, EventBus, Function, Queue, Table, Topic, WebSocketApi


def config(_input):
    return {"name": "test-app", "region": "us-east-1"}


def stacks(app):
    app.stack(Main)


"""

HELLO = """\
def main(event, context):
    return {"hello": "world"}
"""


def make_app(root: Path, stack_body: str, files: dict[str, str] | None = None) -> Path:
    """Write an app whose `Main(stack)` function has `stack_body`; `files` maps relative paths to sources."""
    root.mkdir(parents=True, exist_ok=True)
    body = textwrap.indent(textwrap.dedent(stack_body).strip(), "    ")
    (root / "sst.config.py").write_text(CONFIG_HEADER + "def Main(stack):\n" + body + "\n")
    for relative, source in (files or {"functions/hello.py": HELLO}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def copy_fixture_app(name: str, root: Path) -> Path:
    """A private copy of `tests/fixtures/<name>/` under `root`, as `root/app`."""
    return Path(shutil.copytree(REPO / "tests" / "fixtures" / name, root / "app"))


def copy_sample_app(destination: Path) -> Path:
    """A private copy of `sample_app/` that a test may edit."""
    return Path(shutil.copytree(SAMPLE_APP, destination, ignore=shutil.ignore_patterns(".sst", "__pycache__")))
