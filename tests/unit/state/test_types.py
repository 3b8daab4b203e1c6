"""The generated `resources.pyi`: the app's names, and the same public API as the real module."""

from __future__ import annotations

import ast
from pathlib import Path
from types import MappingProxyType

import devserver
import devserver.resources
from devserver.app.model import AppSpec
from devserver.state.types import is_configured, render_resources_stub, write_types

APP = AppSpec(
    name="sample-app",
    region="us-east-1",
    stage="dev",
    app_dir=Path("/app"),
    resources=MappingProxyType(
        {
            "Bucket": {"myFiles": {"bucketName": "b"}, "my-photos": {"bucketName": "p"}},
            "Secret": {"STRIPE_KEY": {}},
            "Parameter": {"MY_CLUSTER_NAME": {"value": "dev-cluster"}},
            "Api": {"api": {"url": "http://127.0.0.1:3000"}},
            "Auth": {"auth": {"userPoolId": "u", "userPoolClientId": "c", "identityPoolId": "i"}},
        }
    ),
)


def stub_classes(text: str) -> dict[str, list[str]]:
    """Each class of the stub with the names it declares."""
    tree = ast.parse(text)
    return {
        node.name: [item.name for item in node.body if isinstance(item, ast.FunctionDef)]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }


def stub_all(text: str) -> list[str]:
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            return list(ast.literal_eval(node.value))
    raise AssertionError("the stub has no __all__")


def test_the_stub_declares_exactly_the_real_module_s_public_names() -> None:
    text = render_resources_stub(APP)
    assert stub_all(text) == sorted(devserver.resources.__all__)
    declared = {
        target.id
        for node in ast.parse(text).body
        for target in ([node.target] if isinstance(node, ast.AnnAssign) else [])
        if isinstance(target, ast.Name)
    } | set(stub_classes(text))
    declared |= {node.name for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}
    assert set(devserver.resources.__all__) <= declared


def test_each_namespace_lists_the_app_s_constructs_and_their_props() -> None:
    classes = stub_classes(render_resources_stub(APP))
    assert classes["BucketResources"] == ["myFiles"]  # "my-photos" is no identifier: getattr() only
    assert classes["Bucket_myFiles"] == ["bucketName"]
    assert classes["ApiResources"] == ["api"]
    assert classes["AuthResources"] == ["auth"]
    assert classes["Auth_auth"] == ["identityPoolId", "userPoolClientId", "userPoolId"]
    assert classes["ConfigResources"] == ["APP", "STAGE", "MY_CLUSTER_NAME", "STRIPE_KEY"]
    assert classes["FunctionResources"] == [] and classes["TableResources"] == []


def test_the_stub_is_valid_python_stub_syntax() -> None:
    compile(render_resources_stub(APP), "resources.pyi", "exec")


def test_write_types_overlays_only_resources_and_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    root = write_types(APP, tmp_path)
    assert root == tmp_path / ".sst" / "types"
    assert (root / "devserver" / "__init__.pyi").read_text() == Path(devserver.__file__).read_text()
    stub = root / "devserver" / "resources.pyi"
    before = stub.stat().st_mtime_ns
    write_types(APP, tmp_path)
    assert stub.stat().st_mtime_ns == before
    assert sorted(p.name for p in (root / "devserver").iterdir()) == ["__init__.pyi", "resources.pyi"]


def test_a_checker_config_naming_the_types_folder_counts_as_configured(tmp_path: Path) -> None:
    assert not is_configured(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.mypy]\nmypy_path = "$MYPY_CONFIG_FILE_DIR/.sst/types"\n')
    assert is_configured(tmp_path)
