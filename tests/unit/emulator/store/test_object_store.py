"""The object store: a version is on disk whole under its final name or not at all; a body leaves with its last user."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from emulator.store.bodies import BodyRange
from emulator.store.object_store import ObjectStore


def open_store(root: Path) -> ObjectStore:
    store = ObjectStore(root)
    store.open()
    return store


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_committed_version_is_found_again_with_its_record_and_body(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    body = store.stage(b"hello world")
    store.commit(body, "bucket", "../k", 7, {"etag": "abc"})

    [found] = list(open_store(tmp_path).versions("bucket"))

    assert found.seq == 7 and found.record == {"etag": "abc", "bucket": "bucket", "key": "../k", "size": 11}
    assert found.body.read() == b"hello world"


def test_a_staged_body_is_not_a_version_and_a_restart_clears_it(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    staged = store.stage(b"never acknowledged")

    assert list(store.versions("bucket")) == []
    open_store(tmp_path)
    assert not staged.path.exists()


def test_recommitting_a_changed_record_keeps_the_body_and_one_file(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    body = store.stage(b"data")
    store.commit(body, "bucket", "k", 1, {"tags": {}})
    store.commit(body, "bucket", "k", 1, {"tags": {"a": "b"}})

    [found] = list(store.versions("bucket"))
    assert found.record["tags"] == {"a": "b"} and found.body.read() == b"data"
    assert len(files_under(tmp_path / "buckets")) == 1


def test_a_retired_version_is_gone_from_disk_but_readable_until_its_reader_lets_go(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    body = store.stage(b"0123456789")
    store.commit(body, "bucket", "k", 1, {})
    reader = BodyRange(body, 0, body.size)[2:5]
    store.retire(body)

    assert list(store.versions("bucket")) == []
    retired_file = body.path
    del body
    gc.collect()
    assert bytes(reader) == b"234" and retired_file.exists()
    del reader
    gc.collect()
    assert not retired_file.exists()


def test_an_uncommitted_body_is_deleted_when_dropped_and_a_committed_one_is_kept(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    staged = store.stage(b"part")
    committed = store.stage(b"object")
    store.commit(committed, "bucket", "k", 1, {})
    paths = staged.path, committed.path

    del staged, committed
    gc.collect()

    assert not paths[0].exists() and paths[1].exists()


def test_removing_a_bucket_removes_its_record_and_objects(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write_bucket("bucket", {"region": "us-east-1"})
    store.commit(store.stage(b"x"), "bucket", "k", 1, {})

    assert [b["name"] for b in store.buckets()] == ["bucket"]
    store.remove_bucket("bucket")

    assert store.buckets() == [] and list(store.versions("bucket")) == []


def test_a_foreign_file_among_the_versions_is_skipped(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.commit(store.stage(b"x"), "bucket", "k", 1, {})
    [version_file] = files_under(tmp_path / "buckets")
    (version_file.parent / ("f" * 64 + ".0000000000000002")).write_bytes(b"not ours")

    assert [found.record["key"] for found in store.versions("bucket")] == ["k"]


class SyncedFolders:
    """An fsync that syncs for real and remembers which folders it synced, in order."""

    def __init__(self) -> None:
        self.folders: list[Path] = []

    def __call__(self, fd: int) -> None:
        os.fsync(fd)
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if path.is_dir():
            self.folders.append(path)


def test_a_new_folder_is_made_durable_through_its_parent_up_to_the_root(tmp_path: Path) -> None:
    synced = SyncedFolders()
    store = ObjectStore(tmp_path, fsync=synced)
    store.open()
    store.write_bucket("bucket", {"created": "2024-01-01T00:00:00+00:00"})
    synced.folders.clear()

    first = store.stage(b"one")
    store.commit(first, "bucket", "k", 1, {})
    leaf = first.path.parent  # buckets/b-…/objects/<2 hex>: the commit made objects/ and the leaf
    bucket_folder = leaf.parent.parent
    assert synced.folders == [bucket_folder, bucket_folder / "objects", leaf]

    synced.folders.clear()
    store.commit(store.stage(b"two"), "bucket", "k", 2, {})
    assert synced.folders == [leaf]  # nothing new to make durable but the version's own entry
