"""The `context` object a handler receives, with the attributes of the AWS Python runtime's `LambdaContext`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from devserver.app.naming import ACCOUNT_ID

__all__ = ["LambdaContext", "function_arn"]


def function_arn(region: str, function_name: str) -> str:
    """`arn:aws:lambda:REGION:ACCOUNT:function:NAME`, the ARN an unqualified invoke reports."""
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"


class LambdaContext:
    """Per-invocation facts, read from the worker's Lambda environment variables like the AWS runtime does.

    `clock` returns seconds since the epoch; it is a parameter so tests can pin the remaining time.
    """

    def __init__(
        self,
        *,
        aws_request_id: str,
        invoked_function_arn: str,
        deadline_ms: int,
        environ: Mapping[str, str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        # Only set for invocations through the mobile SDKs; API Gateway and S3 invocations have neither.
        self.identity: object | None = None
        self.client_context: object | None = None
        self._deadline_ms = deadline_ms
        self._clock = clock

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out (never negative), as an int like AWS."""
        return max(0, self._deadline_ms - int(self._clock() * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(aws_request_id={self.aws_request_id!r}, function_name={self.function_name!r}, "
            f"invoked_function_arn={self.invoked_function_arn!r})"
        )
