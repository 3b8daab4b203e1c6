"""A Lambda function's result as the HTTP response an API Gateway HTTP API (payload format 2.0) sends.

What AWS does and we mirror:

- A JSON object with `statusCode` is a response: `headers` (a map of scalars), `cookies` (each becomes its own
  `Set-Cookie` header), `body` (a string, or none for an empty body) and `isBase64Encoded` (the body is base64
  and is decoded before sending, whatever the content type). Other keys are ignored, as HTTP APIs ignore them.
  With no `content-type` header, HTTP APIs answer `text/plain; charset=utf-8`.
- Any other result (an object without `statusCode`, a list, a number, null) is inferred as 200 with
  `content-type: application/json` and the result's JSON as the body. A string result is the body itself,
  unquoted, as AWS's documented example shows ("Hello from Lambda!" becomes the body `Hello from Lambda!`).
- A malformed response (a status that is not an integer from 100 to 599, a non-string body, headers that are not
  a map of scalars or would break the HTTP message, cookies that are not a list of strings, a body flagged base64
  that is not) makes API Gateway answer 500 `{"message":"Internal Server Error"}`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BAD_REQUEST",
    "INTERNAL_SERVER_ERROR",
    "NOT_FOUND",
    "HttpResponse",
    "MalformedLambdaResponseError",
    "parse_lambda_response",
    "response_from_result",
]

_JSON = "application/json"
_DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8"
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_HEADER_VALUE_BREAK = re.compile(r"[\r\n\0]")


@dataclass(frozen=True)
class HttpResponse:
    """The status, headers (name, value pairs in order; a name may repeat) and body to send to the client.

    Responses built here carry a tuple of headers, so the shared constants cannot be changed by a caller.
    """

    status: int
    headers: Sequence[tuple[str, str]]
    body: bytes


def _message_response(status: int, message: str) -> HttpResponse:
    # API Gateway's own error responses: a JSON object with one `message`, compact.
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status, (("content-type", _JSON),), body)


NOT_FOUND = _message_response(404, "Not Found")
"""What API Gateway answers when no route matches."""
INTERNAL_SERVER_ERROR = _message_response(500, "Internal Server Error")
"""What API Gateway answers when the function fails, times out or returns a malformed response."""
BAD_REQUEST = _message_response(400, "Bad Request")
"""What API Gateway answers for a request it cannot parse (such as an invalid percent-encoded path)."""


class MalformedLambdaResponseError(ValueError):
    """A result with `statusCode` that API Gateway cannot turn into a response (it answers 500)."""

    code = "MalformedLambdaProxyResponse"

    def __init__(self, problem: str, result: object) -> None:
        super().__init__(f"Malformed Lambda proxy response: {problem}")
        self.result = result


def response_from_result(result: object) -> HttpResponse:
    """The response for a function's JSON-decoded result; `INTERNAL_SERVER_ERROR` when it is malformed."""
    try:
        return parse_lambda_response(result)
    except MalformedLambdaResponseError:
        return INTERNAL_SERVER_ERROR


def parse_lambda_response(result: object) -> HttpResponse:
    """The response for a function's JSON-decoded result; raises `MalformedLambdaResponseError` saying why."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return _inferred_response(result)
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedLambdaResponseError(f"statusCode must be an integer from 100 to 599, not {status!r}", result)
    headers = _headers(result.get("headers"), result)
    headers.extend(("set-cookie", cookie) for cookie in _cookies(result.get("cookies"), result))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("content-type", _DEFAULT_CONTENT_TYPE))
    body = _body(result.get("body"), result.get("isBase64Encoded", False), result)
    return HttpResponse(status, tuple(headers), body)


def _inferred_response(result: object) -> HttpResponse:
    if isinstance(result, str):
        text = result
    else:
        try:
            # The Python runtime serialises the return value with json.dumps' defaults; API Gateway passes it on.
            text = json.dumps(result)
        except (TypeError, ValueError) as error:
            raise MalformedLambdaResponseError(f"the result is not JSON ({error})", result) from error
    return HttpResponse(200, (("content-type", _JSON),), text.encode("utf-8", "replace"))


def _headers(value: object, result: object) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise MalformedLambdaResponseError(f"headers must be an object of strings, not {value!r}", result)
    headers: list[tuple[str, str]] = []
    for name, header_value in value.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise MalformedLambdaResponseError(f"{name!r} is not a valid header name", result)
        if isinstance(header_value, bool):
            text = "true" if header_value else "false"
        elif isinstance(header_value, str | int | float):
            text = str(header_value)
        else:
            raise MalformedLambdaResponseError(f"header {name!r} must be a string, not {header_value!r}", result)
        if _HEADER_VALUE_BREAK.search(text):
            raise MalformedLambdaResponseError(f"header {name!r} has a line break in its value", result)
        headers.append((name, text))
    return headers


def _cookies(value: object, result: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(cookie, str) for cookie in value):
        raise MalformedLambdaResponseError(f"cookies must be a list of strings, not {value!r}", result)
    if any(_HEADER_VALUE_BREAK.search(cookie) for cookie in value):
        raise MalformedLambdaResponseError("a cookie has a line break in it", result)
    return value


def _body(value: object, is_base64_encoded: object, result: object) -> bytes:
    if not isinstance(is_base64_encoded, bool):
        raise MalformedLambdaResponseError(f"isBase64Encoded must be true or false, not {is_base64_encoded!r}", result)
    if value is None:
        return b""
    if not isinstance(value, str):
        raise MalformedLambdaResponseError(f"body must be a string, not {type(value).__name__}", result)
    if not is_base64_encoded:
        return value.encode("utf-8", "replace")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedLambdaResponseError("body is flagged isBase64Encoded but is not valid base64", result) from error
