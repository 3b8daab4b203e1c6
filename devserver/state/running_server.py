"""Find the `sst-dev start` serving an app and stage, through `.sst/dev.json`, and talk to it.

How it works: `start` writes `dev.json` (pid, console URL, emulator endpoint and credentials, resources) when it
is ready and removes it on a clean stop. A server that was killed leaves the file behind, and its pid may be
reused, so `find_running_server` trusts the file only when the pid is alive *and* `GET {console}api/health`
answers with the same app, stage and pid. Other commands (`bind`, `secrets`) then use its emulator and tell it
what changed over plain HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devserver.app.loader import AppConfigError, load_app
from devserver.app.model import AppSpec, frozen_mapping
from devserver.errors import UserError
from devserver.state.files import dev_file

if TYPE_CHECKING:
    import boto3.session
    from botocore.client import BaseClient

__all__ = [
    "DEFAULT_API_PORT",
    "EmulatorEndpoint",
    "RunningServer",
    "find_running_server",
    "load_app_for_tools",
    "parse_dev_document",
    "process_running",
]

HTTP_TIMEOUT_SECONDS = 2.0
DEFAULT_API_PORT = 3000
"""Where `start` serves the first Api unless told otherwise; more Apis use the next ports."""

# Loopback only: a proxy configured in the environment (http_proxy) must not see these requests.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))

HealthProbe = Callable[[str], Mapping[str, Any] | None]
"""`url → the JSON answer of GET url`, or None when nothing answers: how a server's health is asked."""


@dataclass(frozen=True)
class EmulatorEndpoint:
    """Where the emulator answers and the account credentials clients outside functions use (`dev.json`)."""

    endpoint: str
    region: str
    access_key_id: str = "test"
    secret_access_key: str = "test"

    def environment(self) -> dict[str, str]:
        """The variables that point unmodified boto3 code at the emulator (botocore reads `AWS_ENDPOINT_URL`)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }

    def dev_document(self) -> dict[str, object]:
        """The `emulator` section of `.sst/dev.json` (what `parse_dev_document` reads back)."""
        return {
            "endpoint": self.endpoint,
            "region": self.region,
            "credentials": {"accessKeyId": self.access_key_id, "secretAccessKey": self.secret_access_key},
        }

    def client(self, service: str, session: boto3.session.Session | None = None) -> BaseClient:
        """A boto3 client for `service` on the emulator, with the account's credentials (from `session`, or a new
        one)."""
        import boto3.session

        client: BaseClient = (session or boto3.session.Session()).client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )
        return client


@dataclass(frozen=True)
class RunningServer:
    """A live `sst-dev start`, as its `dev.json` describes it."""

    app: str
    stage: str
    pid: int
    console_url: str
    emulator: EmulatorEndpoint | None = None
    api_urls: Mapping[str, str] = field(default_factory=frozen_mapping)
    resources: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)

    def notify_secrets_changed(self, names: Sequence[str]) -> bool:
        """Tell the server these secrets changed, so it retires the warm workers bound to them.

        Returns False if the server did not accept it (then a worker keeps its cached value until it is recycled).
        """
        body = json.dumps({"names": list(names)}).encode()
        request = urllib.request.Request(
            f"{self.console_url}api/secrets/changed",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with _LOCAL.open(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                return 200 <= response.status < 300
        except (OSError, urllib.error.URLError):
            return False


def parse_dev_document(document: object) -> RunningServer | None:
    """The server a `dev.json` document describes, or None if it is not one (an old or foreign file)."""
    if not isinstance(document, dict):
        return None
    try:
        console_url = str(document["console"]["url"])
        server = RunningServer(
            app=str(document["app"]),
            stage=str(document["stage"]),
            pid=int(document["pid"]),
            console_url=console_url if console_url.endswith("/") else console_url + "/",
            api_urls={str(k): str(v["url"]) for k, v in document.get("api", {}).items()},
            resources=document.get("resources", {}),
            emulator=_emulator(document.get("emulator")),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return server


def _emulator(section: object) -> EmulatorEndpoint | None:
    if not isinstance(section, dict):
        return None
    credentials = section.get("credentials") or {}
    return EmulatorEndpoint(
        endpoint=str(section["endpoint"]),
        region=str(section["region"]),
        access_key_id=str(credentials.get("accessKeyId", "test")),
        secret_access_key=str(credentials.get("secretAccessKey", "test")),
    )


def find_running_server(
    app_dir: Path,
    stage: str,
    *,
    app_name: str | None = None,
    probe: HealthProbe | None = None,
    pid_alive: Callable[[int], bool] | None = None,
) -> RunningServer | None:
    """The live server of `app_dir` for `stage` (and `app_name`, when given), or None.

    `probe` and `pid_alive` default to a real HTTP GET and `kill(pid, 0)`; tests may pass their own.
    """
    try:
        server = parse_dev_document(json.loads(dev_file(app_dir.resolve()).read_text()))
    except (OSError, ValueError):
        return None
    if server is None or server.stage != stage or (app_name is not None and server.app != app_name):
        return None
    if not (pid_alive or process_running)(server.pid):
        return None
    health = (probe or _get_json)(f"{server.console_url}api/health")
    if not health or health.get("status") != "ok":
        return None
    if (health.get("app"), health.get("stage"), health.get("pid")) != (server.app, server.stage, server.pid):
        return None  # another server now owns that port
    return server


def process_running(pid: int) -> bool:
    """Whether a process `pid` exists (`kill(pid, 0)`), whoever owns it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def _get_json(url: str) -> Mapping[str, Any] | None:
    try:
        with _LOCAL.open(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return answer if isinstance(answer, dict) else None


def load_app_for_tools(app_dir: Path, stage: str) -> AppSpec:
    """Load the app as commands other than `start` see it (`bind`, `secrets`, `types`).

    An Api's URL is the one in `dev.json` when a server wrote it, else where `start` would serve it by default
    (port 3000, then 3001, ... in declaration order). A bad config becomes a one-line `UserError`.
    """
    try:
        served = parse_dev_document(json.loads(dev_file(app_dir.resolve()).read_text()))
    except (OSError, ValueError):
        served = None
    known = dict(served.api_urls) if served is not None and served.stage == stage else {}
    assigned: dict[str, str] = {}

    def api_url(api_id: str) -> str:
        if api_id not in assigned:
            assigned[api_id] = known.get(api_id) or f"http://127.0.0.1:{DEFAULT_API_PORT + len(assigned)}"
        return assigned[api_id]

    try:
        return load_app(app_dir, stage=stage, api_url=api_url)
    except AppConfigError as error:
        raise UserError(str(error)) from None
