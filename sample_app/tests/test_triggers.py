"""The sample app's queue and cron job: each thumbnail is catalogued by a queue consumer; old uploads are cleaned up
nightly."""

from datetime import UTC, datetime, timedelta

from functions.cleanup import stale_uploads
from pictures import png
from test_upload_flow import upload


def test_a_thumbnail_is_catalogued_by_the_queue_consumer(emulator):
    upload(emulator, "cat.png", png(640, 480))

    emulator.notifications.wait(count=1, timeout=10)
    [job] = emulator.deliveries.wait(count=1, timeout=10)

    assert (job.source, job.invocation.result) == ("sqs", {"catalogued": ["uploads/cat.png"]})
    assert emulator.http.get("/catalog").json() == {
        "images": [{"key": "uploads/cat.png", "thumbnail": "thumbnails/cat.png", "size": [128, 96]}]
    }


def test_the_nightly_cleanup_keeps_recent_uploads(emulator):
    upload(emulator, "notes.txt", b"fresh", content_type="text/plain")

    emulator.deliveries.fire_cron("cleanup")
    [run] = emulator.deliveries.wait(count=1, timeout=10)

    assert (run.source, run.invocation.result) == ("cron", {"deleted": []})
    assert [f["key"] for f in emulator.http.get("/files").json()["files"]] == ["uploads/notes.txt"]


def test_only_uploads_older_than_30_days_are_stale():
    now = datetime(2026, 12, 2, tzinfo=UTC)
    objects = [
        {"Key": "uploads/old.png", "LastModified": now - timedelta(days=31)},
        {"Key": "uploads/new.png", "LastModified": now - timedelta(days=29)},
        {"Key": "thumbnails/old.png", "LastModified": now - timedelta(days=31)},
    ]

    assert stale_uploads(objects, now) == ["uploads/old.png"]
