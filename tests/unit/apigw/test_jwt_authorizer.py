"""API Gateway's JWT authorizer decisions and the event context it builds, over a fake token verifier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from devserver.apigw.jwt_authorizer import FORBIDDEN, UNAUTHORIZED, authorize_jwt, bearer_token, claim_string
from devserver.app.model import PermissionSpec, RouteAuthorizer
from devserver.auth.errors import AuthError
from devserver.auth.identity_pool import identity_policy, identity_user_name

JWT = RouteAuthorizer("jwt", "auth", ("client1",))
CLAIMS = {"sub": "abc", "exp": 1700000000, "email_verified": True, "cognito:groups": ["admin", "dev"]}


class FakeVerifier:
    """Accepts the token "good" (with `claims`), refuses everything else, and records what it was asked."""

    def __init__(self, claims: Mapping[str, Any]) -> None:
        self.claims = claims
        self.calls: list[tuple[str, str, tuple[str, ...]]] = []

    def __call__(self, auth_id: str, token: str, client_ids: Sequence[str]) -> Mapping[str, Any]:
        self.calls.append((auth_id, token, tuple(client_ids)))
        if token != "good":
            raise AuthError("NotAuthorizedException", "bad token", status=401)
        return self.claims


@pytest.mark.parametrize("headers", [[], [("Authorization", "")], [("authorization", "Bearer bad")]])
def test_no_or_a_bad_token_is_unauthorized(headers: list[tuple[str, str]]) -> None:
    decision = authorize_jwt(JWT, headers, FakeVerifier(CLAIMS))
    assert decision.refusal == UNAUTHORIZED and decision.context is None
    assert UNAUTHORIZED.status == 401 and UNAUTHORIZED.body == b'{"message":"Unauthorized"}'


@pytest.mark.parametrize("value", ["Bearer good", "bearer good", "good"])
def test_a_good_token_passes_with_or_without_bearer(value: str) -> None:
    verifier = FakeVerifier(CLAIMS)
    decision = authorize_jwt(JWT, [("Authorization", value)], verifier)
    assert decision.refusal is None
    assert verifier.calls == [("auth", "good", ("client1",))]


def test_claims_reach_the_handler_as_strings_as_aws_sends_them() -> None:
    decision = authorize_jwt(JWT, [("authorization", "Bearer good")], FakeVerifier(CLAIMS))
    assert decision.context == {
        "jwt": {
            "claims": {"sub": "abc", "exp": "1700000000", "email_verified": "true", "cognito:groups": "[admin dev]"},
            "scopes": None,
        }
    }


def test_route_scopes_need_one_of_them_in_the_token() -> None:
    scoped = RouteAuthorizer("jwt", "auth", ("client1",), scopes=("files/write",))
    without = authorize_jwt(scoped, [("authorization", "good")], FakeVerifier({**CLAIMS, "scope": "files/read"}))
    assert without.refusal == FORBIDDEN
    with_scope = {**CLAIMS, "scope": "files/read files/write"}
    decision = authorize_jwt(scoped, [("authorization", "good")], FakeVerifier(with_scope))
    assert decision.context is not None and decision.context["jwt"]["scopes"] == ["files/read", "files/write"]  # type: ignore[index]


def test_bearer_token_and_claim_string_edge_cases() -> None:
    assert bearer_token(None) is None and bearer_token("Bearer ") is None and bearer_token(" Bearer  t ") == "t"
    assert claim_string(1.5) == "1.5" and claim_string(False) == "false" and claim_string({"a": 1}) == "map[a:1]"


def test_identity_policies_put_each_identity_in_its_own_folder() -> None:
    grant = PermissionSpec(("s3:*",), ("arn:aws:s3:::files/private/${cognito-identity.amazonaws.com:sub}/*",))
    policy = identity_policy([grant], "us-east-1:1234")
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::files/private/us-east-1:1234/*"]}
    ]
    assert identity_user_name("us-east-1:1234") == "sst-dev-identity-1234"
