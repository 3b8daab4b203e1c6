"""Loading `sst.config.py`: what it resolves to, and the one-line errors for each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.loader import AppConfigError, load_app
from devserver.app.model import AppSpec
from tests.apps import SAMPLE_APP, make_app


def api_url(api_id: str) -> str:
    return f"http://127.0.0.1:3000/{api_id}"


def load(app_dir: Path, stage: str = "dev") -> AppSpec:
    return load_app(app_dir, stage=stage, api_url=api_url)


def load_error(app_dir: Path) -> str:
    with pytest.raises(AppConfigError) as raised:
        load(app_dir)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_the_sample_app_resolves_its_routes_bucket_and_outputs() -> None:
    app = load(SAMPLE_APP, stage="alice")
    assert (app.name, app.region, app.stage) == ("sample-app", "us-east-1", "alice")
    routes = {route.key: route.function for route in app.apis[0].routes}
    assert routes["GET /"].handler == "functions/hello.main"
    assert routes["GET /"].name == "alice-sample-app-api-GET"
    assert routes["GET /hello/{name}"].name == "alice-sample-app-api-GET_hello_name"
    assert routes["GET /"].bind == ("Bucket.myFiles", "Secret.STRIPE_KEY", "Parameter.MY_CLUSTER_NAME")
    assert app.buckets[0].notifications[0].prefix == "uploads/"
    assert app.stacks[0].outputs["ApiEndpoint"] == "http://127.0.0.1:3000/api"
    assert SAMPLE_APP.resolve() / "sst.config.py" in app.config_sources


def test_function_defaults_merge_environment_and_concatenate_bind(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        """
        a = Config.Parameter(stack, "A", value="1")
        b = Config.Parameter(stack, "B", value="2")
        Api(stack, "api",
            defaults={"function": {"environment": {"X": "1", "Y": "1"}, "bind": [a], "timeout": 3}},
            routes={"GET /": {"function": {"handler": "functions/hello.main", "environment": {"Y": "2"},
                                           "bind": [b], "memory_size": 256}}})
        """,
    )
    spec = load(app_dir).apis[0].routes[0].function
    assert dict(spec.environment) == {"X": "1", "Y": "2"}
    assert spec.bind == ("Parameter.A", "Parameter.B")
    assert (spec.timeout, spec.memory_size) == (3.0, 256)


def test_a_function_construct_keeps_its_own_settings_as_a_route(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        """
        worker = Function(stack, "worker", handler="functions/hello.main", timeout=30)
        Api(stack, "api", defaults={"function": {"timeout": 3}}, routes={"GET /": worker})
        """,
    )
    app = load(app_dir)
    assert app.apis[0].routes[0].function.timeout == 30.0
    assert app.apis[0].routes[0].function.name == "dev-test-app-worker"
    assert [f.name for f in app.all_functions()] == ["dev-test-app-worker"]


def test_notifications_as_a_list_get_created_and_removed_events(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path, 'Bucket(stack, "files", notifications=["functions/hello.main"])')
    notification = load(app_dir).buckets[0].notifications[0]
    assert notification.events == ("object_created", "object_removed")
    assert notification.function.handler == "functions/hello.main"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('Api(stack, "api", routes={"GET /": "functions/missing.main"})', "file functions/missing.py not found"),
        ('Api(stack, "api", routes={"GET /": "functions/hello.nope"})', 'hello.py has no function "nope"'),
        ('Api(stack, "api", routes={"GET /": "hello"})', 'must look like "dir/module.function"'),
        ('Api(stack, "api", routes={"GET files": "functions/hello.main"})', 'Route key "GET files"'),
        ('Api(stack, "api", routes={"GET /_sst/x": "functions/hello.main"})', "reserved for the Console"),
        ('Bucket(stack, "b")\nBucket(stack, "b")', 'duplicate construct id: Bucket "b"'),
        ('Bucket(stack, "b", notificatons=[])', 'unknown option "notificatons" (did you mean "notifications"?'),
        (
            'Api(stack, "api", routes={"GET /": {"function": {"handler": "functions/hello.main", "tmeout": 3}}})',
            "unknown function option 'tmeout'",
        ),
        ('Function(stack, "f", handler="functions/hello.main", timeout=0)', "timeout must be a number of seconds"),
        ('Function(stack, "f", handler="functions/hello.main", bind=["x"])', "bind takes constructs"),
        ('Bucket(stack, "b", name="Not_Valid")', 'name "Not_Valid" is not a valid S3 bucket name'),
        ('Config.Secret(stack, "STRIPE-KEY")', "the name must be a Python identifier"),
        ('Table(stack, "t", fields={"id": "text"}, primary_index={"partition_key": "id"})', "has type 'text'"),
        ('Table(stack, "t", fields={"id": "string"}, primary_index={"partition_key": "pk"})', '"pk" is not one of'),
        (
            'Bucket(stack, "b", notifications={"n": {"function": "functions/hello.main", "events": ["object_made"]}})',
            "object_made",
        ),
        (
            'Bucket(stack, "b", notifications=["functions/hello.main", "functions/hello.main"])',
            "ambiguous",
        ),
        (
            'Bucket(stack, "b", notifications={"n": {"function": "functions/hello.main", "filters": "x"}})',
            '"filters" must be a list',
        ),
    ],
)
def test_each_mistake_gets_one_line_naming_the_file_and_construct(tmp_path: Path, body: str, expected: str) -> None:
    message = load_error(make_app(tmp_path, body))
    assert str(tmp_path / "sst.config.py") in message
    assert expected in message


def test_an_exception_in_the_config_names_its_line(tmp_path: Path) -> None:
    message = load_error(make_app(tmp_path, 'raise ValueError("bad stack")'))
    assert f"{tmp_path / 'sst.config.py'}:" in message
    assert "ValueError: bad stack" in message


def test_a_syntax_error_in_the_config_is_reported_with_its_line(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path, "pass")
    (app_dir / "sst.config.py").write_text("def config(:\n")
    assert "sst.config.py:1: SyntaxError" in load_error(app_dir)


def test_a_missing_app_folder_or_config_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    assert "does not exist (pass --app DIR)" in load_error(tmp_path / "nope")
    assert "has no sst.config.py" in load_error(tmp_path)


STORAGE_STACK = """\
from devserver.constructs import Bucket


