"""The dev server's client for the emulator's JSON-protocol APIs (SQS, SNS's JSON-free siblings aside): one signed
`POST /` per call, over kept-alive connections (`devserver.http.loopback_client`).

The event-source pollers live in the dev server for the whole session, where boto3 is kept out of memory; they
make a handful of calls (receive, delete, change visibility), so a small client does. Requests are signed with the
emulator account's credentials (`devserver.http.sigv4`); errors come back as `AwsApiError` with AWS's code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from devserver.http.loopback_client import LoopbackHttpClient
from devserver.http.sigv4 import sign_json_post

__all__ = ["AwsApiError", "AwsJsonClient"]

_CONTENT_TYPE = "application/x-amz-json-1.0"


class AwsApiError(Exception):
    """An AWS error answer: `code` as AWS names it (`AWS.SimpleQueueService.NonExistentQueue`, ...)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status


class AwsJsonClient:
    """Calls `service`'s JSON API at `endpoint` (e.g. `await client.call("sqs", "AmazonSQS.ReceiveMessage", {...})`)."""

    def __init__(
        self,
        endpoint: str,
        *,
        region: str,
        access_key_id: str,
        secret_access_key: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._host = urlsplit(endpoint).netloc
        self._region = region
        self._credentials = (access_key_id, secret_access_key)
        self._clock = clock
        self._http = LoopbackHttpClient(endpoint.rstrip("/"))

    async def call(self, service: str, target: str, payload: Mapping[str, Any], *, timeout: float = 30.0) -> Any:
        """The decoded JSON answer; raises `AwsApiError` for an error answer (`LoopbackHttpError`, an `OSError`, when
        the emulator does not answer)."""
        body = json.dumps(payload).encode()
        headers = sign_json_post(
            host=self._host,
            headers={"content-type": _CONTENT_TYPE, "x-amz-target": target},
            body=body,
            service=service,
            region=self._region,
            access_key_id=self._credentials[0],
            secret_access_key=self._credentials[1],
            now=self._clock(),
        )
        response = await self._http.post("/", body, headers=list(headers.items()), timeout=timeout)
        answer = response.json() if response.content else {}
        if response.status_code >= 400:
            code = str(answer.get("__type", response.status_code)).rsplit("#", 1)[-1]
            raise AwsApiError(code, str(answer.get("message") or answer.get("Message") or ""), response.status_code)
        return answer

    async def aclose(self) -> None:
        await self._http.aclose()
