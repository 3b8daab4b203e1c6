"""API Gateway's `iam` authorizer, on the dev server's side: the emulator decides, the gateway asks.

How it works: the emulator holds every secret key and policy, so it verifies the request's SigV4 signature and
checks `execute-api:Invoke` (`emulator.iam.execute_api`). For each request to a route with `authorizer: "iam"` the
gateway posts what it received — method, path and query as sent, headers, the SHA-256 of the body, the route's
ARN — to the emulator's `/_sst/execute-api/authorize` over a kept-alive connection (`devserver.http.loopback_client`),
and gets either the `requestContext.authorizer.iam` the event carries or API Gateway's 403 answer. The body itself
stays here. A WebSocket API's management API asks the same way, for `execute-api:ManageConnections`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping

from devserver.apigw import HttpRequest
from devserver.apigw.jwt_authorizer import AuthorizerDecision, message_response
from devserver.http.loopback_client import LoopbackHttpClient, LoopbackHttpError
from emulator.iam.execute_api_path import AUTHORIZE_PATH

__all__ = [
    "INVOKE",
    "MANAGE_CONNECTIONS",
    "EmulatorIamAuthorizer",
    "IamAuthorize",
    "authorization_document",
    "decision_from_answer",
]

IamAuthorize = Callable[[HttpRequest, str], Awaitable[AuthorizerDecision]]
"""`(request, route ARN) -> decision`: what the gateway calls for a route with an `iam` authorizer."""

INVOKE = "execute-api:Invoke"
MANAGE_CONNECTIONS = "execute-api:ManageConnections"


def authorization_document(
    request: HttpRequest, resource_arn: str, *, enforce_policies: bool, action: str = INVOKE
) -> dict[str, object]:
    """What the emulator's authorizer reads (see `emulator.iam.execute_api`)."""
    return {
        "action": action,
        "method": request.method,
        "path": request.raw_path,
        "query": request.raw_query_string,
        "headers": [[name, value] for name, value in request.headers],
        "payloadHash": hashlib.sha256(request.body).hexdigest(),
        "resourceArn": resource_arn,
        "enforcePolicies": enforce_policies,
    }


def decision_from_answer(status: int, answer: Mapping[str, object]) -> AuthorizerDecision:
    """The emulator's answer as the gateway acts on it: its `iam` context, or its refusal sent as it is."""
    if status == 200 and isinstance(answer.get("iam"), Mapping):
        return AuthorizerDecision(context={"iam": answer["iam"]})
    if status == 403:
        return AuthorizerDecision(refusal=message_response(403, str(answer.get("message", "Forbidden"))))
    # An authorizer that fails is API Gateway's 500, never an open door.
    return AuthorizerDecision(refusal=message_response(500, "Internal Server Error"))


class EmulatorIamAuthorizer:
    """Asks the emulator at `endpoint()` (its URL, known once it runs); `enforce_policies=False` is `--no-iam`:
    signatures are still verified, policies are not."""

    def __init__(self, endpoint: Callable[[], str], *, enforce_policies: bool = True) -> None:
        self._endpoint = endpoint
        self._enforce_policies = enforce_policies
        self._client: LoopbackHttpClient | None = None

    async def __call__(self, request: HttpRequest, resource_arn: str, action: str = INVOKE) -> AuthorizerDecision:
        """Whether the request's signer may take `action` (a route's `execute-api:Invoke` by default) on the ARN."""
        endpoint = self._endpoint()
        if self._client is None or self._client.base_url != endpoint:  # the first call, or a restarted emulator
            if self._client is not None:
                await self._client.aclose()
            self._client = LoopbackHttpClient(endpoint)
        document = authorization_document(request, resource_arn, enforce_policies=self._enforce_policies, action=action)
        try:
            answer = await self._client.post(
                AUTHORIZE_PATH, json.dumps(document).encode(), headers=[("content-type", "application/json")]
            )
            return decision_from_answer(answer.status_code, answer.json())
        except (LoopbackHttpError, ValueError):
            return decision_from_answer(502, {})

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
