"""Every way an app names a function, turned into a `FunctionSpec`: a handler string, a `Function`, or
`{"function": {...Function options}}`, with SST's merge of defaults, and its `permissions=[...]` as IAM grants.

Handler modules are only parsed (`ast`) to check that the handler function exists: importing them would run user code
in the server. Pure apart from reading the handler's source.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devserver.app.constructs import Api, App, Construct, ConstructError, Function
from devserver.app.model import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, FunctionSpec, PermissionSpec, frozen_mapping
from devserver.app.naming import function_name
from devserver.app.permissions import PermissionEntryError, api_invoke_grant, construct_grants, permission_from_entry

__all__ = ["FunctionResolver", "merge_function_props", "with_bound"]

_HANDLER = re.compile(r"^[^.\s]+\.[A-Za-z_][A-Za-z0-9_]*$")
_RUNTIME_CLIENTS = ("sst-dev", "awslambdaric")


class FunctionResolver:
    """Turns every way of naming a function (handler string, `Function`, `{"function": {...}}`) into a FunctionSpec."""

    def __init__(self, app: App, app_dir: Path) -> None:
        self.app = app
        self.app_dir = app_dir

    def definition(
        self, definition: object, where: str, path: tuple[str, ...], defaults: Mapping[str, Any]
    ) -> FunctionSpec:
        # As in SST, a `Function` construct keeps its own props: `defaults.function` applies to inline ones only.
        if isinstance(definition, Function):
            return self.function(definition)
        if isinstance(definition, str):
            props: Mapping[str, Any] = {"handler": definition}
        elif isinstance(definition, Mapping) and isinstance(definition.get("function"), Mapping):
            props = definition["function"]
        elif isinstance(definition, Mapping) and isinstance(definition.get("function"), str | Function):
            return self.definition(definition["function"], where, path, defaults)
        elif isinstance(definition, Mapping) and "handler" in definition:
            props = definition  # Function props themselves, as SST's FunctionDefinition allows
        else:
            raise ConstructError(
                f'{where}: expected a handler string, a Function, {{"handler": ...}} or '
                f'{{"function": {{"handler": ...}}}}, got {definition!r}'
            )
        unknown = set(props) - Function.options
        if unknown:
            raise ConstructError(f"{where}: unknown function option {sorted(unknown)[0]!r}")
        merged = merge_function_props(defaults, props)
        if "handler" not in merged:
            raise ConstructError(f'{where}: the "handler" option is required')
        return self._spec(function_name(self.app.stage, self.app.name, *path), merged, where)

    def function(self, construct: Function) -> FunctionSpec:
        merged = merge_function_props({}, construct.props)
        return self._spec(construct.function_name, merged, f'Function "{construct.id}"')

    def _spec(self, name: str, props: Mapping[str, Any], where: str) -> FunctionSpec:
        handler = props["handler"]
        _check_handler(self.app_dir, handler, where)
        timeout = props.get("timeout", DEFAULT_TIMEOUT_SECONDS)
        memory_size = props.get("memory_size", DEFAULT_MEMORY_MB)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 900:
            raise ConstructError(f"{where}: timeout must be a number of seconds between 1 and 900, got {timeout!r}")
        if not isinstance(memory_size, int) or isinstance(memory_size, bool) or not 128 <= memory_size <= 10240:
            raise ConstructError(f"{where}: memory_size must be MB between 128 and 10240, got {memory_size!r}")
        environment = props.get("environment", {})
        if not isinstance(environment, Mapping):
            raise ConstructError(f'{where}: "environment" must be a dict of strings')
        runtime_client = props.get("runtime_client", "sst-dev")
        if runtime_client not in _RUNTIME_CLIENTS:
            raise ConstructError(f"{where}: runtime_client must be one of {', '.join(_RUNTIME_CLIENTS)}")
        bind = props.get("bind", [])
        for target in bind:
            if not isinstance(target, Construct):
                raise ConstructError(
                    f"{where}: bind takes constructs (Bucket, Api, Config.Secret, ...), got {target!r}"
                )
        return FunctionSpec(
            name=name,
            handler=handler,
            app_dir=self.app_dir,
            environment=frozen_mapping({str(k): str(v) for k, v in environment.items()}),
            timeout=float(timeout),
            memory_size=memory_size,
            bind=tuple(f"{target.binding_type}.{target.id}" for target in bind),
            permissions=self.permissions(props.get("permissions", []), where),
            runtime_client=runtime_client,
        )

    def permissions(self, entries: object, where: str) -> tuple[PermissionSpec, ...]:
        """`permissions=[...]` entries (constructs, services, actions, statements) as IAM grants."""
        if not isinstance(entries, list | tuple):
            raise ConstructError(f'{where}: "permissions" must be a list')
        grants: list[PermissionSpec] = []
        app = self.app
        for entry in entries:
            if isinstance(entry, Api):
                grants.append(api_invoke_grant(app=app.name, stage=app.stage, region=app.region, api_id=entry.id))
            elif isinstance(entry, Construct):
                grants += construct_grants(
                    entry.binding_type, entry.id, entry.exposed(), app=app.name, stage=app.stage, region=app.region
                )
            else:
                try:
                    grants.append(permission_from_entry(entry, where))
                except PermissionEntryError as error:
                    raise ConstructError(str(error)) from None
        return tuple(grants)


def with_bound(defaults: Mapping[str, Any], owner: Construct) -> dict[str, Any]:
    """`defaults.function` plus what `owner.bind()` / `owner.attach_permissions()` added (for inline functions;
    `Function` constructs got theirs when those were called)."""
    bound = getattr(owner, "bound", [])
    permissions = getattr(owner, "attached_permissions", [])
    return merge_function_props(defaults, {"bind": bound, "permissions": permissions})


def merge_function_props(defaults: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SST's merge: later props win, except `environment` merges and `bind`/`permissions` concatenate."""
    merged = {**defaults, **props}
    merged["environment"] = {**defaults.get("environment", {}), **props.get("environment", {})}
    for key in ("bind", "permissions"):
        merged[key] = [*defaults.get(key, []), *props.get(key, [])]
    return merged


def _check_handler(app_dir: Path, handler: object, where: str) -> None:
    if not isinstance(handler, str) or not _HANDLER.match(handler):
        raise ConstructError(f'{where}: handler {handler!r} must look like "dir/module.function"')
    module_path, attribute = handler.rsplit(".", 1)
    source = app_dir / f"{module_path}.py"
    if not source.is_file():
        raise ConstructError(f'{where}: handler "{handler}": file {module_path}.py not found in {app_dir}')
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except SyntaxError:
        # The worker reports Runtime.UserCodeSyntaxError with the line; a half-saved handler must not stop start.
        return
    if attribute not in _top_level_names(tree):
        raise ConstructError(f'{where}: handler "{handler}": {module_path}.py has no function "{attribute}"')


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.If | ast.Try):
            # Handlers defined under `if`/`try` (feature flags, optional imports) still count.
            names.update(_top_level_names(ast.Module(body=_children(node), type_ignores=[])))
    return names


def _children(node: ast.If | ast.Try) -> list[ast.stmt]:
    if isinstance(node, ast.If):
        return [*node.body, *node.orelse]
    return [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
