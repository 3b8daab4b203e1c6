"""The `live` WebSocketApi: an open upload page hears about each new thumbnail, pushed by the notification handler."""

from pictures import png
from test_upload_flow import upload


def test_each_new_thumbnail_is_announced_to_open_pages(emulator):
    with emulator.websocket("live") as page:
        upload(emulator, "cat.png", png(640, 480))

        assert page.receive_json(timeout=10) == {"thumbnail": "thumbnails/cat.png"}


def test_a_closed_page_is_forgotten(emulator):
    emulator.websocket("live").close()  # waits for its $disconnect

    upload(emulator, "dog.png", png(64, 64))

    [delivery] = emulator.notifications.wait(count=1, timeout=10)
    assert delivery.invocation.result == {"thumbnails": ["thumbnails/dog.png"]}
