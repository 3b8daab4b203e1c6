"""AWS Signature Version 4 for the dev server's own calls to the emulator: header-signed JSON POSTs. Pure.

The dev server keeps botocore out of its memory (boto3 runs in short-lived children), yet its event-source pollers
call SQS and friends all session long, so they sign requests with this: the algorithm AWS documents ("Create a
signed AWS API request"), for one request shape, `POST /` with a JSON body. A test checks it against botocore's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

__all__ = ["sign_json_post"]

_ALGORITHM = "AWS4-HMAC-SHA256"


def sign_json_post(
    *,
    host: str,
    headers: Mapping[str, str],
    body: bytes,
    service: str,
    region: str,
    access_key_id: str,
    secret_access_key: str,
    now: datetime,
) -> dict[str, str]:
    """The headers to send: `headers` (names lower-case) plus `host`, `x-amz-date` and `authorization`."""
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    signed = {**{name.lower(): value.strip() for name, value in headers.items()}, "host": host, "x-amz-date": amz_date}
    names = sorted(signed)
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join([_ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret_access_key}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (
        f"{_ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return {**signed, "authorization": authorization}
