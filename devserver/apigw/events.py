"""The shapes of API Gateway HTTP API (payload format 2.0) events, as `TypedDict`s.

Field names are AWS's. Keys marked `NotRequired` are left out of the event when AWS leaves them out (no cookies,
no query string, no path variables, no body), rather than sent as null.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = [
    "HttpApiEventV2",
    "HttpApiRequestContextV2",
    "HttpApiRequestHttpV2",
]


class HttpApiRequestHttpV2(TypedDict):
    """`requestContext.http`: the request line and the client as API Gateway saw them."""

    method: str
    path: str
    protocol: str
    sourceIp: str
    userAgent: str


class HttpApiRequestContextV2(TypedDict):
    """`requestContext`: where the request arrived and when."""

    accountId: str
    apiId: str
    domainName: str
    domainPrefix: str
    http: HttpApiRequestHttpV2
    requestId: str
    routeKey: str
    stage: str
    time: str
    timeEpoch: int


class HttpApiEventV2(TypedDict):
    """The event a Lambda function behind an HTTP API route receives (payload format version 2.0)."""

    version: str
    routeKey: str
    rawPath: str
    rawQueryString: str
    cookies: NotRequired[list[str]]
    headers: dict[str, str]
    queryStringParameters: NotRequired[dict[str, str]]
    pathParameters: NotRequired[dict[str, str]]
    requestContext: HttpApiRequestContextV2
    body: NotRequired[str]
    isBase64Encoded: bool
