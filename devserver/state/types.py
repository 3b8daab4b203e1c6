"""Typed stubs of `devserver.resources` for one app, so type checkers know its own resource names.

SST generates `declare module "sst/node/bucket" { interface BucketResources { myFiles: ... } }` for TypeScript. The
Python equivalent: a stub file `.sst/types/devserver/resources.pyi` that declares `Bucket` with exactly the app's
buckets, `Config` with its secrets and parameters, and so on, and `.sst/types` on mypy's `mypy_path` (pyright:
`stubPath`). `Bucket.notThere` then fails the check with `"BucketResources" has no attribute "notThere"`.

Why there is also a `devserver/__init__.pyi`, a copy of the installed package's `__init__.py`: mypy searches
`mypy_path` before site-packages, but only trusts a module there if its parent folders are packages; a bare
`devserver/` folder loses to the installed regular package, whose own `resources.py` would then be read. With an
`__init__.pyi` our folder is a package, yet every module it does not hold (`devserver.app.model`, ...) is still
looked up further along the path, so only `devserver.resources` is overlaid. (A PEP 561 partial `-stubs` package
would be the textbook tool, but mypy looks for those in site-packages only, and these stubs are per app.)

The stubs import nothing from `devserver`, so they also work when the checker cannot see the installed package
at all, as with setuptools' editable installs.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from pathlib import Path

import devserver
from devserver import resources
from devserver.app.binding import SECRET_TYPE
from devserver.app.model import AppSpec
from devserver.state.files import state_dir

__all__ = [
    "CONSTRUCT_TYPES",
    "MYPY_SETTING",
    "PYRIGHT_SETTING",
    "is_configured",
    "render_resources_stub",
    "types_dir",
    "write_types",
]

CONSTRUCT_TYPES = ("Api", "Auth", "Bucket", "EventBus", "Function", "Queue", "Table", "Topic", "WebSocketApi")
"""The `devserver.resources` namespaces other than `Config`, in the module's order."""
MYPY_SETTING = 'mypy_path = "$MYPY_CONFIG_FILE_DIR/.sst/types"'
"""The line to add under `[tool.mypy]` (pyproject.toml) or `[mypy]` (mypy.ini; drop the quotes there)."""
PYRIGHT_SETTING = 'stubPath = ".sst/types"'
"""The line to add under `[tool.pyright]` (pyproject.toml), or `"stubPath": ".sst/types"` in pyrightconfig.json."""

_CONFIG_FILES = ("pyproject.toml", "mypy.ini", ".mypy.ini", "setup.cfg", "pyrightconfig.json")
_PARAMETER_TYPE = "Parameter"

# What devserver.resources exports besides the per-app namespaces, typed as the module defines them. Its `__all__`
# is the module's own, so a name added there is exported by the stub too (and must be declared here: a test checks).
_FIXED_IMPORTS = """\
from collections.abc import Mapping, Sequence
from typing import Protocol, final
"""
_FIXED_ALL = "__all__ = [\n" + "".join(f'    "{name}",\n' for name in resources.__all__) + "]\n"
_FIXED_DECLARATIONS = """\
class ResourceNotBoundError(AttributeError):
    code: str
    construct_type: str
    name: str
    def __init__(self, construct_type: str, name: str) -> None: ...

class SecretsNotSetError(RuntimeError):
    code: str
    stage: str
    names: tuple[str, ...]
    def __init__(self, stage: str, names: Sequence[str]) -> None: ...

class ParameterStore(Protocol):
    def get_parameters(self, names: Sequence[str]) -> dict[str, str]: ...

class SSMParameterStore:
    def __init__(self, environ: Mapping[str, str]) -> None: ...
    def get_parameters(self, names: Sequence[str]) -> dict[str, str]: ...

class BoundResources:
    def __init__(
        self, environ: Mapping[str, str] | None = None, parameter_store: ParameterStore | None = None
    ) -> None: ...
    def props(self, construct_type: str, construct_id: str) -> dict[str, str] | None: ...
    def resolve(self, construct_type: str, construct_id: str, prop: str, value: str) -> str: ...
    def forget_secrets(self) -> None: ...
    def environ_value(self, variable: str) -> str | None: ...

class Constructs:
    def __init__(self, bound: BoundResources, construct_type: str) -> None: ...
    def __getattr__(self, construct_id: str) -> object: ...

class ConfigValues:
    def __init__(self, bound: BoundResources) -> None: ...
    def __getattr__(self, name: str) -> str: ...

def forget_cached_secrets() -> None: ...
"""
_FIXED_PART = f"{_FIXED_IMPORTS}\n{_FIXED_ALL}\n{_FIXED_DECLARATIONS}"


def types_dir(app_dir: Path) -> Path:
    """`.sst/types`: the folder to put on the type checker's stub path."""
    return state_dir(app_dir) / "types"


def _attribute_names(names: Iterable[str]) -> list[str]:
    # An id like "my-files" is reachable only through getattr(); a stub can declare identifiers only.
    return sorted({name for name in names if name.isidentifier() and not keyword.iskeyword(name)})


def _properties(names: Iterable[str], type_of: dict[str, str] | None = None) -> list[str]:
    lines = []
    for name in names:
        lines += ["    @property", f"    def {name}(self) -> {(type_of or {}).get(name, 'str')}: ..."]
    return lines or ["    pass"]


def render_resources_stub(app: AppSpec) -> str:
    """The text of `resources.pyi` for `app`: the fixed API plus one typed namespace per construct type."""
    out = [
        f'# Generated by sst-dev for app "{app.name}" from sst.config.py: do not edit (`sst-dev types` rewrites it).',
        _FIXED_PART,
    ]
    for construct_type in CONSTRUCT_TYPES:
        ids = app.resources.get(construct_type, {})
        members: dict[str, str] = {}
        for construct_id in _attribute_names(ids):
            members[construct_id] = f"{construct_type}_{construct_id}"
            props = _attribute_names(ids[construct_id])
            out += ["@final", f"class {members[construct_id]}:", *_properties(props), ""]
        namespace = f"{construct_type}Resources"
        out += ["@final", f"class {namespace}:", *_properties(members, members), ""]
        out += [f"{construct_type}: {namespace}", ""]
    config_names = ["APP", "STAGE"] + _attribute_names(
        [*app.resources.get(SECRET_TYPE, {}), *app.resources.get(_PARAMETER_TYPE, {})]
    )
    out += ["@final", "class ConfigResources:", *_properties(dict.fromkeys(config_names)), ""]
    out += ["Config: ConfigResources", ""]
    return "\n".join(out)


def write_types(app: AppSpec, app_dir: Path) -> Path:
    """Write `.sst/types/devserver/{__init__,resources}.pyi` for `app` and return `.sst/types`.

    Files whose text is unchanged are left alone, keeping their mtime, so editors and mypy's cache do not
    re-check for nothing.
    """
    root = types_dir(app_dir)
    package_init = Path(devserver.__file__).read_text()
    _write_if_changed(root / "devserver" / "__init__.pyi", package_init)
    _write_if_changed(root / "devserver" / "resources.pyi", render_resources_stub(app))
    return root


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def is_configured(app_dir: Path) -> bool:
    """Whether a type-checker config file of the app already names `.sst/types` (so there is nothing to add)."""
    for name in _CONFIG_FILES:
        try:
            if ".sst/types" in (app_dir / name).read_text():
                return True
        except OSError:
            continue
    return False
