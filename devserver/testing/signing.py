"""SigV4 signing for httpx, as AWS SDKs sign calls to an API whose routes use the `iam` authorizer.

```python
from botocore.credentials import Credentials
from devserver.testing.signing import SigV4

client = httpx.Client(auth=SigV4(Credentials(key, secret, token), region="us-east-1"))
client.get("http://127.0.0.1:3000/whoami")   # signed for execute-api, body and headers included
```

botocore's own signer does the work: every header httpx sends is signed, with the body's SHA-256.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

__all__ = ["SigV4"]

_ADDED_HEADERS = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")


class SigV4(httpx.Auth):
    """An `httpx.Auth` that signs each request for `service` (API Gateway's `execute-api` by default)."""

    requires_request_body = True

    def __init__(self, credentials: Credentials, *, region: str, service: str = "execute-api") -> None:
        self._signer = SigV4Auth(credentials, service, region)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        signed = AWSRequest(
            method=request.method, url=str(request.url), data=request.content, headers=dict(request.headers)
        )
        self._signer.add_auth(signed)
        for name in _ADDED_HEADERS:
            if name in signed.headers:
                request.headers[name] = signed.headers[name]
        yield request
