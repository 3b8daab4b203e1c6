"""The Console's JSON API over real HTTP against an in-process dev server of the sample app."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.apps import copy_sample_app
from tests.servers import ServerThread, eventually

T = TypeVar("T")
FOREIGN = {"origin": "http://evil.example"}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    app_dir: Path = copy_sample_app(tmp_path_factory.mktemp("console-api") / "sample_app")
    with ServerThread(app_dir) as server:
        yield server


@pytest.fixture
def client(running: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running.url() + "/_sst/api", timeout=30) as client:
        yield client


def origin_of(running: ServerThread) -> dict[str, str]:
    return {"origin": running.url()}


STATE_CHANGES = [
    ("PUT", "/buckets/myFiles/object?key=evil.txt", b"x"),
    ("POST", "/buckets/myFiles/multipart", {"key": "evil.bin"}),
    ("PUT", "/buckets/myFiles/multipart/u1/parts/1?key=evil.bin", b"x"),
    ("POST", "/buckets/myFiles/multipart/u1/complete", {"key": "evil.bin", "parts": []}),
    ("DELETE", "/buckets/myFiles/multipart/u1?key=evil.bin", None),
    ("POST", "/buckets/myFiles/delete", {"prefixes": ["uploads/"]}),
    ("POST", "/buckets/myFiles/folders", {"name": "evil"}),
    ("POST", "/buckets/myFiles/presign", {"key": "a.txt"}),
    ("POST", "/functions/any/invoke", {}),
    ("POST", "/invocations/1/replay", None),
    ("PUT", "/secrets/STRIPE_KEY", {"value": "stolen"}),
    ("DELETE", "/secrets/STRIPE_KEY", None),
    ("POST", "/secrets/changed", {"names": ["STRIPE_KEY"]}),
]


@pytest.mark.parametrize(("method", "path", "body"), STATE_CHANGES, ids=[f"{m} {p}" for m, p, _ in STATE_CHANGES])
def test_state_changes_from_another_origin_are_refused(
    client: httpx.Client, running: ServerThread, method: str, path: str, body: object
) -> None:
    content = body if isinstance(body, bytes) else None
    payload = None if isinstance(body, bytes) or body is None else body
    answer = client.request(method, path, content=content, json=payload, headers=FOREIGN)
    assert answer.status_code == 403
    assert "evil.example" in answer.json()["detail"]
    assert "evil" not in json.dumps(client.get("/buckets/myFiles/objects").json()["folders"])
    assert running.server.secrets.values() == {}


def test_a_name_rebound_to_the_server_is_another_origin_though_host_and_origin_agree(
    client: httpx.Client, running: ServerThread
) -> None:
    port = running.url().rsplit(":", 1)[1]
    rebound = {"host": f"evil.example:{port}", "origin": f"http://evil.example:{port}"}
    answer = client.post("/buckets/myFiles/folders", json={"prefix": "", "name": "rebound"}, headers=rebound)
    assert answer.status_code == 403
    assert "rebound" not in json.dumps(client.get("/buckets/myFiles/objects").json()["folders"])


def test_the_servers_own_origins_and_tools_sending_none_may_change_state(
    client: httpx.Client, running: ServerThread
) -> None:
    port = running.url().rsplit(":", 1)[1]
    senders = {"localhost": f"http://localhost:{port}", "loopback": f"http://127.0.0.1:{port}", "tool": None}
    for name, origin in senders.items():
        headers = {} if origin is None else {"origin": origin}
        answer = client.post("/buckets/myFiles/folders", json={"prefix": "", "name": f"from-{name}"}, headers=headers)
        assert answer.status_code == 201, (name, answer.text)


def test_the_console_page_and_its_static_files_are_served_without_a_cdn(running: ServerThread) -> None:
    page = httpx.get(running.url() + "/_sst/")
    assert page.status_code == 200
    assert 'src="/_sst/static/app.js"' in page.text
    assert all(url.startswith(("/_sst/", "data:")) for url in re.findall(r'(?:src|href)="([^"]*)"', page.text))
    assert httpx.get(running.url() + "/_sst/static/app.js").headers["content-type"].startswith("text/javascript")
    assert httpx.get(running.url() + "/_sst", follow_redirects=False).headers["location"] == "/_sst/"


def test_folders_are_common_prefixes_with_breadcrumbs_and_a_folder_marker_is_not_a_row(
    client: httpx.Client, running: ServerThread
) -> None:
    same = origin_of(running)
    assert client.post("/buckets/myFiles/folders", json={"prefix": "", "name": "docs"}, headers=same).status_code == 201
    put = client.put("/buckets/myFiles/object", params={"key": "docs/2024/report.txt"}, content=b"hi", headers=same)
    assert put.status_code == 201

    root = client.get("/buckets/myFiles/objects").json()
    docs = client.get("/buckets/myFiles/objects", params={"prefix": "docs/"}).json()
    year = client.get("/buckets/myFiles/objects", params={"prefix": "docs/2024/"}).json()

    assert {"prefix": "docs/", "name": "docs"} in root["folders"]
    assert docs["objects"] == [] and docs["folders"] == [{"prefix": "docs/2024/", "name": "2024"}]
    assert [crumb["label"] for crumb in year["breadcrumbs"]] == ["myFiles", "docs", "2024"]
    assert [(o["name"], o["size"], o["contentType"]) for o in year["objects"]] == [("report.txt", 2, "text/plain")]


def test_bad_requests_answer_with_a_code_and_the_offending_value(client: httpx.Client, running: ServerThread) -> None:
    same = origin_of(running)
    cases = [
        (client.get("/buckets/nope/objects"), 404, "NoSuchBucket", "nope"),
        (client.get("/buckets/myFiles/objects", params={"prefix": "docs"}), 400, "InvalidPrefix", "docs"),
        (client.get("/buckets/myFiles/object", params={"key": "missing.txt"}), 404, "NoSuchKey", "missing.txt"),
        (client.post("/buckets/myFiles/folders", json={"name": "a/b"}, headers=same), 400, "InvalidFolderName", "a/b"),
        (
            client.post("/buckets/myFiles/presign", json={"key": "x", "expiresIn": 604801}, headers=same),
            404,
            "NoSuchKey",
            "x",
        ),
        (client.post("/functions/nope/invoke", content=b"{}", headers=same), 404, "ResourceNotFoundException", "nope"),
        (client.get("/invocations/999999"), 404, "NoSuchInvocation", "999999"),
        (client.put("/secrets/1BAD", json={"value": "v"}, headers=same), 400, "Secrets.InvalidName", "1BAD"),
        (client.delete("/secrets/NEVER_SET", headers=same), 404, "Secrets.NotSet", "NEVER_SET"),
    ]
    for answer, status, code, value in cases:
        assert (answer.status_code, answer.json()["code"], answer.json()["value"]) == (status, code, value)


def test_a_presigned_link_expires_when_asked_and_serves_the_object(client: httpx.Client, running: ServerThread) -> None:
    same = origin_of(running)
    client.put("/buckets/myFiles/object", params={"key": "share.txt"}, content=b"shared", headers=same)
    too_long = client.post("/buckets/myFiles/presign", json={"key": "share.txt", "expiresIn": 604801}, headers=same)
    assert too_long.json()["code"] == "InvalidExpiry"
    link = client.post("/buckets/myFiles/presign", json={"key": "share.txt", "expiresIn": 2}, headers=same).json()
    assert httpx.get(link["url"]).content == b"shared"  # X-Amz-Date is in whole seconds: good for 1-2 s
    time.sleep(3)  # the emulator enforces expiry as S3 does
    assert httpx.get(link["url"]).status_code == 403


def test_a_multipart_upload_through_the_console_fires_the_notification_once(
    client: httpx.Client, running: ServerThread
) -> None:
    same = origin_of(running)
    data = os.urandom(5 * 1024 * 1024) + b"tail"
    upload = client.post("/buckets/myFiles/multipart", json={"key": "uploads/big.png"}, headers=same).json()
    assert upload["partSize"] == 8 * 1024 * 1024
    base = f"/buckets/myFiles/multipart/{upload['uploadId']}"
    parts = [
        client.put(f"{base}/parts/{number}", params={"key": "uploads/big.png"}, content=chunk, headers=same).json()
        for number, chunk in ((1, data[: 5 * 1024 * 1024]), (2, data[5 * 1024 * 1024 :]))
    ]
    done = client.post(f"{base}/complete", json={"key": "uploads/big.png", "parts": parts}, headers=same)

    assert done.status_code == 200, done.text
    assert done.json()["eTag"].endswith('-2"')
    assert client.get("/buckets/myFiles/object", params={"key": "uploads/big.png"}).content == data
    deliveries = eventually(lambda: [r for r in client.get("/invocations").json() if "uploads/big.png" in r["detail"]])
    assert [r["detail"].split()[-1] for r in deliveries] == ["ObjectCreated:CompleteMultipartUpload"]


def test_deleting_a_folder_deletes_every_key_under_it(client: httpx.Client, running: ServerThread) -> None:
    same = origin_of(running)
    for index in range(3):
        client.put("/buckets/myFiles/object", params={"key": f"trash/{index}.txt"}, content=b"x", headers=same)
    client.put("/buckets/myFiles/object", params={"key": "trashcan.txt"}, content=b"keep", headers=same)

    answer = client.post("/buckets/myFiles/delete", json={"prefixes": ["trash/"]}, headers=same)

    assert answer.json() == {"deleted": 3}
    root = client.get("/buckets/myFiles/objects").json()
    assert "trash/" not in [f["prefix"] for f in root["folders"]]
    assert "trashcan.txt" in [o["key"] for o in root["objects"]]


def test_the_stream_sends_recorded_invocations_then_new_ones(client: httpx.Client, running: ServerThread) -> None:
    with httpx.Client(base_url=running.url()) as app:
        app.get("/hello/before")
        events: list[dict[str, object]] = []

        def read() -> None:
            with client.stream("GET", "/invocations/stream") as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        events.append(json.loads(line[6:]))
                        if any(e["detail"] == "GET /hello/{name}" and e["id"] != first_id for e in events):
                            return

        first_id = next(r["id"] for r in client.get("/invocations").json() if r["detail"] == "GET /hello/{name}")
        reader = threading.Thread(target=read)
        reader.start()
        eventually(lambda: any(e["id"] == first_id for e in events))
        app.get("/hello/after")
        reader.join(15)
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert first_id in ids and ids[-1] > first_id


def test_secrets_are_listed_masked_and_replayed_events_rerun(client: httpx.Client, running: ServerThread) -> None:
    same = origin_of(running)
    client.put("/secrets/STRIPE_KEY", json={"value": "sk_live_abcdef1234"}, headers=same)
    try:
        listed = client.get("/secrets").json()["secrets"]
        assert listed == [
            {"name": "STRIPE_KEY", "declared": True, "source": "stage", "masked": "••••••34", "fallbackMasked": None}
        ]
        assert "abcdef" not in client.get("/secrets").text
    finally:
        client.delete("/secrets/STRIPE_KEY", headers=same)

    invoked = client.post("/functions/test-sample-app-api-GET/invoke", content=b'{"from": "console"}', headers=same)
    replayed = client.post(f"/invocations/{invoked.json()['id']}/replay", headers=same).json()
    assert replayed["event"] == {"from": "console"} and replayed["status"] == "ok"
    assert replayed["detail"] == f"replay of #{invoked.json()['id']}"


def test_a_function_s_example_event_is_what_its_trigger_sends(client: httpx.Client, running: ServerThread) -> None:
    functions = {fn["handler"]: fn for fn in client.get("/functions").json()}
    cleanup, consumer = functions["functions/cleanup.main"], functions["functions/catalog.record"]

    scheduled = client.get(f"/functions/{cleanup['name']}/example").json()
    message = client.get(f"/functions/{consumer['name']}/example").json()

    assert cleanup["triggers"] == ["cron: cleanup"] and consumer["triggers"] == ["sqs: catalogJobs"]
    assert (scheduled["detail-type"], scheduled["source"]) == ("Scheduled Event", "aws.events")
    assert message["Records"][0]["eventSource"] == "aws:sqs"
    assert client.get("/functions/nope/example").status_code == 404
