"""The sample app's own-folder flow: jwt-protected routes presign with the caller's identity credentials, so the
emulator lets a user upload into `private/<their identity id>/` and refuses anyone else's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.apps import copy_sample_app
from tests.servers import ServerThread

AUTH = "/_sst/auth/auth"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    app = copy_sample_app(Path(tmp_path_factory.mktemp("sample")) / "app")
    with ServerThread(app) as server, server.client() as http:
        yield http


def sign_in(client: httpx.Client, username: str) -> dict[str, str]:
    client.post(f"{AUTH}/sign-up", json={"username": username, "password": "password1"}).raise_for_status()
    answer = client.post(f"{AUTH}/sign-in", json={"username": username, "password": "password1"})
    return {"authorization": "Bearer " + answer.json()["AuthenticationResult"]["IdToken"]}


def put_through(client: httpx.Client, headers: dict[str, str], folder: str | None = None) -> tuple[Any, httpx.Response]:
    request = {"filename": "notes.txt", "contentType": "text/plain", "folder": folder}
    presigned = client.post("/my-files/presigned-url", headers=headers, json=request).json()
    answer = httpx.put(presigned["url"], content=b"hello", headers={"content-type": "text/plain"})
    return presigned, answer


def test_my_files_needs_a_signed_in_user(client: httpx.Client) -> None:
    assert client.get("/my-files").status_code == 401
    assert client.post("/my-files/presigned-url", json={}).json() == {"message": "Unauthorized"}
    assert "Sign up or sign in" in client.get("/account").text


def test_a_user_uploads_to_their_own_folder_but_not_to_someone_elses(client: httpx.Client) -> None:
    alice, bob = sign_in(client, "alice"), sign_in(client, "bob")
    presigned, answer = put_through(client, alice)
    assert answer.status_code == 200
    mine = client.get("/my-files", headers=alice).json()
    assert (mine["username"], presigned["key"]) == ("alice", f"private/{mine['identityId']}/notes.txt")
    assert [f["key"] for f in mine["files"]] == [presigned["key"]]

    bobs_folder = client.get("/my-files", headers=bob).json()["identityId"]
    _, refused = put_through(client, alice, folder=bobs_folder)
    assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text
    assert client.get("/my-files", headers=bob).json()["files"] == []
