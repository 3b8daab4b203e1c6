"""Local Auth end to end over real HTTP: sign-up and sign-in, the jwt authorizer, refresh, expiry, and per-user
folders enforced by the emulator for identity-pool credentials (boto3)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from tests.apps import make_app
from tests.servers import ServerThread

STACK = """
from devserver.constructs import Auth
bucket = Bucket(stack, "files")
auth = Auth(stack, "auth")
short = Auth(stack, "short", token_validity={"id_token": 3, "credentials": 2})
folder = "arn:aws:s3:::" + bucket.bucket_name + "/private/${cognito-identity.amazonaws.com:sub}/*"
auth.attach_permissions_for_auth_users(stack, [{"actions": ["s3:*"], "resources": [folder]}])
short.attach_permissions_for_auth_users(stack, [{"actions": ["s3:*"], "resources": [folder]}])
auth.attach_permissions_for_unauth_users(stack, [
    {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::" + bucket.bucket_name + "/public/*"]},
])
Api(stack, "api",
    authorizers={"jwt": {"type": "user_pool",
                         "user_pool": {"id": auth.user_pool_id, "client_ids": [auth.user_pool_client_id]}},
                 "short": {"type": "user_pool", "user_pool": {"id": short.user_pool_id}}},
    defaults={"authorizer": "jwt"},
    routes={"GET /me": "functions/me.main",
            "GET /short": {"function": "functions/me.main", "authorizer": "short"},
            "GET /open": {"function": "functions/me.main", "authorizer": "none"}})
"""

ME = """\
def main(event, context):
    return {"authorizer": event["requestContext"].get("authorizer")}
"""

AUTH = "/_sst/auth/auth"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app = make_app(tmp_path_factory.mktemp("auth") / "app", STACK, {"functions/me.py": ME})
    with ServerThread(app) as running:
        yield running


def signed_in(client: httpx.Client, username: str, auth: str = AUTH) -> dict[str, Any]:
    client.post(f"{auth}/sign-up", json={"username": username, "password": "password1"}).raise_for_status()
    answer = client.post(f"{auth}/sign-in", json={"username": username, "password": "password1"})
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()["AuthenticationResult"]
    return result


def s3_with(server: ServerThread, credentials: dict[str, str]) -> Any:
    return client_with(server, "s3", credentials)


def client_with(server: ServerThread, service: str, credentials: dict[str, str]) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.server.aws.emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretKey"],
        aws_session_token=credentials["SessionToken"],
    )


def bucket_of(server: ServerThread) -> str:
    return server.server.app.buckets[0].name


def test_a_protected_route_refuses_requests_without_a_valid_token(client: httpx.Client) -> None:
    for headers in ({}, {"authorization": "Bearer nonsense"}, {"authorization": "Bearer a.b.c"}):
        answer = client.get("/me", headers=headers)
        assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"})
    assert client.get("/open").json() == {"authorizer": None}


def test_a_signed_in_user_reaches_the_route_with_their_claims(client: httpx.Client) -> None:
    tokens = signed_in(client, "carol")
    answer = client.get("/me", headers={"authorization": f"Bearer {tokens['IdToken']}"})
    assert answer.status_code == 200
    jwt_context = answer.json()["authorizer"]["jwt"]
    claims = jwt_context["claims"]
    assert claims["cognito:username"] == "carol" and claims["token_use"] == "id"
    assert all(isinstance(value, str) for value in claims.values())
    assert jwt_context["scopes"] is None
    access = client.get("/me", headers={"authorization": tokens["AccessToken"]}).json()["authorizer"]["jwt"]
    assert access["scopes"] == ["aws.cognito.signin.user.admin"] and access["claims"]["username"] == "carol"


def test_sign_in_refusals_use_cognitos_codes(client: httpx.Client) -> None:
    signed_in(client, "dave")
    wrong = client.post(f"{AUTH}/sign-in", json={"username": "dave", "password": "not-the-password"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "NotAuthorizedException"
    again = client.post(f"{AUTH}/sign-up", json={"username": "dave", "password": "password1"})
    assert again.json() == {"code": "UsernameExistsException", "message": "User already exists", "value": "dave"}
    unknown = client.post("/_sst/auth/nope/sign-in", json={"username": "dave", "password": "password1"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "ResourceNotFoundException"


def test_tokens_expire_and_a_refresh_token_gets_new_ones(client: httpx.Client) -> None:
    short = "/_sst/auth/short"
    tokens = signed_in(client, "erin", short)
    assert client.get("/me", headers={"authorization": tokens["IdToken"]}).status_code == 401  # another pool's
    # The "short" Auth's id tokens live three seconds (token_validity). `exp` is in whole seconds, so a token
    # is good for 2-3 s: long enough to use right away on a loaded machine, and surely expired after 3.1 s.
    time.sleep(3.1)
    assert client.get("/short", headers={"authorization": tokens["IdToken"]}).status_code == 401
    fresh = client.post(f"{short}/token", data={"grant_type": "refresh_token", "refresh_token": tokens["RefreshToken"]})
    assert fresh.status_code == 200 and fresh.json()["token_type"] == "Bearer"
    assert client.get("/short", headers={"authorization": fresh.json()["id_token"]}).status_code == 200
    refused = client.post(f"{short}/token", data={"grant_type": "refresh_token", "refresh_token": "made-up"})
    assert refused.status_code == 400 and refused.json()["code"] == "NotAuthorizedException"
    foreign = client.post(
        f"{AUTH}/token", json={"grant_type": "refresh_token", "refresh_token": tokens["RefreshToken"]}
    )
    assert foreign.status_code == 400  # a refresh token belongs to its own pool


def test_the_jwks_is_served_at_the_issuer(client: httpx.Client, server: ServerThread) -> None:
    tokens = signed_in(client, "frank")
    import jwt

    issuer = jwt.decode(tokens["IdToken"], options={"verify_signature": False})["iss"]
    assert issuer == server.url() + AUTH
    keys = httpx.get(f"{issuer}/.well-known/jwks.json").json()["keys"]
    public = jwt.PyJWK(keys[0]).key
    audience = server.server.app.auths[0].user_pool_client_id
    claims = jwt.decode(
        tokens["IdToken"], public, algorithms=["RS256"], audience=audience, issuer=issuer, options={"verify_exp": False}
    )
    assert claims["cognito:username"] == "frank"


def test_each_user_reads_and_writes_only_their_own_folder(client: httpx.Client, server: ServerThread) -> None:
    a_tokens, b_tokens = signed_in(client, "alice"), signed_in(client, "bob")
    a = client.post(f"{AUTH}/credentials", headers={"authorization": f"Bearer {a_tokens['IdToken']}"}).json()
    b = client.post(f"{AUTH}/credentials", headers={"authorization": f"Bearer {b_tokens['IdToken']}"}).json()
    assert a["IdentityId"].startswith("us-east-1:") and a["IdentityId"] != b["IdentityId"]
    again = client.post(f"{AUTH}/credentials", headers={"authorization": f"Bearer {a_tokens['IdToken']}"}).json()
    assert again["IdentityId"] == a["IdentityId"]  # stable per user, as Cognito's identity ids
    bucket = bucket_of(server)
    alice, bob = s3_with(server, a["Credentials"]), s3_with(server, b["Credentials"])
    own = f"private/{a['IdentityId']}/notes.txt"
    alice.put_object(Bucket=bucket, Key=own, Body=b"mine")
    assert alice.get_object(Bucket=bucket, Key=own)["Body"].read() == b"mine"
    bob.put_object(Bucket=bucket, Key=f"private/{b['IdentityId']}/notes.txt", Body=b"bob's")
    for attempt in (
        lambda: bob.get_object(Bucket=bucket, Key=own),
        lambda: bob.put_object(Bucket=bucket, Key=own, Body=b"overwritten"),
        lambda: alice.get_object(Bucket=bucket, Key=f"private/{b['IdentityId']}/notes.txt"),
        lambda: alice.list_objects_v2(Bucket=bucket),
    ):
        with pytest.raises(ClientError) as refused:
            attempt()
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert alice.get_object(Bucket=bucket, Key=own)["Body"].read() == b"mine"


def test_identity_credentials_need_their_session_token_and_expire(client: httpx.Client, server: ServerThread) -> None:
    short = "/_sst/auth/short"
    tokens = signed_in(client, "ivy", short)
    issued = client.post(f"{short}/credentials", headers={"authorization": tokens["IdToken"]}).json()
    credentials, bucket = issued["Credentials"], bucket_of(server)
    expires = datetime.datetime.fromisoformat(credentials["Expiration"].replace("Z", "+00:00")).timestamp()
    assert 1.0 < expires - time.time() <= 2.0  # the "short" Auth's credentials live two seconds
    key = f"private/{issued['IdentityId']}/note.txt"
    s3_with(server, credentials).put_object(Bucket=bucket, Key=key, Body=b"in time")

    def refusal(call: Any) -> tuple[str, str]:
        with pytest.raises(ClientError) as refused:
            call()
        error = refused.value.response["Error"]
        return error["Code"], error["Message"]

    without_token = {**credentials, "SessionToken": None}
    assert refusal(lambda: s3_with(server, without_token).get_object(Bucket=bucket, Key=key)) == (
        "InvalidToken",
        "The provided token is malformed or otherwise invalid.",
    )
    forged = {**credentials, "SessionToken": credentials["SessionToken"][:-2] + "xx"}
    ssm = client_with(server, "ssm", forged)
    assert refusal(lambda: ssm.get_parameter(Name="/any"))[0] == "UnrecognizedClientException"
    time.sleep(2.1)
    assert refusal(lambda: s3_with(server, credentials).get_object(Bucket=bucket, Key=key)) == (
        "ExpiredToken",
        "The provided token has expired.",
    )
    fresh_tokens = client.post(
        f"{short}/token", data={"grant_type": "refresh_token", "refresh_token": tokens["RefreshToken"]}
    ).json()
    renewed = client.post(f"{short}/credentials", headers={"authorization": fresh_tokens["id_token"]}).json()
    assert renewed["IdentityId"] == issued["IdentityId"]
    assert s3_with(server, renewed["Credentials"]).get_object(Bucket=bucket, Key=key)["Body"].read() == b"in time"


def test_guests_get_their_own_policy_and_deleted_users_lose_everything(
    client: httpx.Client, server: ServerThread
) -> None:
    bucket = bucket_of(server)
    guest = client.post(f"{AUTH}/credentials").json()
    guest_s3 = s3_with(server, guest["Credentials"])
    with pytest.raises(ClientError) as refused:
        guest_s3.get_object(Bucket=bucket, Key="public/missing.txt")
    assert refused.value.response["Error"]["Code"] == "NoSuchKey"  # allowed to look: the key just is not there
    with pytest.raises(ClientError) as refused:
        guest_s3.put_object(Bucket=bucket, Key=f"private/{guest['IdentityId']}/x", Body=b"")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    same = client.post(f"{AUTH}/credentials", json={"IdentityId": guest["IdentityId"]}).json()
    assert same["IdentityId"] == guest["IdentityId"]

    tokens = signed_in(client, "gina")
    issued = client.post(f"{AUTH}/credentials", headers={"authorization": tokens["IdToken"]}).json()
    server.server.auth.delete_user("auth", "gina")
    assert client.get("/me", headers={"authorization": tokens["AccessToken"]}).status_code == 401
    with pytest.raises(ClientError) as refused:
        s3_with(server, issued["Credentials"]).put_object(
            Bucket=bucket, Key=f"private/{issued['IdentityId']}/x", Body=b""
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_the_console_lists_creates_and_deletes_users(client: httpx.Client, server: ServerThread) -> None:
    created = client.post("/_sst/api/auth/auth/users", json={"username": "hank", "password": "password1"})
    assert created.status_code == 201 and created.json()["username"] == "hank"
    assert "passwordHash" not in created.json() and "password_hash" not in created.json()
    auths = {auth["id"]: auth for auth in client.get("/_sst/api/auth").json()["auths"]}
    assert set(auths) == {"auth", "short"}
    assert auths["auth"]["userPoolId"] == server.server.app.auths[0].user_pool_id
    assert "hank" in [user["username"] for user in auths["auth"]["users"]]
    tokens = client.post(f"{AUTH}/sign-in", json={"username": "hank", "password": "password1"}).json()
    id_token = tokens["AuthenticationResult"]["IdToken"]
    assert client.get("/me", headers={"authorization": id_token}).status_code == 200

    foreign = client.delete("/_sst/api/auth/auth/users/hank", headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert client.delete("/_sst/api/auth/auth/users/hank").json()["username"] == "hank"
    assert client.get("/me", headers={"authorization": id_token}).status_code == 401
    missing = client.delete("/_sst/api/auth/auth/users/hank")
    assert missing.status_code == 404 and missing.json()["code"] == "UserNotFoundException"
    weak = client.post("/_sst/api/auth/auth/users", json={"username": "ivy", "password": "short"})
    assert weak.status_code == 400 and weak.json()["code"] == "InvalidPasswordException"
