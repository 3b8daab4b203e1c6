"""The IAM guard in front of moto: requests signed with a function's key are checked against its policy."""

from __future__ import annotations

import asyncio
import json

import httpx

from emulator.iam.guard import IamGuard
from emulator.iam.policy import Identity, statements_of
from emulator.middleware import Receive, Scope, Send

FUNCTION_KEY = "AKIAFUNCTION"
POLICY = {
    "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mine", "arn:aws:s3:::mine/*"]},
        {"Effect": "Allow", "Action": "ssm:GetParameters",
         "Resource": "arn:aws:ssm:us-east-1:123456789012:parameter/sst/app/dev/Secret/MINE/value"},
    ]
}  # fmt: skip
IDENTITY = Identity("arn:aws:iam::123456789012:user/fn", statements_of(POLICY))


def sigv4(key: str, service: str) -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20261122/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
    )


class Moto:
    """Stands in for moto: answers 200 and keeps the bodies it received."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.bodies.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"moto"})


def request(method: str, url: str, **kwargs: object) -> tuple[httpx.Response, Moto]:
    moto = Moto()
    guard = IamGuard(
        moto,
        lookup_identity=lambda key: IDENTITY if key == FUNCTION_KEY else None,
        account_id="123456789012",
        region="us-east-1",
    )

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=guard)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:4566") as client:
            return await client.request(method, url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(send()), moto


def test_requests_from_the_account_key_or_unsigned_pass_untouched() -> None:
    assert request("GET", "/other/k", headers={"Authorization": sigv4("test", "s3")})[0].text == "moto"
    assert request("GET", "/other/k")[0].text == "moto"


def test_a_function_may_use_its_bound_bucket() -> None:
    assert request("PUT", "/mine/a.txt", headers={"Authorization": sigv4(FUNCTION_KEY, "s3")})[0].text == "moto"


def test_a_function_touching_another_bucket_gets_s3s_access_denied() -> None:
    response, moto = request("GET", "/other/k.txt", headers={"Authorization": sigv4(FUNCTION_KEY, "s3")})
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert (
        "User: arn:aws:iam::123456789012:user/fn is not authorized to perform: s3:GetObject on resource: "
        "arn:aws:s3:::other/k.txt because no identity-based policy allows the s3:GetObject action" in response.text
    )
    assert moto.bodies == []


def test_presigned_requests_are_checked_for_the_signer() -> None:
    query = f"X-Amz-Credential={FUNCTION_KEY}%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0"
    assert request("GET", f"/other/k?{query}")[0].status_code == 403
    assert request("GET", f"/mine/k?{query}")[0].status_code == 200


def test_ssm_reads_are_checked_per_parameter_and_the_body_reaches_moto() -> None:
    body = json.dumps({"Names": ["/sst/app/dev/Secret/MINE/value"], "WithDecryption": True}).encode()
    headers = {"Authorization": sigv4(FUNCTION_KEY, "ssm"), "X-Amz-Target": "AmazonSSM.GetParameters"}
    allowed, moto = request("POST", "/", content=body, headers=headers)
    assert allowed.status_code == 200 and moto.bodies == [body]

    other = json.dumps({"Names": ["/sst/app/dev/Secret/THEIRS/value"]}).encode()
    denied, moto = request("POST", "/", content=other, headers=headers)
    assert denied.status_code == 400
    assert denied.json()["__type"] == "AccessDeniedException"
    assert (
        "ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123456789012:parameter/sst/app/dev/Secret/THEIRS"
        in (denied.json()["message"])
    )
    assert moto.bodies == []
