"""The `iam` authorizer over real HTTP: SigV4-signed route requests (signed by botocore's signer through
`devserver.testing.signing.SigV4`), checked against the signer's policies by the emulator, with
`requestContext.authorizer.iam` in the event as API Gateway sends it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model
from botocore.credentials import Credentials

from devserver.testing.signing import SigV4
from tests.apps import make_app
from tests.servers import ServerThread

STACK = """
from devserver.constructs import Auth
auth = Auth(stack, "auth")
brief = Auth(stack, "brief", token_validity={"credentials": 2})
api = Api(stack, "api",
    defaults={"authorizer": "iam"},
    routes={"GET /whoami": "functions/me.main",
            "POST /notes/{name}": "functions/me.main",
            "GET /open": {"function": "functions/me.main", "authorizer": "none"}})
auth.attach_permissions_for_auth_users(stack, [api])
brief.attach_permissions_for_auth_users(stack, [api])
auth.attach_permissions_for_unauth_users(stack, [
    {"actions": ["execute-api:Invoke"], "resources": ["arn:aws:execute-api:*:*:*/$default/POST/notes/*"]},
])
"""

ME = """\
import json

def main(event, context):
    return {"event": json.dumps(event)}
"""

AUTH = "/_sst/auth/auth"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app = make_app(tmp_path_factory.mktemp("iam") / "app", STACK, {"functions/me.py": ME})
    with ServerThread(app) as running:
        yield running


def account_credentials(server: ServerThread) -> Credentials:
    endpoint = server.server.aws.endpoint
    return Credentials(endpoint.access_key_id, endpoint.secret_access_key)


def identity_credentials(
    client: httpx.Client, id_token: str | None = None, auth: str = AUTH
) -> tuple[str, Credentials]:
    headers = {"authorization": id_token} if id_token else {}
    issued = client.post(f"{auth}/credentials", headers=headers).json()
    keys = issued["Credentials"]
    return issued["IdentityId"], Credentials(keys["AccessKeyId"], keys["SecretKey"], keys["SessionToken"])


def signed_in_credentials(client: httpx.Client, username: str, auth: str = AUTH) -> tuple[str, Credentials]:
    client.post(f"{auth}/sign-up", json={"username": username, "password": "password1"}).raise_for_status()
    tokens = client.post(f"{auth}/sign-in", json={"username": username, "password": "password1"}).json()
    return identity_credentials(client, tokens["AuthenticationResult"]["IdToken"], auth)


def call(
    client: httpx.Client, path: str, credentials: Credentials, service: str = "execute-api", **options: Any
) -> httpx.Response:
    """A request signed as any AWS SDK signs one for an IAM-protected API."""
    signer = SigV4(credentials, region="us-east-1", service=service)
    return client.request(options.pop("method", "GET"), path, auth=signer, **options)


def event_of(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    event: dict[str, Any] = json.loads(answer.json()["event"])
    return event


def test_unsigned_requests_are_forbidden_and_open_routes_stay_open(client: httpx.Client) -> None:
    answer = client.get("/whoami")
    assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    assert event_of(client.get("/open"))["requestContext"].get("authorizer") is None


def test_the_account_key_passes_as_the_account_root(client: httpx.Client, server: ServerThread) -> None:
    credentials = account_credentials(server)
    event = event_of(call(client, "/whoami", credentials))
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["userArn"] == "arn:aws:iam::123456789012:root" and iam["accessKey"] == credentials.access_key
    assert iam["cognitoIdentity"] is None
    APIGatewayProxyEventV2Model.model_validate(event)


def test_a_signed_in_user_is_passed_with_their_cognito_identity(client: httpx.Client, server: ServerThread) -> None:
    identity_id, credentials = signed_in_credentials(client, "iris")
    body = json.dumps({"text": "a note with ünïcode"}).encode()
    json_type = {"content-type": "application/json"}
    answer = call(
        client, "/notes/my%20note?draft=1&tag=a&tag=b", credentials, method="POST", content=body, headers=json_type
    )
    event = event_of(answer)
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["cognitoIdentity"] == {
        "amr": ["authenticated"],
        "identityId": identity_id,
        "identityPoolId": server.server.app.auths[0].identity_pool_id,
    }
    assert iam["accessKey"] == credentials.access_key and iam["userId"] == iam["callerId"]
    assert event["pathParameters"] == {"name": "my note"} and event["body"] == body.decode()
    APIGatewayProxyEventV2Model.model_validate(event)


def test_a_caller_without_execute_api_invoke_is_refused_naming_the_route(client: httpx.Client) -> None:
    _, guest = identity_credentials(client)
    event_of(call(client, "/notes/x", guest, method="POST"))  # the guests' grant covers POST /notes/*
    answer = call(client, "/whoami", guest)
    assert answer.status_code == 403
    message = answer.json()["message"]
    assert "is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:" in message
    assert message.endswith("/$default/GET/whoami")


def test_bad_signatures_are_refused_with_api_gateways_messages(client: httpx.Client, server: ServerThread) -> None:
    credentials = account_credentials(server)
    signed = next(SigV4(credentials, region="us-east-1").auth_flow(client.build_request("POST", "/notes/a")))
    signature = {name: signed.headers[name] for name in ("authorization", "x-amz-date")}
    tampered = client.post("/notes/a", content=b"another body", headers=signature)
    assert tampered.status_code == 403 and tampered.json()["message"].startswith(
        "The request signature we calculated does not match"
    )
    wrong_secret = call(client, "/whoami", Credentials(credentials.access_key, "not-the-secret"))
    assert wrong_secret.json()["message"].startswith("The request signature we calculated does not match")
    unknown = call(client, "/whoami", Credentials("AKIANOTAKEY000000000", "x"))
    assert unknown.json() == {"message": "The security token included in the request is invalid."}
    for_s3 = call(client, "/whoami", credentials, service="s3")
    assert for_s3.json() == {"message": "Credential should be scoped to correct service: 'execute-api'."}
    garbled = client.get("/whoami", headers={"authorization": "AWS4-HMAC-SHA256 Credential=x"})
    assert garbled.status_code == 403 and "requires 'Signature' parameter" in garbled.json()["message"]


def test_expired_identity_credentials_are_refused(client: httpx.Client) -> None:
    _, credentials = signed_in_credentials(client, "jack", "/_sst/auth/brief")
    event_of(call(client, "/whoami", credentials))
    time.sleep(2.1)  # the "brief" Auth's credentials live two seconds (token_validity)
    answer = call(client, "/whoami", credentials)
    assert (answer.status_code, answer.json()) == (
        403,
        {"message": "The security token included in the request is expired"},
    )


def test_with_no_iam_signatures_are_still_checked_but_policies_are_not(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app", STACK, {"functions/me.py": ME})
    with ServerThread(app, enforce_iam=False) as running, running.client() as client:
        _, guest = identity_credentials(client)
        assert event_of(call(client, "/whoami", guest))["requestContext"]["authorizer"]["iam"]["accessKey"]
        assert client.get("/whoami").status_code == 403
