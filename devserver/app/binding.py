"""What binding a construct to a function means, as SST defines it: environment variables and SSM parameters.

Binding `Bucket.myFiles` to a function sets `SST_Bucket_bucketName_myFiles` in that function's environment and
stores the same value at `/sst/{app}/{stage}/Bucket/myFiles/bucketName`. A `Config.Secret` is sensitive: its
variable holds only `__FETCH_FROM_SSM__` and `devserver.resources` reads the value from SSM (a SecureString) at
first access. Pure functions over the app model; the server, `sst-dev bind` and the pytest plugin do the I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `devserver.resources` imports this module in every handler: keep dataclasses/pathlib out
    from devserver.app.model import AppSpec, FunctionSpec

__all__ = [
    "SECRET_PLACEHOLDER",
    "SECRET_PROP",
    "SECRET_TYPE",
    "BindingError",
    "all_bindings_environment",
    "binding_env_var",
    "binding_environment",
    "bound_parameters",
    "resources_environment",
    "secret_parameters",
    "ssm_fallback_path",
    "ssm_path",
    "ssm_prefix",
]

SECRET_PLACEHOLDER = "__FETCH_FROM_SSM__"
"""What a sensitive value's variable holds, as in SST: the value itself lives only in SSM."""
SECRET_TYPE = "Secret"
SECRET_PROP = "value"

Resources = Mapping[str, Mapping[str, Mapping[str, str]]]
"""`{Type: {id: {prop: value}}}`, as `AppSpec.resources` and `.sst/dev.json` hold it."""


class BindingError(ValueError):
    """A function binds `Type.id` but the app declares no such construct. `code` is stable; `target` is the bind."""

    code = "Binding.UnknownConstruct"

    def __init__(self, function: str, target: str) -> None:
        super().__init__(f'function "{function}" binds {target}, but the app declares no such construct')
        self.function = function
        self.target = target


def _exposed(resources: Resources, construct_type: str, construct_id: str) -> Mapping[str, str]:
    """The props a construct exposes; a Secret exposes `value`, which the model never holds."""
    if construct_type == SECRET_TYPE:
        return {SECRET_PROP: SECRET_PLACEHOLDER}
    return resources[construct_type][construct_id]


def _base_environment(app_name: str, stage: str) -> dict[str, str]:
    return {"SST_APP": app_name, "SST_STAGE": stage, "SST_SSM_PREFIX": ssm_prefix(app_name, stage)}


def _variables(resources: Resources, targets: Iterable[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for construct_type, construct_id in targets:
        for prop, value in _exposed(resources, construct_type, construct_id).items():
            env[binding_env_var(construct_type, prop, construct_id)] = value
    return env


def binding_environment(app: AppSpec, function: FunctionSpec) -> dict[str, str]:
    """The variables `function`'s worker gets for its binds, plus `SST_APP`, `SST_STAGE` and `SST_SSM_PREFIX`.

    The three are set even with nothing bound, as SST sets them on every function, so `Config.APP` always works.
    Raises `BindingError` for a bind that names no construct of `app`.
    """
    targets = []
    for target in function.bind:
        construct_type, _, construct_id = target.partition(".")
        if construct_id not in app.resources.get(construct_type, {}):
            raise BindingError(function.name, target)
        targets.append((construct_type, construct_id))
    return _base_environment(app.name, app.stage) | _variables(app.resources, targets)


def resources_environment(app_name: str, stage: str, resources: Resources) -> dict[str, str]:
    """The variables for every construct in `resources` (the shape of `.sst/dev.json`'s `resources`)."""
    targets = [(kind, construct_id) for kind, ids in resources.items() for construct_id in ids]
    return _base_environment(app_name, stage) | _variables(resources, targets)


def all_bindings_environment(app: AppSpec) -> dict[str, str]:
    """What `sst-dev bind` gives its command: every construct of the app bound, as `sst bind` does."""
    return resources_environment(app.name, app.stage, app.resources)


def bound_parameters(app: AppSpec) -> dict[str, tuple[str, bool]]:
    """Every plain value binding stores in SSM: `/sst/{app}/{stage}/{Type}/{id}/{prop}` → `(value, secure=False)`.

    SST writes these as String parameters so tests and scripts can read every bound value without the function's
    environment. Secrets are not here: their values come from the secrets store (`secret_parameters`).
    """
    parameters: dict[str, tuple[str, bool]] = {}
    for construct_type, ids in app.resources.items():
        if construct_type == SECRET_TYPE:
            continue
        for construct_id, props in ids.items():
            for prop, value in props.items():
                parameters[ssm_path(app.name, app.stage, construct_type, construct_id, prop)] = (value, False)
    return parameters


def secret_parameters(
    app_name: str, stage: str, values: Mapping[str, str], *, fallback: bool = False
) -> dict[str, tuple[str, bool]]:
    """Secret values as SecureString parameters: the stage's path, or with `fallback` the `.fallback` path."""
    if fallback:
        return {ssm_fallback_path(app_name, SECRET_TYPE, name, SECRET_PROP): (v, True) for name, v in values.items()}
    return {ssm_path(app_name, stage, SECRET_TYPE, name, SECRET_PROP): (v, True) for name, v in values.items()}


def binding_env_var(construct_type: str, prop: str, construct_id: str) -> str:
    """`SST_Bucket_bucketName_myFiles`: SST's variable for one bound value (`-` in ids becomes `_`)."""
    return f"SST_{construct_type}_{prop}_{construct_id.replace('-', '_')}"


def ssm_prefix(app: str, stage: str) -> str:
    """`/sst/{app}/{stage}/`, the value of `SST_SSM_PREFIX`."""
    return f"/sst/{app}/{stage}/"


def ssm_path(app: str, stage: str, construct_type: str, construct_id: str, prop: str) -> str:
    """`/sst/{app}/{stage}/{Type}/{id}/{prop}`, where a bound value lives in SSM."""
    return f"{ssm_prefix(app, stage)}{construct_type}/{construct_id}/{prop}"


def ssm_fallback_path(app: str, construct_type: str, construct_id: str, prop: str) -> str:
    """`/sst/{app}/.fallback/{Type}/{id}/{prop}`, a secret's value shared by every stage that sets none."""
    return f"/sst/{app}/.fallback/{construct_type}/{construct_id}/{prop}"
