"""`Config.Secret` values kept in the account's SSM, as SST keeps them: `sst-dev secrets ... --cloud`.

Each value is a SecureString parameter at SST's path, `/sst/{app}/{stage}/Secret/{NAME}/value` (a fallback at
`/sst/{app}/.fallback/Secret/{NAME}/value`), created with the stage's ownership tags so that `sst-dev remove --cloud`
knows it. It is a `devserver.state.secrets.SecretValues`, as the local store is, so the `secrets` command and the
dev server work on either.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devserver.app.binding import SECRET_PROP, SECRET_TYPE, ssm_fallback_path, ssm_path
from devserver.cloud.ownership import ownership_tags, tag_list
from devserver.state.secrets import SecretValueError, check_secret_name

__all__ = ["CloudSecrets"]


class CloudSecrets:
    """One app stage's secret values (and the app's fallback values) in SSM, through `ssm` (a boto3 client)."""

    def __init__(self, ssm: Any, app_dir: Path, app: str, stage: str) -> None:
        self._ssm = ssm
        self.app_dir = app_dir
        self.app = app
        self.stage = stage

    def _path(self, name: str, *, fallback: bool) -> str:
        if fallback:
            return ssm_fallback_path(self.app, SECRET_TYPE, name, SECRET_PROP)
        return ssm_path(self.app, self.stage, SECRET_TYPE, name, SECRET_PROP)

    def _folder(self, *, fallback: bool) -> str:
        """The path every secret's path starts with: `<folder><NAME>/value`."""
        return self._path("NAME", fallback=fallback).removesuffix(f"NAME/{SECRET_PROP}")

    def values(self, *, fallback: bool = False) -> dict[str, str]:
        folder = self._folder(fallback=fallback)
        found: dict[str, str] = {}
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(
            Path=folder, Recursive=True, WithDecryption=True
        )
        for page in pages:
            for parameter in page["Parameters"]:
                name, _, prop = parameter["Name"].removeprefix(folder).partition("/")
                if prop == SECRET_PROP:
                    found[name] = parameter["Value"]
        return found

    def get(self, name: str, *, fallback: bool = False) -> str | None:
        try:
            answer = self._ssm.get_parameter(Name=self._path(name, fallback=fallback), WithDecryption=True)
        except self._ssm.exceptions.ParameterNotFound:
            return None
        value: str = answer["Parameter"]["Value"]
        return value

    def set(self, values: Mapping[str, str], *, fallback: bool = False) -> None:
        """Every name and value is checked before the first is written."""
        for name, value in values.items():
            check_secret_name(name)
            if not value:
                raise SecretValueError(name)
        tags = tag_list(ownership_tags(self.app, ".fallback" if fallback else self.stage))
        for name, value in values.items():
            path = self._path(name, fallback=fallback)
            try:  # SSM takes tags only when it creates a parameter, and then refuses Overwrite
                self._ssm.put_parameter(Name=path, Value=value, Type="SecureString", Tags=tags)
            except self._ssm.exceptions.ParameterAlreadyExists:
                self._ssm.put_parameter(Name=path, Value=value, Type="SecureString", Overwrite=True)

    def parameters(self, app_name: str) -> dict[str, tuple[str, bool]]:
        """None to give: the values are in the account's SSM already."""
        return {}

    def remove(self, name: str, *, fallback: bool = False) -> bool:
        try:
            self._ssm.delete_parameter(Name=self._path(name, fallback=fallback))
        except self._ssm.exceptions.ParameterNotFound:
            return False
        return True
