"""A function's local IAM policy: SST's grants for what it binds plus its own `permissions`."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.loader import AppConfigError, load_app
from devserver.app.permissions import function_policy, missing_permission_hint
from emulator.iam.policy import evaluate, statements_of
from tests.apps import make_app

STACK = """
files = Bucket(stack, "files")
other = Bucket(stack, "other")
key = Config.Secret(stack, "KEY")
Api(stack, "api", routes={
    "GET /bound": {"function": {"handler": "functions/hello.main", "bind": [files, key]}},
    "GET /granted": {"function": {
        "handler": "functions/hello.main",
        "permissions": ["dynamodb", other, {"actions": ["sns:Publish"], "resources": ["*"]}],
    }},
})
"""


def policy_for(tmp_path: Path, route: str) -> list:  # type: ignore[type-arg]
    app = load_app(make_app(tmp_path, STACK), stage="dev", api_url=lambda api: "http://x")
    function = next(r.function for r in app.apis[0].routes if r.key == route)
    return statements_of(function_policy(app, function))


def test_binding_grants_the_bucket_and_the_secrets_ssm_paths_only(tmp_path: Path) -> None:
    statements = policy_for(tmp_path, "GET /bound")
    files = "arn:aws:s3:::dev-test-app-files-"
    bucket = next(r for s in statements for r in s.resources if r.startswith(files) and not r.endswith("/*"))
    assert evaluate(statements, "s3:PutObject", [bucket + "/uploads/a.png"]) == "allow"
    assert evaluate(statements, "s3:ListBucket", [bucket]) == "allow"
    assert evaluate(statements, "s3:GetObject", ["arn:aws:s3:::dev-test-app-other-0/x"]) == "implicit_deny"
    secret = "arn:aws:ssm:us-east-1:123456789012:parameter/sst/test-app/dev/Secret/KEY/value"
    fallback = "arn:aws:ssm:us-east-1:123456789012:parameter/sst/test-app/.fallback/Secret/KEY/value"
    assert evaluate(statements, "ssm:GetParameters", [secret, fallback]) == "allow"
    other = "arn:aws:ssm:us-east-1:123456789012:parameter/sst/test-app/dev/Secret/OTHER/value"
    assert evaluate(statements, "ssm:GetParameters", [other]) == "implicit_deny"


def test_permissions_take_services_constructs_and_statements(tmp_path: Path) -> None:
    statements = policy_for(tmp_path, "GET /granted")
    assert evaluate(statements, "dynamodb:PutItem", ["arn:aws:dynamodb:us-east-1:1:table/anything"]) == "allow"
    assert evaluate(statements, "sns:Publish", ["arn:aws:sns:us-east-1:1:topic"]) == "allow"
    assert evaluate(statements, "s3:GetObject", ["arn:aws:s3:::dev-test-app-files-x/a"]) == "implicit_deny"


def test_an_unreadable_permission_is_a_config_error(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path, 'Function(stack, "f", handler="functions/hello.main", permissions=[42])')
    with pytest.raises(AppConfigError, match='permission 42 must be "\\*", a service'):
        load_app(app_dir, stage="dev", api_url=lambda api: "http://x")


def test_an_access_denied_names_the_binding_the_function_lacks(tmp_path: Path) -> None:
    app = load_app(make_app(tmp_path, STACK), stage="dev", api_url=lambda api: "http://x")
    function = next(r.function for r in app.apis[0].routes if r.key == "GET /granted")
    files = app.resources["Bucket"]["files"]["bucketName"]
    message = (
        f"An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::123456789012:"
        f"user/x is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::{files}/a.txt because ..."
    )
    hint = missing_permission_hint(app, function, message)
    assert (
        hint
        == f"{function.name} may not s3:GetObject on arn:aws:s3:::{files}/a.txt: bind Bucket.files to it (bind=[...])"
    )
    assert missing_permission_hint(app, function, "KeyError: 'x'") is None
