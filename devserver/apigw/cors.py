"""CORS for an `Api`, as API Gateway HTTP APIs answer it with SST's default (`cors: true`).

SST's default allows every origin, header and method. API Gateway then answers preflight requests itself
(they never reach a function) and adds the allow-origin header to responses of requests that carry `Origin`.
Pure functions over header lists.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["preflight_response_headers", "response_cors_headers"]

Headers = Sequence[tuple[str, str]]
_MAX_AGE_SECONDS = "86400"


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def preflight_response_headers(request_headers: Headers) -> list[tuple[str, str]]:
    """The headers of the 204 API Gateway sends for an `OPTIONS` preflight."""
    method = _header(request_headers, "access-control-request-method") or "*"
    requested_headers = _header(request_headers, "access-control-request-headers")
    headers = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", method),
        ("access-control-max-age", _MAX_AGE_SECONDS),
    ]
    if requested_headers:
        headers.append(("access-control-allow-headers", requested_headers))
    return headers


def response_cors_headers(request_headers: Headers) -> list[tuple[str, str]]:
    """What API Gateway adds to an ordinary response: the allow-origin header, only for cross-origin requests."""
    if _header(request_headers, "origin") is None:
        return []
    return [("access-control-allow-origin", "*"), ("access-control-expose-headers", "*")]
