"""`Auth` in `sst.config.py` and the `jwt` authorizer of Api routes: what they resolve to, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.loader import AppConfigError, load_app
from devserver.app.model import AppSpec, IamAuthorizer, RouteAuthorizer, TokenValidity
from devserver.app.naming import api_id_for
from tests.apps import make_app

AUTH = """
from devserver.constructs import Auth
bucket = Bucket(stack, "files")
auth = Auth(stack, "auth", token_validity={"id_token": 5})
auth.attach_permissions_for_auth_users(stack, [
    {"actions": ["s3:*"], "resources": [bucket_arn + "/private/${cognito-identity.amazonaws.com:sub}/*"]},
])
auth.attach_permissions_for_unauth_users(stack, ["s3:GetObject"])
jwt = {"type": "user_pool", "user_pool": {"id": auth.user_pool_id, "client_ids": [auth.user_pool_client_id]}}
"""


def load(tmp_path: Path, body: str) -> AppSpec:
    app = make_app(tmp_path / "app", 'bucket_arn = "arn:aws:s3:::files"\n' + AUTH + body)
    return load_app(app, stage="dev", api_url=lambda api_id: f"http://127.0.0.1:3000/{api_id}")


def load_error(tmp_path: Path, body: str) -> str:
    with pytest.raises(AppConfigError) as raised:
        load(tmp_path, body)
    return str(raised.value)


def test_an_auth_resolves_to_cognito_shaped_ids_lifetimes_and_policies(tmp_path: Path) -> None:
    app = load(tmp_path, "")
    (auth,) = app.auths
    assert auth.user_pool_id.startswith("us-east-1_") and len(auth.user_pool_id) == len("us-east-1_") + 9
    assert len(auth.user_pool_client_id) == 26 and auth.identity_pool_id.startswith("us-east-1:")
    assert auth.token_validity == TokenValidity(id_token=5.0)
    assert auth.auth_permissions[0].resources == ("arn:aws:s3:::files/private/${cognito-identity.amazonaws.com:sub}/*",)
    assert auth.unauth_permissions[0].actions == ("s3:GetObject",)
    assert app.resources["Auth"]["auth"]["userPoolId"] == auth.user_pool_id
    assert load(tmp_path, "").auths == app.auths  # the ids are stable across loads


def test_routes_use_the_default_authorizer_unless_they_say_none(tmp_path: Path) -> None:
    app = load(
        tmp_path,
        """
Api(stack, "api", authorizers={"jwt": jwt}, defaults={"authorizer": "jwt"}, routes={
    "GET /me": "functions/hello.main",
    "GET /open": {"function": "functions/hello.main", "authorizer": "none"},
    "POST /files": {"function": "functions/hello.main", "authorization_scopes": ["files/write"]},
})
""",
    )
    routes = {route.key: route for route in app.apis[0].routes}
    (auth,) = app.auths
    assert routes["GET /me"].authorizer == RouteAuthorizer("jwt", "auth", (auth.user_pool_client_id,))
    assert routes["GET /open"].authorizer is None
    assert routes["POST /files"].authorizer is not None and routes["POST /files"].authorizer.scopes == ("files/write",)
    assert routes["GET /open"].function.handler == "functions/hello.main"


def test_iam_is_built_in_and_listing_an_api_in_permissions_grants_invoking_it(tmp_path: Path) -> None:
    app = load(
        tmp_path,
        """
api = Api(stack, "api", defaults={"authorizer": "iam"}, routes={"GET /me": "functions/hello.main"})
Function(stack, "caller", handler="functions/hello.main", permissions=[api])
""",
    )
    assert app.apis[0].routes[0].authorizer == IamAuthorizer()
    (grant,) = next(f for f in app.functions if f.name.endswith("caller")).permissions
    assert grant.actions == ("execute-api:Invoke",)
    assert grant.resources == (f"arn:aws:execute-api:us-east-1:123456789012:{api_id_for('test-app', 'dev', 'api')}/*",)


def test_routes_are_open_without_an_authorizer(tmp_path: Path) -> None:
    app = load(tmp_path, 'Api(stack, "api", authorizers={"jwt": jwt}, routes={"GET /": "functions/hello.main"})')
    assert app.apis[0].routes[0].authorizer is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'Api(stack, "api", routes={"GET /": {"function": "functions/hello.main", "authorizer": "jwt"}})',
            "authorizer 'jwt' is not declared in the Api's authorizers (valid: none, iam)",
        ),
        (
            'Api(stack, "api", authorizers={"jwt": {"type": "user_pool", "user_pool": {"id": "us-east-1_x"}}}, '
            'routes={"GET /": "functions/hello.main"})',
            "user pool 'us-east-1_x' is not the user_pool_id of an Auth in this app",
        ),
        (
            'Api(stack, "api", authorizers={"jwt": {"type": "lambda"}}, routes={"GET /": "functions/hello.main"})',
            "other types are not supported locally",
        ),
        (
            'Api(stack, "api", routes={"GET /": {"function": "functions/hello.main", "authorizer": "iam", '
            '"authorization_scopes": ["a"]}})',
            '"authorization_scopes" needs a jwt authorizer, not "iam"',
        ),
        ('Auth(stack, "other", login=["email"])', "login ['email'] is not supported locally"),
        ('Auth(stack, "other", token_validity={"id_token": 0})', "token_validity id_token must be a positive number"),
        ('Api(stack, "api", defaults={"authoriser": "jwt"})', '"defaults" takes only "function"'),
    ],
)
def test_mistakes_are_one_line_errors(tmp_path: Path, body: str, message: str) -> None:
    assert message in load_error(tmp_path, body)
