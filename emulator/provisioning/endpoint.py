"""The emulator's provisioning endpoint, and the gate that holds requests until the app's resources exist.

How it works: `ProvisioningEndpoint` sits in front of everything else the emulator serves. A `POST /` whose
`x-amz-target` is `SstDev.Provision`, signed with SigV4 for the service `sst-dev` by the emulator account's own key
(a function's key is refused: 403), carries a `ProvisioningPlan` as JSON; the plan is applied on a thread, one plan
at a time, and answered `200 {}` — or `400 {"__type": "ValidationException", "message": ...}` naming the field or
resource at fault. The answers follow AWS's JSON protocol, so `devserver.http.aws_json.AwsJsonClient` is its client.

With `hold=True` (as `sst-dev start` runs it), every other request waits until the first plan has been applied or
refused. The dev server sends that plan as soon as it has spawned the emulator — the request waits in the listen
backlog while the emulator starts — and can then start a function's worker at once: the function's first AWS call
is held here, never answered by an emulator that lacks its bucket or its IAM user.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable

from emulator.asgi_messages import header_map, read_body
from emulator.iam.sigv4 import HeaderSignedRequest, SignatureRefused, verify_header_signature
from emulator.middleware import ASGIApp, Receive, Scope, Send
from emulator.provisioning.plan import (
    PROVISION_SERVICE,
    PROVISION_TARGET,
    PlanError,
    ProvisioningFailed,
    ProvisioningPlan,
)
from emulator.s3.presign import SecretKeyLookup

__all__ = ["ProvisioningEndpoint"]


class ProvisioningEndpoint:
    """Answers provisioning requests (see the module docstring) and passes everything else to `app`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        apply: Callable[[ProvisioningPlan], None],
        account_access_key_id: str,
        lookup_secret_key: SecretKeyLookup,
        region: str,
        hold: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._apply = apply
        self._account_key = account_access_key_id
        self._lookup_secret_key = lookup_secret_key
        self._region = region
        self._clock = clock
        self._one_at_a_time = asyncio.Lock()
        self._first_plan_done = asyncio.Event()
        if not hold:
            self._first_plan_done.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and header_map(scope).get("x-amz-target") == PROVISION_TARGET:
            status, answer = await self._provision(scope, receive)
            body = json.dumps(answer).encode()
            headers = [(b"content-type", b"application/x-amz-json-1.0"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if not self._first_plan_done.is_set():
            await self._first_plan_done.wait()
        await self._app(scope, receive, send)

    async def _provision(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, object]]:
        body = await read_body(receive)
        request = HeaderSignedRequest(
            method=scope["method"],
            path=scope.get("raw_path", scope["path"].encode()).decode(),
            query=scope.get("query_string", b"").decode(),
            headers=header_map(scope),
            payload_hash=hashlib.sha256(body).hexdigest(),
        )
        try:
            signer = verify_header_signature(
                request,
                service=PROVISION_SERVICE,
                region=self._region,
                lookup_secret_key=self._lookup_secret_key,
                now=self._clock(),
            )
        except SignatureRefused as refused:
            return 403, _error("AccessDeniedException", str(refused))
        if signer.access_key_id != self._account_key:
            return 403, _error("AccessDeniedException", "only the emulator account's own key may provision")
        try:
            plan = ProvisioningPlan.from_document(json.loads(body))
        except (ValueError, PlanError) as error:  # json.JSONDecodeError is a ValueError
            self._first_plan_done.set()
            return 400, _error("ValidationException", f"not a provisioning plan: {error}")
        async with self._one_at_a_time:
            try:
                await asyncio.to_thread(self._apply, plan)
            except ProvisioningFailed as failed:
                return 400, _error("ValidationException", str(failed))
            finally:
                self._first_plan_done.set()
        return 200, {}


def _error(code: str, message: str) -> dict[str, object]:
    return {"__type": code, "message": message}
