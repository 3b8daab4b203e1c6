"""The environment a function's worker process starts with: nothing of the server's but a few basics.

Lambda gives a function only its own variables plus the ones the runtime reserves, so one function never sees
another's configuration or the developer's shell secrets. We build the same picture, in this order (later wins):

1. basics a process needs: `PATH` and `HOME` from the server, `TMPDIR` if set, `LANG=C.UTF-8` (Lambda's
   `en_US.UTF-8` is often not generated locally; C.UTF-8 always is) and `TZ=:UTC` (Lambda's value, so date code
   behaves as deployed);
2. the pool's `base_environment` (the emulator endpoint and credentials every function gets);
3. the function's own `environment` (user variables and bindings);
4. the variables Lambda reserves and users cannot override (`AWS_LAMBDA_*`, `LAMBDA_TASK_ROOT`, `_HANDLER`, ...),
   with `AWS_REGION`/`AWS_DEFAULT_REGION` filled in only when nothing above set them, and sst-dev's own
   `PYTHONBREAKPOINT` unless the function sets one.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from devserver.app.model import FunctionSpec

__all__ = ["BREAKPOINT_HOOK", "DEFAULT_REGION", "EXECUTION_ENV", "log_stream_name", "worker_environment"]

BREAKPOINT_HOOK = "devserver.runtime.worker_pdb.breakpointhook"

DEFAULT_REGION = "us-east-1"
EXECUTION_ENV = f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}"
"""What `AWS_EXECUTION_ENV` says on the managed runtime of the same Python version."""

_INHERITED = ("PATH", "HOME", "TMPDIR")
_DEVSERVER_ROOT = str(Path(__file__).resolve().parents[2])


def log_stream_name(now: datetime, sandbox_id: str | None = None) -> str:
    """`2024/05/01/[$LATEST]<32 hex>`: Lambda names one stream per execution environment like this."""
    return f"{now:%Y/%m/%d}/[$LATEST]{sandbox_id or uuid.uuid4().hex}"


def worker_environment(
    spec: FunctionSpec,
    *,
    base_environment: Mapping[str, str],
    server_environ: Mapping[str, str],
    log_stream: str,
) -> dict[str, str]:
    """Every variable a worker of `spec` starts with (see the module docstring for the layering)."""
    env = {name: server_environ[name] for name in _INHERITED if name in server_environ}
    env.update(LANG="C.UTF-8", TZ=":UTC")
    env.update(base_environment)
    env.update(spec.environment)
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    user_pythonpath = spec.environment.get("PYTHONPATH")
    env.update(
        AWS_REGION=env.get("AWS_REGION") or region,
        AWS_DEFAULT_REGION=env.get("AWS_DEFAULT_REGION") or region,
        AWS_LAMBDA_FUNCTION_NAME=spec.name,
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(spec.memory_size),
        AWS_LAMBDA_LOG_GROUP_NAME=f"/aws/lambda/{spec.name}",
        AWS_LAMBDA_LOG_STREAM_NAME=log_stream,
        AWS_EXECUTION_ENV=EXECUTION_ENV,
        LAMBDA_TASK_ROOT=str(spec.app_dir),
        LAMBDA_RUNTIME_DIR=_DEVSERVER_ROOT,
        _HANDLER=spec.handler,
        # The task root comes first on sys.path because the worker starts with it as its working directory
        # (`python -m` puts the cwd first); PYTHONPATH only adds where sst-dev itself is installed.
        PYTHONPATH=os.pathsep.join(filter(None, [_DEVSERVER_ROOT, user_pythonpath])),
        # Lambda's runtime flushes every write; the pool relies on it to tie each line to its request.
        PYTHONUNBUFFERED="1",
        # No __pycache__ written into the app: the file watcher would see it, and a same-second, same-size edit
        # could be shadowed by a stale .pyc.
        PYTHONDONTWRITEBYTECODE="1",
        # `breakpoint()` opens pdb on the dev server's terminal, or warns and goes on when there is none; the
        # default hook would read EOF from the worker's /dev/null stdin and fail the request with BdbQuit.
        PYTHONBREAKPOINT=spec.environment.get("PYTHONBREAKPOINT", BREAKPOINT_HOOK),
    )
    return env
