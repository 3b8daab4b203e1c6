"""The layout the code keeps: no import cycles, dependencies pointing down the layers, a standalone emulator.

The layers, top to bottom, are described in `docs/architecture.md`. Imports are read statically (`ast`), those
under `if TYPE_CHECKING:` and inside functions included, as a reader of the code would follow them.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("devserver", "emulator")

LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli", "commands", "pytest_plugin"),
    ("testing",),
    ("server",),
    ("console", "auth", "reload"),
    ("apigw", "triggers", "aws", "cloud", "invocations"),
    ("runtime", "debug", "http", "terminal"),
    ("state",),
    ("app", "resources", "constructs"),
    ("errors",),
)
"""The dev server's packages and root modules, top layer first: a module may import its own layer and those below."""

ROOT_MODULE_LIMIT = 15


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))}


MODULES = all_modules()


def imported_modules(name: str) -> set[str]:
    """The project's modules `name` imports (a package's own ancestors excluded: importing them is no dependency)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and not name.startswith(candidate + "."):
                found.add(candidate)
    return found


GRAPH = {name: imported_modules(name) for name in MODULES}


def unit_of(module: str) -> str:
    """`devserver.apigw.gateway` -> `apigw`; `devserver.server` -> `server`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(module: str) -> int:
    unit = unit_of(module)
    for depth, units in enumerate(LAYERS):
        if unit in units:
            return depth
    raise AssertionError(f"{module}: its package {unit!r} is in no layer of LAYERS; add it where it belongs")


def test_no_module_imports_itself_back_through_others() -> None:
    try:
        TopologicalSorter(GRAPH).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_the_emulator_imports_nothing_from_the_dev_server() -> None:
    crossings = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.startswith("emulator")
        for target in targets
        if target.startswith("devserver")
    )
    assert crossings == []


def test_dev_server_imports_point_down_the_layers() -> None:
    upward = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.startswith("devserver.") and unit_of(name) != "devserver"
        for target in targets
        if target.startswith("devserver.") and layer_of(target) < layer_of(name)
    )
    assert upward == []


def test_the_runtime_does_not_import_the_debugger() -> None:
    assert (
        sorted(
            f"{name} imports {target}"
            for name, targets in GRAPH.items()
            if name.startswith("devserver.runtime")
            for target in targets
            if target.startswith("devserver.debug")
        )
        == []
    )


def test_the_dev_server_root_holds_few_modules() -> None:
    root = sorted(path.name for path in (REPO / "devserver").glob("*.py"))
    assert len(root) <= ROOT_MODULE_LIMIT, root


def test_every_sub_package_says_what_it_holds() -> None:
    silent = [
        name
        for name, path in MODULES.items()
        if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert silent == []
