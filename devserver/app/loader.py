"""Load an app's `sst.config.py`: run it, then resolve its constructs into the frozen `devserver.app.model.AppSpec`.

Every problem becomes one `AppConfigError` whose message names the file and the construct, route or handler at
fault. The user's config is executed in this process (with the app folder importable, and the app's own modules
re-read on every load); resolving is `devserver.app.resolve`, which never imports handler modules.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from devserver.app.constructs import (
    App,
    ConstructError,
)
from devserver.app.model import (
    AppSpec,
)
from devserver.app.naming import ACCOUNT_ID
from devserver.app.notification_rules import NotificationConfigurationError
from devserver.app.resolve import resolve_app
from devserver.app.route_key import RouteKeyError
from devserver.errors import StartError

__all__ = ["CONFIG_FILE", "AppConfigError", "load_app"]

CONFIG_FILE = "sst.config.py"
_APP_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


class AppConfigError(Exception):
    """The app file could not be loaded; the message is one line naming the file and what to fix."""


def load_app(app_dir: Path, *, stage: str, api_url: Callable[[str], str], account: str = ACCOUNT_ID) -> AppSpec:
    """Execute `app_dir/sst.config.py` for `stage` and return the resolved app.

    `api_url(api_id)` gives the URL an `Api` is served at; the server binds its listener when first asked.
    `account` is the AWS account the app's queue URLs and ARNs name (the emulator's unless `--cloud`).
    """
    app_dir = app_dir.resolve()
    config_path = app_dir / CONFIG_FILE
    if not app_dir.is_dir():
        raise AppConfigError(f"app folder {app_dir} does not exist (pass --app DIR)")
    if not config_path.is_file():
        raise AppConfigError(f"{app_dir} has no {CONFIG_FILE} (pass --app DIR pointing at your app folder)")
    try:
        with _importable(app_dir):
            app = _define(_execute(config_path, app_dir), config_path, stage, api_url, account)
            sources = frozenset({config_path, *_loaded_from(app_dir).values()})
        return replace(resolve_app(app, app_dir), config_sources=sources)
    except (ConstructError, RouteKeyError, NotificationConfigurationError) as error:
        raise AppConfigError(f"{config_path}: {error}") from None
    except (AppConfigError, StartError):
        raise  # StartError: the server could not bind a port an `api.url` asked for.
    except Exception as error:
        raise AppConfigError(
            f"{config_path}{_user_line(error, config_path)}: {type(error).__name__}: {error}"
        ) from None


def _user_line(error: BaseException, config_path: Path) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == config_path]
    if isinstance(error, SyntaxError) and error.lineno:
        return f":{error.lineno}"
    return f":{frames[-1].lineno}" if frames else ""


@contextlib.contextmanager
def _importable(app_dir: Path) -> Iterator[None]:
    """The app folder on `sys.path` while the config and the stack modules it imports run."""
    sys.path.insert(0, str(app_dir))
    try:
        yield
    finally:
        sys.path.remove(str(app_dir))


def _execute(config_path: Path, app_dir: Path) -> ModuleType:
    # Modules the config imports from the app folder (stacks split into files) must be re-read on every load,
    # or a reload would keep serving the stale ones.
    for name in _loaded_from(app_dir):
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location("sst_config", config_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _loaded_from(app_dir: Path) -> dict[str, Path]:
    """The loaded modules whose files are in `app_dir`, by name, with their real paths."""
    found = {}
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and (path := _real_path(origin)).is_relative_to(app_dir):
            found[name] = path
    return found


@functools.lru_cache(maxsize=8192)
def _real_path(origin: str) -> Path:
    """A module file's real path, resolved once per process: every load and reload checks all the server's loaded
    modules (several hundred) twice, and resolving their paths each time cost more than running the config."""
    return Path(os.path.realpath(origin))


def _define(module: ModuleType, config_path: Path, stage: str, api_url: Callable[[str], str], account: str) -> App:
    config = getattr(module, "config", None)
    stacks = getattr(module, "stacks", None)
    if not callable(config) or not callable(stacks):
        raise AppConfigError(f"{config_path}: must define config(input) and stacks(app)")
    settings = config({"stage": stage})
    if not isinstance(settings, Mapping) or not isinstance(settings.get("name"), str):
        raise AppConfigError(f'{config_path}: config() must return {{"name": ..., "region": ...}}')
    name = settings["name"]
    if not _APP_NAME.match(name):
        raise AppConfigError(f'{config_path}: app name "{name}" must start with a letter and use only A-Z a-z 0-9 -')
    region = settings.get("region", "us-east-1")
    app = App(name=name, region=str(region), stage=stage, api_url=api_url, account=account)
    stacks(app)
    return app
