"""Handlers invoked directly with events made by the fixture, as API Gateway and S3 would send them."""

import pytest
from pictures import png

from devserver.resources import Bucket
from devserver.testing.fixture import HandlerError


def test_greet_shouts_when_asked(emulator):
    event = emulator.events.http("GET", "/hello/Ada", query={"shout": "1"})

    result = emulator.invoke("GET /hello/{name}", event)

    assert event["pathParameters"] == {"name": "Ada"}
    assert result == {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "HELLO, ADA!"}


def test_the_root_route_answers_with_its_request_id(emulator):
    outcome = emulator.invocation("functions/hello.main")

    assert outcome.result == {"message": "Hello from sst-dev!", "requestId": outcome.request_id}


def test_the_thumbnailer_handles_an_s3_event(emulator):
    emulator.s3.put_object(Bucket=Bucket.myFiles.bucketName, Key="uploads/red flower.png", Body=png(300, 300))

    result = emulator.invoke("functions/thumbs.main", emulator.events.s3_put("myFiles", "uploads/red flower.png"))

    assert result == {"thumbnails": ["thumbnails/red flower.png"]}


def test_a_failing_handler_raises_with_its_traceback(emulator):
    with pytest.raises(HandlerError) as failure:
        emulator.invoke("GET /boom")

    assert failure.value.error.error_type == "RuntimeError"
    assert "functions/boom.py" in str(failure.value)
