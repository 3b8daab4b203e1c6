"""API Gateway HTTP API (payload format 2.0) in one import: request → event, result → response.

The package holds the local API Gateway: `request` (the event a function receives), `response` (the response a
result becomes), `events` (their TypedDicts), `routes` (route selection), `cors`, the two authorizers
(`jwt_authorizer`, `iam_authorizer`) and the `gateway`, the ASGI app that ties them to an `Invoker`. This `__init__`
re-exports the request and response rules, which are pure: no I/O, no web framework. May import `app`, `runtime`'s
invocation types, `devserver.terminal` and `devserver.errors`.
"""

from __future__ import annotations

from devserver.apigw.request import (
    HttpRequest,
    RequestPathError,
    build_http_event,
    decode_request_path,
    encode_request_body,
    is_text_media_type,
)
from devserver.apigw.response import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    NOT_FOUND,
    HttpResponse,
    MalformedLambdaResponseError,
    parse_lambda_response,
    response_from_result,
)

__all__ = [
    "BAD_REQUEST",
    "INTERNAL_SERVER_ERROR",
    "NOT_FOUND",
    "HttpRequest",
    "HttpResponse",
    "MalformedLambdaResponseError",
    "RequestPathError",
    "build_http_event",
    "decode_request_path",
    "encode_request_body",
    "is_text_media_type",
    "parse_lambda_response",
    "response_from_result",
]
