"""What S3 answered a boto3 call it refused: status, error code, message and headers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    headers: dict[str, str]


def refusal(call: Callable[[], object]) -> Refusal:
    """What `call` was answered; fails the test when it succeeds."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    error, metadata = response.get("Error", {}), response["ResponseMetadata"]
    return Refusal(metadata["HTTPStatusCode"], error.get("Code", ""), error.get("Message", ""), metadata["HTTPHeaders"])


def error_of(call: Callable[[], object]) -> tuple[int, str]:
    """The status and S3 error code `call` was answered with."""
    refused = refusal(call)
    return refused.status, refused.code
