"""The resources bound to this function, read the way SST's `sst/node` helpers read them.

```python
from devserver.resources import Api, Auth, Bucket, Config, EventBus, Function, Queue, Table, Topic, WebSocketApi

Bucket.myFiles.bucketName   # from SST_Bucket_bucketName_myFiles
Auth.auth.userPoolId        # also userPoolClientId, identityPoolId
Queue.jobs.queueUrl         # Topic.news.topicArn, EventBus.bus.eventBusName
WebSocketApi.chat.url       # ws://127.0.0.1:3001/<stage>
Config.STRIPE_KEY           # a secret: fetched from SSM on first access, then cached
Config.MY_CLUSTER_NAME      # a parameter: from SST_Parameter_value_MY_CLUSTER_NAME
Config.APP, Config.STAGE    # always there
```

How it works: every read looks at the process environment (`SST_{Type}_{prop}_{id}`), so it works wherever those
variables are set: in a function's worker, under `sst-dev bind`, in a test. A value of `__FETCH_FROM_SSM__` is a
secret: the first read of any secret fetches every secret this process has bound with batched `GetParameters`
calls (10 names each, as SSM allows, decrypted) from `SST_SSM_PREFIX`, then the missing ones from the app's
`.fallback` path, as SST does at a Lambda cold start; the values are cached for the life of the process.

Cheap to import and free of server code: the standard library only; boto3 is imported at the first secret fetch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from devserver.app.binding import SECRET_PLACEHOLDER, SECRET_PROP, SECRET_TYPE

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = [
    "Api",
    "Auth",
    "BoundResources",
    "Bucket",
    "Config",
    "ConfigValues",
    "Constructs",
    "EventBus",
    "Function",
    "ParameterStore",
    "Queue",
    "ResourceNotBoundError",
    "SSMParameterStore",
    "SecretsNotSetError",
    "Table",
    "Topic",
    "WebSocketApi",
    "forget_cached_secrets",
]

_GET_PARAMETERS_LIMIT = 10  # SSM's GetParameters accepts at most 10 names per call
_PARAMETER_TYPE = "Parameter"
_VALUE = SECRET_PROP  # both Config.Secret and Config.Parameter expose their value as `value`
_CONFIG_BUILTINS = {"APP": "SST_APP", "STAGE": "SST_STAGE"}


class ResourceNotBoundError(AttributeError):
    """A handler read a resource that is not bound to its function (SST's wording)."""

    code = "Resource.NotBound"

    def __init__(self, construct_type: str, name: str) -> None:
        super().__init__(f"Cannot use {construct_type}.{name}. Please make sure it is bound to this function.")
        self.construct_type = construct_type
        self.name = name


class SecretsNotSetError(RuntimeError):
    """Bound secrets have no value in the stage nor in the fallback; the message says how to set each."""

    code = "Secret.NotSet"

    def __init__(self, stage: str, names: Sequence[str]) -> None:
        commands = "".join(f"\nRun: sst-dev secrets set {name} <value> --stage {stage}" for name in names)
        listed = ", ".join(names)
        super().__init__(f'The following secret values are not set in the "{stage} stage": {listed}{commands}')
        self.stage = stage
        self.names = tuple(names)


class ParameterStore(Protocol):
    """Where secret values are read from: SSM's `GetParameters`, decrypted."""

    def get_parameters(self, names: Sequence[str]) -> dict[str, str]:
        """The values of those of `names` (at most 10) that exist, by name."""
        ...


class SSMParameterStore:
    """SSM through boto3, at the endpoint, region and credentials the environment names (the emulator's)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._client: BaseClient | None = None

    def get_parameters(self, names: Sequence[str]) -> dict[str, str]:
        if self._client is None:
            import boto3  # here, not at module import: most functions never read a secret

            env = self._environ
            self._client = boto3.session.Session().client(
                "ssm",
                endpoint_url=env.get("AWS_ENDPOINT_URL_SSM") or env.get("AWS_ENDPOINT_URL"),
                region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
                aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
                aws_session_token=env.get("AWS_SESSION_TOKEN"),
            )
        found = self._client.get_parameters(Names=list(names), WithDecryption=True)
        return {parameter["Name"]: parameter["Value"] for parameter in found["Parameters"]}


def _parse_variable(variable: str) -> tuple[str, str, str] | None:
    """`SST_Bucket_bucketName_myFiles` → `("Bucket", "bucketName", "myFiles")`; None for other variables."""
    parts = variable.split("_", 3)
    if len(parts) != 4 or parts[0] != "SST" or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]


class BoundResources:
    """The bound values of one environment, with its secrets fetched once from a `ParameterStore`.

    The module's `Bucket`, `Config`, ... read the process environment through one shared instance; tests and tools
    may build their own with another environment and store.
    """

    def __init__(self, environ: Mapping[str, str] | None = None, parameter_store: ParameterStore | None = None) -> None:
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        self._store = parameter_store
        self._secrets: dict[str, str] = {}
        self._lock = threading.Lock()

    def props(self, construct_type: str, construct_id: str) -> dict[str, str] | None:
        """The raw values `{prop: value}` bound for `Type.id` (secrets still as placeholders), or None if unbound."""
        wanted_id = construct_id.replace("-", "_")  # SST writes ids with `-` as `_` in variable names
        props = {}
        for variable, value in self._environ.items():
            parsed = _parse_variable(variable)
            if parsed and parsed[0] == construct_type and parsed[2] == wanted_id:
                props[parsed[1]] = value
        return props or None

    def resolve(self, construct_type: str, construct_id: str, prop: str, value: str) -> str:
        """`value` itself, or for a `__FETCH_FROM_SSM__` placeholder the secret's value from the parameter store."""
        if value != SECRET_PLACEHOLDER:
            return value
        variable = f"SST_{construct_type}_{prop}_{construct_id}"
        with self._lock:
            if variable not in self._secrets:
                self._fetch_secrets(variable)
            return self._secrets[variable]

    def forget_secrets(self) -> None:
        """Drop the cached secret values, so the next read fetches them again (a new cold start, in effect)."""
        with self._lock:
            self._secrets.clear()

    def environ_value(self, variable: str) -> str | None:
        return self._environ.get(variable)

    def _fetch_secrets(self, wanted: str) -> None:
        # Like SST's cold start: every placeholder of this process in one pass, so a function reading three
        # secrets makes one round of calls, not three.
        pending = {
            variable: parsed
            for variable, value in self._environ.items()
            if value == SECRET_PLACEHOLDER and variable not in self._secrets and (parsed := _parse_variable(variable))
        }
        prefix = self._environ.get("SST_SSM_PREFIX", "")
        app = self._environ.get("SST_APP", "")
        for paths in (
            {v: f"{prefix}{kind}/{cid}/{prop}" for v, (kind, prop, cid) in pending.items()},
            {v: f"/sst/{app}/.fallback/{kind}/{cid}/{prop}" for v, (kind, prop, cid) in pending.items()},
        ):
            found = self._get_parameters([paths[v] for v in pending if v not in self._secrets])
            self._secrets.update({v: found[path] for v, path in paths.items() if path in found})
        missing = sorted(parsed[2] for variable, parsed in pending.items() if variable not in self._secrets)
        if wanted not in self._secrets:
            raise SecretsNotSetError(self._environ.get("SST_STAGE", ""), missing)

    def _get_parameters(self, names: list[str]) -> dict[str, str]:
        if self._store is None:
            self._store = SSMParameterStore(self._environ)
        found: dict[str, str] = {}
        for start in range(0, len(names), _GET_PARAMETERS_LIMIT):
            found.update(self._store.get_parameters(names[start : start + _GET_PARAMETERS_LIMIT]))
        return found


class _BoundConstruct:
    """One bound construct, e.g. `Bucket.myFiles`: its props are attributes (`.bucketName`)."""

    __slots__ = ("_bound", "_id", "_props", "_type")

    def __init__(self, bound: BoundResources, construct_type: str, construct_id: str, props: dict[str, str]) -> None:
        self._bound = bound
        self._type = construct_type
        self._id = construct_id
        self._props = props

    def __getattr__(self, prop: str) -> str:
        if prop not in self._props:
            raise AttributeError(
                f"{self._type}.{self._id} has no property {prop!r} (it has: {', '.join(sorted(self._props))})"
            )
        return self._bound.resolve(self._type, self._id.replace("-", "_"), prop, self._props[prop])

    def __dir__(self) -> list[str]:
        return sorted(self._props)

    def __repr__(self) -> str:
        return f"<{self._type}.{self._id}>"


class Constructs:
    """`Bucket`, `Api`, `Function`, `Table`: the bound constructs of one type, by id (`Bucket.myFiles`)."""

    def __init__(self, bound: BoundResources, construct_type: str) -> None:
        self._bound = bound
        self._type = construct_type

    def __getattr__(self, construct_id: str) -> _BoundConstruct:
        if construct_id.startswith("__"):
            raise AttributeError(construct_id)  # copy, pickle and inspect probe dunders: not resources
        props = self._bound.props(self._type, construct_id)
        if props is None:
            raise ResourceNotBoundError(self._type, construct_id)
        return _BoundConstruct(self._bound, self._type, construct_id, props)

    def __repr__(self) -> str:
        return f"<bound {self._type} resources>"


class ConfigValues:
    """SST's `Config`: every bound `Config.Secret` and `Config.Parameter` value by id, plus `APP` and `STAGE`."""

    def __init__(self, bound: BoundResources) -> None:
        self._bound = bound

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _CONFIG_BUILTINS and (value := self._bound.environ_value(_CONFIG_BUILTINS[name])) is not None:
            return value
        for construct_type in (SECRET_TYPE, _PARAMETER_TYPE):
            props = self._bound.props(construct_type, name)
            if props and _VALUE in props:
                return self._bound.resolve(construct_type, name.replace("-", "_"), _VALUE, props[_VALUE])
        raise ResourceNotBoundError("Config", name)

    def __repr__(self) -> str:
        return "<bound Config values>"


_process = BoundResources()


def forget_cached_secrets() -> None:
    """Make this process fetch its secrets again on the next read: for tests that change secrets between cases."""
    _process.forget_secrets()


Api = Constructs(_process, "Api")
Auth = Constructs(_process, "Auth")
Bucket = Constructs(_process, "Bucket")
EventBus = Constructs(_process, "EventBus")
Function = Constructs(_process, "Function")
Queue = Constructs(_process, "Queue")
Table = Constructs(_process, "Table")
Topic = Constructs(_process, "Topic")
WebSocketApi = Constructs(_process, "WebSocketApi")
Config = ConfigValues(_process)
