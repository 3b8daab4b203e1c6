"""moto's request objects, and the bodies cached on them, leave memory when the response is sent."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator

import pytest
from moto.moto_server.werkzeug_app import BackendRequest
from werkzeug.test import Client

from emulator.moto.app import build_moto_wsgi_app
from emulator.moto.footprint import without_flask_debug

AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


@pytest.fixture
def no_garbage_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def live_requests() -> int:
    return sum(isinstance(thing, BackendRequest) for thing in gc.get_objects())


def test_a_put_object_request_is_freed_with_its_response(no_garbage_collection: None) -> None:
    dispatcher = build_moto_wsgi_app()
    without_flask_debug(dispatcher)
    client = Client(dispatcher)
    bucket = f"footprint-{uuid.uuid4().hex[:12]}"
    headers = {"Host": "127.0.0.1:4566", "Authorization": AUTHORIZATION}
    assert client.put(f"/{bucket}", headers=headers).status_code == 200
    before = live_requests()

    response = client.put(f"/{bucket}/key", headers=headers, data=b"x" * 1024)

    assert response.status_code == 200
    assert live_requests() == before
    client.delete(f"/{bucket}/key", headers=headers)
    client.delete(f"/{bucket}", headers=headers)


def test_an_error_inside_moto_still_reaches_the_server() -> None:
    dispatcher = build_moto_wsgi_app()
    without_flask_debug(dispatcher)
    app = dispatcher.create_app("s3")

    @app.route("/footprint-fails")
    def fails() -> str:
        raise RuntimeError("moto failed")

    with pytest.raises(RuntimeError, match="moto failed"):
        Client(app).get("/footprint-fails")
