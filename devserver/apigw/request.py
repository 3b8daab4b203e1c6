"""An HTTP request as the API Gateway HTTP API payload format 2.0 event a Lambda function receives.

Pure functions over a small `HttpRequest` value; the server that owns the socket builds the request. What AWS
does and we mirror (checked against AWS's documented example and published captures of live HTTP API events):

- `rawPath` and `requestContext.http.path` are *decoded*, not the bytes on the wire: HTTP APIs percent-decode the
  path, cut it at a decoded `?`, and decode it a second time (`%252F` arrives as `/`); a path whose second
  decoding fails (`%25zz`) is rejected with 400. Routes are matched on that decoded path, so `%2F` separates
  segments and path parameters arrive decoded.
- Header names are lower-cased and repeated headers joined with `,`; `Cookie` headers leave `headers` and become
  the `cookies` list. `x-forwarded-for`/`-port`/`-proto` and `x-amzn-trace-id` are added, as API Gateway adds them.
- `queryStringParameters` are decoded (`+` is a space) with repeated keys joined by `,`; `rawQueryString` is as
  sent. `cookies`, `queryStringParameters`, `pathParameters` and `body` are left out when there are none.
- The body is a string only for text media types (`text/*`, `application/json`, `application/xml`,
  `application/javascript`); anything else, a missing `Content-Type` and `application/x-www-form-urlencoded`
  included, is base64 with `isBase64Encoded: true`. A "text" body that is not valid UTF-8 is sent as base64 too.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from urllib.parse import parse_qsl, unquote

from devserver.apigw.events import HttpApiEventV2, HttpApiRequestContextV2

__all__ = [
    "HttpRequest",
    "RequestPathError",
    "build_http_event",
    "decode_request_path",
    "encode_request_body",
    "is_text_media_type",
    "request_time",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class RequestPathError(ValueError):
    """A request path API Gateway refuses with 400 Bad Request (a `%` that is not a valid escape once decoded)."""

    code = "BadRequestPath"

    def __init__(self, raw_path: str) -> None:
        super().__init__(f'Request path "{raw_path}" is not a valid percent-encoded path')
        self.raw_path = raw_path


def decode_request_path(raw_path: str) -> str:
    """The path an HTTP API routes on and puts in `rawPath`, from the path as sent; raises `RequestPathError`."""
    once = unquote(raw_path or "/").partition("?")[0]
    if _BAD_ESCAPE.search(once):
        raise RequestPathError(raw_path)
    return unquote(once)


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request as the server received it.

    `raw_path` is the path as sent (still percent-encoded), `raw_query_string` the part after `?` as sent,
    `headers` the (name, value) pairs in arrival order. `host` (`host[:port]`, the server's own address) stands
    in for a missing `Host` header; the event's `domainName` and `x-forwarded-port` come from the `Host` header.
    """

    method: str
    raw_path: str
    raw_query_string: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    host: str = "localhost"
    scheme: str = "http"

    @cached_property
    def path(self) -> str:
        """The decoded path API Gateway routes on (see `decode_request_path`); raises `RequestPathError`."""
        return decode_request_path(self.raw_path)


def is_text_media_type(content_type: str | None) -> bool:
    """Whether an HTTP API hands a body of this `Content-Type` to Lambda as a string rather than base64."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in _TEXT_MEDIA_TYPES


def encode_request_body(body: bytes, content_type: str | None) -> tuple[str | None, bool]:
    """The event's `body` and `isBase64Encoded` for a request body: None for no body."""
    if not body:
        return None, False
    if is_text_media_type(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def build_http_event(
    request: HttpRequest,
    *,
    route_key: str,
    path_parameters: Mapping[str, str] | None,
    api_id: str,
    account_id: str,
    request_id: str,
    now: datetime | float,
    stage: str = "$default",
) -> HttpApiEventV2:
    """The payload format 2.0 event for `request` matched to `route_key`; `now` is a datetime or epoch seconds.

    Raises `RequestPathError` for a path API Gateway would refuse (check `request.path` before routing).
    """
    when = datetime.fromtimestamp(now, UTC) if isinstance(now, int | float) else now.astimezone(UTC)
    headers, cookies = _headers_and_cookies(request, when, request_id)
    domain_name, domain_prefix = _domain(headers["host"])
    context: HttpApiRequestContextV2 = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain_name,
        "domainPrefix": domain_prefix,
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": request_time(when),
        "timeEpoch": (when - _EPOCH) // _MILLISECOND,
    }
    event: HttpApiEventV2 = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.raw_query_string,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query = _query_parameters(request.raw_query_string)
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    body, encoded = encode_request_body(request.body, headers.get("content-type"))
    if body is not None:
        event["body"] = body
        event["isBase64Encoded"] = encoded
    return event


def _headers_and_cookies(request: HttpRequest, when: datetime, request_id: str) -> tuple[dict[str, str], list[str]]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, raw_value in request.headers:
        key, value = name.lower(), raw_value.strip(" \t")  # edge whitespace is not in a value (RFC 9110)
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        elif key in headers:
            headers[key] = f"{headers[key]},{value}"
        else:
            headers[key] = value
    headers.setdefault("host", request.host)
    forwarded_for = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip
    headers["x-forwarded-port"] = _port(headers["host"], request.scheme)
    headers["x-forwarded-proto"] = request.scheme
    headers.setdefault("x-amzn-trace-id", _trace_id(when, request_id))
    return headers, cookies


def _query_parameters(raw_query_string: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    if not raw_query_string:
        return parameters  # most requests have none; parse_qsl costs a microsecond even then
    for key, value in parse_qsl(raw_query_string, keep_blank_values=True):
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    return parameters


def request_time(when: datetime | float) -> str:
    """API Gateway's `requestContext.time` (`22/Nov/2026:21:20:11 +0000`) of a datetime or epoch seconds."""
    seconds = when if isinstance(when, int | float) else when.timestamp()
    return _request_time_of_second(int(seconds))


@lru_cache(maxsize=4)  # every request in the same second shares one string; formatting is on the hot path
def _request_time_of_second(epoch_second: int) -> str:
    # `22/Nov/2026:21:20:11 +0000`, with English month names whatever the locale (strftime's %b is not).
    when = datetime.fromtimestamp(epoch_second, UTC)
    return f"{when.day:02d}/{_MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S} +0000"


def _split_host(host: str) -> tuple[str, str | None]:
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else None
    name, colon, port = host.rpartition(":")
    return (name, port) if colon and port.isdigit() else (host, None)


@lru_cache(maxsize=64)  # a dev server sees a handful of Host values; this is on every request
def _domain(host: str) -> tuple[str, str]:
    """`domainName` (the host without its port) and `domainPrefix` (its first label; a whole IP address)."""
    name = _split_host(host)[0] or "localhost"
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name, name.split(".", 1)[0]
    return name, name


def _port(host: str, scheme: str) -> str:
    return _split_host(host)[1] or ("443" if scheme == "https" else "80")


def _trace_id(when: datetime, request_id: str) -> str:
    # X-Ray's format: version 1, the epoch second in hex, 96 bits that are unique per request.
    unique = hashlib.blake2b(request_id.encode(), digest_size=12).hexdigest()
    return f"Root=1-{int(when.timestamp()):08x}-{unique}"
