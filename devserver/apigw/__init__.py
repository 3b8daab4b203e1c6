"""API Gateway HTTP API (payload format 2.0) in one import: request → event, result → response.

The server imports from here; the rules live in `devserver.apigw.request` (the event a function receives) and
`devserver.apigw.response` (the response a result becomes). Pure: no I/O, no web framework.
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
