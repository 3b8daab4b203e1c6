"""The upload flow of the sample app, end to end: presign, upload, thumbnail, list, download, delete."""

import httpx
from pictures import png, size_of

from devserver.resources import Bucket


def upload(emulator, filename: str, body: bytes, content_type: str = "image/png") -> str:
    """Ask the API for a presigned POST and upload `body` with it, as the upload page does."""
    presigned = emulator.http.post("/presigned-url", json={"filename": filename, "contentType": content_type})
    assert presigned.status_code == 200
    form = presigned.json()
    answer = httpx.post(form["url"], data=form["fields"], files={"file": (filename, body, content_type)})
    assert answer.status_code in (200, 201, 204), answer.text
    return form["key"]


def test_an_uploaded_png_gets_a_thumbnail(emulator):
    key = upload(emulator, "cat.png", png(640, 480))

    [delivery] = emulator.notifications.wait(count=1, timeout=10)

    assert key == "uploads/cat.png"
    assert delivery.key == key
    assert delivery.invocation.result == {"thumbnails": ["thumbnails/cat.png"]}
    thumbnail = emulator.s3.get_object(Bucket=Bucket.myFiles.bucketName, Key="thumbnails/cat.png")["Body"].read()
    assert size_of(thumbnail) == (128, 96)


def test_files_are_listed_downloaded_and_deleted(emulator):
    upload(emulator, "notes.txt", b"remember the milk", content_type="text/plain")

    listed = emulator.http.get("/files").json()["files"]
    downloaded = emulator.http.get("/files/uploads/notes.txt")
    deleted = emulator.http.delete("/files/uploads/notes.txt")

    assert listed == [{"key": "uploads/notes.txt", "size": 17}]
    assert downloaded.status_code == 200
    assert downloaded.content == b"remember the milk"
    assert deleted.status_code == 204
    assert emulator.http.get("/files").json() == {"files": []}
    assert emulator.http.get("/files/uploads/notes.txt").status_code == 404


def test_only_pngs_under_uploads_make_thumbnails(emulator):
    upload(emulator, "notes.txt", b"not an image", content_type="text/plain")
    emulator.s3.put_object(Bucket=Bucket.myFiles.bucketName, Key="elsewhere/dog.png", Body=png(10, 10))
    upload(emulator, "dog.png", png(256, 256))

    [delivery] = emulator.notifications.wait(count=1, timeout=10)

    assert delivery.key == "uploads/dog.png"
    assert {f["key"] for f in emulator.http.get("/files").json()["files"]} == {
        "uploads/notes.txt",
        "elsewhere/dog.png",
        "uploads/dog.png",
        "thumbnails/dog.png",
    }


def test_every_test_starts_with_an_empty_bucket(emulator):
    assert emulator.http.get("/files").json() == {"files": []}
    assert "Contents" not in emulator.s3.list_objects_v2(Bucket=Bucket.myFiles.bucketName)