def define(stack):
    Bucket(stack, "b")
"""


def test_stack_modules_imported_by_the_config_are_config_sources(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        "from stacks.storage import define\ndefine(stack)",
        {
            "functions/hello.py": "def main(e, c):\n    return 1\n",
            "stacks/__init__.py": "",
            "stacks/storage.py": STORAGE_STACK,
        },
    )
    app = load(app_dir)
    assert app.buckets[0].id == "b"
    assert (app_dir / "stacks" / "storage.py").resolve() in app.config_sources


def test_bind_and_attach_permissions_reach_every_function_of_an_api_or_bucket(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        """
        files = Bucket(stack, "files", notifications=["functions/hello.main"])
        worker = Function(stack, "worker", handler="functions/hello.main")
        api = Api(stack, "api", routes={"GET /": "functions/hello.main", "GET /w": worker})
        api.bind([files])
        api.attach_permissions(["sns"])
        files.bind([files])
        """,
    )
    app = load(app_dir)
    inline, construct = (route.function for route in app.apis[0].routes)
    assert inline.bind == construct.bind == ("Bucket.files",)
    assert [p.actions for p in inline.permissions] == [("sns:*",)]
    assert app.buckets[0].notifications[0].function.bind == ("Bucket.files",)


def test_a_notification_function_may_be_given_as_function_props(tmp_path: Path) -> None:
    app_dir = make_app(
        tmp_path,
        """
        log = Bucket(stack, "log")
        Bucket(stack, "inbox", notifications={
            "copy": {"function": {"handler": "functions/hello.main", "bind": [log]}, "events": ["object_created"]},
        })
        """,
    )
    notification = load(app_dir).buckets[1].notifications[0]
    assert notification.function.bind == ("Bucket.log",)
    assert notification.events == ("object_created",)
