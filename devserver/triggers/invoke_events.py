"""Events for invoking a function directly, built by the same pure builders the dev server uses.

`AppEvents(app, api_url=...)` is `emulator.events` in the pytest fixture and the source of `sst-dev invoke`'s
default events. `http()` matches the request against the app's routes (as the local API Gateway does) and builds
the payload format 2.0 event with `devserver.apigw.build_http_event`; `s3_put()`/`s3_delete()` build the record
the notification dispatcher would send with `emulator.s3.events`. So an event made here is the event the server
sends for the same request or write, down to `routeKey`, `pathParameters`, the URL-encoded object key and the
notification's `configurationId`. Pure: the clock is a parameter, ids are random.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import cast
from urllib.parse import urlencode, urlsplit

from devserver.apigw import HttpRequest, build_http_event
from devserver.apigw.events import HttpApiEventV2
from devserver.apigw.routes import RouteTable
from devserver.app.invoke_target import InvokeTarget, NotificationTrigger, RouteTrigger, SourceTrigger
from devserver.app.model import ApiSpec, AppSpec, BucketSpec, NotificationSpec, RouteSpec
from devserver.app.naming import ACCOUNT_ID, api_id_for
from devserver.app.notification_rules import event_types, matches
from devserver.app.route_key import DEFAULT_ROUTE_KEY, parse_route_key
from devserver.triggers.source_examples import source_example
from emulator.s3.events import S3Event, s3_event, s3_event_record
from emulator.s3.raw_events import EventName, Sequencer, raw_s3_event

__all__ = ["DEFAULT_CONFIGURATION_ID", "AppEvents", "EventFactoryError", "route_example_path"]

DEFAULT_CONFIGURATION_ID = "sst-dev-test"
"""`configurationId` of an S3 event for a key no notification of the bucket matches."""

Body = bytes | str | Mapping[str, object] | Sequence[object] | None


class EventFactoryError(ValueError):
    """An event the app could not receive: no such Api or bucket, or no route for the request. `value` says which."""

    code = "Events.NoSuchTarget"

    def __init__(self, message: str, value: str) -> None:
        super().__init__(message)
        self.value = value


def route_example_path(route_key: str) -> tuple[str, str]:
    """`(method, path)` of a request the route matches: each path variable stands in for itself.

    `GET /hello/{name}` → `("GET", "/hello/name")`; `ANY /files/{key+}` → `("GET", "/files/key")`; `$default`
    → `("GET", "/")`.
    """
    route = parse_route_key(route_key)
    if route.method is None:
        return "GET", "/"
    parts = [segment.value for segment in route.segments]
    method = "GET" if route.method == "ANY" else route.method
    return method, "/" + "/".join(parts)


def _encoded_body(body: Body, content_type: str | None) -> tuple[bytes, str | None]:
    if body is None:
        return b"", content_type
    if isinstance(body, bytes):
        return body, content_type
    if isinstance(body, str):
        return body.encode(), content_type or "text/plain; charset=utf-8"
    return json.dumps(body).encode(), content_type or "application/json"


class AppEvents:
    """Event factories for one app; `api_url(api_id)` says where an Api is served (the event's `Host`)."""

    def __init__(
        self,
        app: AppSpec,
        *,
        api_url: Callable[[str], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self._api_url = api_url
        self._clock = clock
        self._sequencer = Sequencer(lambda: int(clock() * 1e9))

    def http(
        self,
        method: str = "GET",
        path: str = "/",
        *,
        query: str | Mapping[str, str | Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        body: Body = None,
        content_type: str | None = None,
        api: str | None = None,
    ) -> HttpApiEventV2:
        """The event the Api (the first one unless `api` names another) sends for this request.

        `path` is the path as sent (percent-encoded where a URL needs it); `query` a raw query string or a mapping
        (a sequence value repeats the key); `body` bytes, text, or a JSON-able dict or list (sent as
        `application/json`). Raises `EventFactoryError` when no route of the Api matches, as it would answer 404.
        """
        spec = self._api(api)
        raw_query = query if isinstance(query, str) else urlencode(query or {}, doseq=True)
        payload, media_type = _encoded_body(body, content_type)
        pairs = [(name, value) for name, value in (headers or {}).items()]
        if media_type is not None and not any(name.lower() == "content-type" for name, _ in pairs):
            pairs.append(("content-type", media_type))
        if cookies:
            pairs.append(("cookie", "; ".join(f"{name}={value}" for name, value in cookies.items())))
        host = urlsplit(self._api_url(spec.id)).netloc if self.app.apis else "localhost"
        request = HttpRequest(
            method=method.upper(), raw_path=path, raw_query_string=raw_query, headers=tuple(pairs), body=payload,
            host=host,
        )  # fmt: skip
        table: RouteTable[RouteSpec] = RouteTable([(route.key, route) for route in spec.routes])
        match = table.match(request.method, request.path)
        if match is None and spec.routes:
            keys = ", ".join(route.key for route in spec.routes)
            raise EventFactoryError(f"no route of Api {spec.id!r} matches {request.method} {path} ({keys})", path)
        return build_http_event(
            request,
            route_key=match.route_key if match else DEFAULT_ROUTE_KEY,
            path_parameters=match.path_parameters if match else None,
            api_id=api_id_for(self.app.name, self.app.stage, spec.id),
            account_id=ACCOUNT_ID,
            request_id=str(uuid.uuid4()),
            now=self._clock(),
        )

    def s3_put(self, bucket: str, key: str, *, body: bytes = b"") -> S3Event:
        """The event a notification of `bucket` (its id or name) receives when `key` is written with `body`."""
        return self._s3_event("ObjectCreated:Put", bucket, key, body)

    def s3_delete(self, bucket: str, key: str) -> S3Event:
        """The event a notification of `bucket` (its id or name) receives when `key` is deleted."""
        return self._s3_event("ObjectRemoved:Delete", bucket, key, b"")

    def for_target(self, target: InvokeTarget) -> Mapping[str, object]:
        """A default event for what triggers `target`: a request to its route, a write its notification matches
        (a key built from the notification's prefix and suffix), an example message, publish, event or stream record
        from its event source, its schedule's event, or `{}` for a standalone function."""
        trigger = target.trigger
        if isinstance(trigger, RouteTrigger):
            method, path = route_example_path(trigger.route_key)
            return self.http(method, path, api=trigger.api_id)
        if isinstance(trigger, NotificationTrigger):
            return self._notification_example(trigger.bucket, trigger.notification)
        if isinstance(trigger, SourceTrigger):
            return source_example(self.app, trigger, now=self._clock())
        return {}

    def _notification_example(self, bucket: BucketSpec, notification: NotificationSpec) -> S3Event:
        subscribed = sorted(set().union(*(event_types(name) for name in notification.events)))
        event_name = cast(EventName, "ObjectCreated:Put" if "ObjectCreated:Put" in subscribed else subscribed[0])
        body = b"example" if event_name.startswith("ObjectCreated:") else b""
        return self._s3_event(event_name, bucket.name, f"{notification.prefix}example{notification.suffix}", body)

    def _api(self, api_id: str | None) -> ApiSpec:
        if api_id is None:
            return self.app.apis[0] if self.app.apis else ApiSpec("api", ())
        for spec in self.app.apis:
            if spec.id == api_id:
                return spec
        raise EventFactoryError(f"the app has no Api {api_id!r} ({', '.join(a.id for a in self.app.apis)})", api_id)

    def _bucket(self, bucket: str) -> BucketSpec:
        for spec in self.app.buckets:
            if bucket in (spec.id, spec.name):
                return spec
        known = ", ".join(f"{spec.id} ({spec.name})" for spec in self.app.buckets) or "none"
        raise EventFactoryError(f"the app has no bucket {bucket!r} (buckets: {known})", bucket)

    def _s3_event(self, event_name: EventName, bucket: str, key: str, body: bytes) -> S3Event:
        spec = self._bucket(bucket)
        notification = next((n for n in spec.notifications if matches(n, event_name, key)), None)
        raw = raw_s3_event(
            event_name=event_name,
            bucket=spec.name,
            key=key,
            size=len(body),
            etag=hashlib.md5(body).hexdigest(),  # S3's ETag of a single-part upload
            version_id=None,
            sequencer=self._sequencer.next(),
            event_time=datetime.fromtimestamp(self._clock(), UTC),
            source_ip="127.0.0.1",
            request_id=secrets.token_hex(8).upper(),
            host_id=base64.b64encode(secrets.token_bytes(48)).decode(),
            principal_id=ACCOUNT_ID,  # what the emulator reports for its own account's credentials
            region=self.app.region,
        )
        configuration_id = notification.id if notification else DEFAULT_CONFIGURATION_ID
        return s3_event([s3_event_record(raw, configuration_id=configuration_id)])
