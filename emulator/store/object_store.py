"""The emulator's S3 data on disk: buckets, and object versions as immutable files (see `emulator.store.paths`).

How it works: a body is written to `tmp/` as it arrives (`stage`, `stage_chunks`), without syncing. When the
request that wrote it is done, `commit` appends the version's record (`emulator.store.record`), fsyncs the file,
renames it to its final name and fsyncs that folder (and the parent of every folder it had to create, up to the
root): from then on the version survives a crash, and before then it never had a name a restart would read, so there
are no torn objects. A version whose record changed later (tags, or a
second write of the same request) is re-committed the same way under the same name. `retire` renames a version's
file back into `tmp/` and fsyncs the folder, so a delete or overwrite is durable at once while a reader still
streaming the old body keeps its file; `tmp/` is emptied at every start. Bucket records are small JSON files written
with the same temp-file, fsync, rename, fsync-folder sequence.

With `durable=False` (an emulator without a state folder) nothing is synced: the files only keep bodies out of RAM.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from emulator.store.bodies import BodyFile
from emulator.store.paths import (
    BUCKET_RECORD,
    BUCKETS,
    TMP,
    bucket_folder,
    bucket_record_path,
    service_snapshot_path,
    version_path,
)
from emulator.store.paths import parse_version_file_name as _parse_name
from emulator.store.record import FOOTER_SIZE, RecordError, decode_footer, decode_record, encode_trailer

__all__ = ["ObjectStore", "StoredVersion"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredVersion:
    """One committed object version found on disk: its record and its body (committed, at `body.path`)."""

    seq: int
    record: dict[str, Any]
    body: BodyFile


class ObjectStore:
    """Buckets and object versions under `root`; `open()` before use. `fsync` syncs a file or folder descriptor (the
    operating system's, unless a test watches what is synced)."""

    def __init__(self, root: Path, *, durable: bool = True, fsync: Callable[[int], None] = os.fsync) -> None:
        self.root = root
        self.durable = durable
        self._tmp = root / TMP
        self._fsync = fsync

    def open(self) -> None:
        """Create the folders and empty `tmp/` (bodies of requests that never finished, retired versions)."""
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._make_folders(self.root / BUCKETS)

    def wipe(self) -> None:
        """Forget every bucket and object (moto's own reset); bodies still referenced stay readable until dropped."""
        shutil.rmtree(self.root / BUCKETS, ignore_errors=True)
        (self.root / BUCKETS).mkdir(exist_ok=True)
        self._sync_folder(self.root)

    # Bodies -------------------------------------------------------------------------------------------------------

    def stage(self, data: bytes) -> BodyFile:
        """A new body holding `data`, in `tmp/`."""
        return self.stage_chunks((data,))

    def stage_chunks(self, chunks: Iterable[bytes]) -> BodyFile:
        """A new body holding the concatenation of `chunks`, written as they come."""
        path = self._tmp_path()
        size = 0
        try:
            with open(path, "xb", buffering=0) as file:
                for chunk in chunks:
                    file.write(chunk)
                    size += len(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return BodyFile(path, size)

    def copy_body(self, body: BodyFile, start: int = 0, stop: int | None = None) -> BodyFile:
        """A new staged body with bytes `start`..`stop` of `body` (a CopyObject or UploadPartCopy source)."""
        return self.stage_chunks(body.chunks(start, stop))

    # Versions -----------------------------------------------------------------------------------------------------

    def commit(self, body: BodyFile, bucket: str, key: str, seq: int, record: dict[str, Any]) -> None:
        """Make `body` with `record` version `seq` of `key`, durably; a no-op when that is already on disk."""
        trailer = encode_trailer({**record, "bucket": bucket, "key": key, "size": body.size})
        if body.committed and body.trailer == trailer:
            return
        final = self.root / version_path(bucket, key, seq)
        self._make_folders(final.parent)
        staged = body if not body.committed else self.copy_body(body)
        with open(staged.path, "r+b", buffering=0) as file:
            file.truncate(body.size)  # a re-commit of a staged body replaces the trailer it may already have
            file.seek(body.size)
            file.write(trailer)
            if self.durable:
                self._fsync(file.fileno())
        if staged is body:
            body.move(final, committed=True)
        else:
            os.replace(staged.path, final)  # readers of `body` keep their open file; new ones open the new one
        body.seq, body.trailer = seq, trailer
        self._sync_folder(final.parent)

    def retire(self, body: BodyFile) -> None:
        """Remove a committed version durably; its body stays readable until no one holds it."""
        if not body.committed:
            return
        folder = body.path.parent
        body.move(self._tmp_path(), committed=False)
        body.seq = body.trailer = None
        self._sync_folder(folder)

    def versions(self, bucket: str) -> Iterator[StoredVersion]:
        """Every readable committed version of `bucket`'s objects, in no particular order; others are logged."""
        objects = self.root / bucket_folder(bucket) / "objects"
        for folder in sorted(objects.glob("??")):
            for path in folder.iterdir():
                parsed = _parse_name(path.name)
                if parsed is None:
                    logger.warning("ObjectStore.ForeignFile: ignoring %s", path)
                    continue
                try:
                    record = _read_record(path)
                except (OSError, RecordError) as error:
                    logger.warning("%s", error)
                    continue
                body = BodyFile.on_disk(path, int(record["size"]), parsed[1], encode_trailer(record))
                yield StoredVersion(seq=parsed[1], record=record, body=body)

    # Buckets ------------------------------------------------------------------------------------------------------

    def write_bucket(self, bucket: str, document: dict[str, Any]) -> None:
        """Replace the bucket's record (its region, creation date and configuration)."""
        self._write_document(bucket_record_path(bucket), {**document, "name": bucket}, indent=1)

    # Service snapshots --------------------------------------------------------------------------------------------

    def write_service(self, service: str, document: dict[str, Any]) -> None:
        """Replace the snapshot of `service`'s resources (see `emulator.moto.service_persistence`)."""
        self._write_document(service_snapshot_path(service), document, indent=None)

    def read_service(self, service: str) -> dict[str, Any] | None:
        """The last snapshot written for `service`, or None when there is none. A snapshot that cannot be read is
        logged and set aside as `<name>.unreadable` (never deleted), and None is returned."""
        path = self.root / service_snapshot_path(service)
        try:
            document = json.loads(path.read_bytes())
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            logger.warning("ObjectStore.UnreadableSnapshot: %s: %s (kept as %s.unreadable)", path, error, path.name)
            os.replace(path, path.with_name(f"{path.name}.unreadable"))
            return None
        return document

    def remove_bucket(self, bucket: str) -> None:
        folder = self.root / bucket_folder(bucket)
        if folder.exists():
            folder.rename(self._tmp_path())  # one durable step; its contents go with tmp/
            self._sync_folder(folder.parent)

    def buckets(self) -> list[dict[str, Any]]:
        """The records of every bucket on disk; an unreadable one is logged and skipped."""
        found: list[dict[str, Any]] = []
        for path in sorted((self.root / BUCKETS).glob(f"b-*/{BUCKET_RECORD}")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                logger.warning("ObjectStore.UnreadableBucket: %s: %s", path, error)
                continue
            if isinstance(document, dict) and isinstance(document.get("name"), str):
                found.append(document)
        return found

    # Internals ----------------------------------------------------------------------------------------------------

    def _write_document(self, relative: PurePosixPath, document: dict[str, Any], *, indent: int | None) -> None:
        """Replace the JSON file at `relative`: written in `tmp/`, fsynced, renamed over it, its folder fsynced."""
        path = self.root / relative
        self._make_folders(path.parent)
        temporary = self._tmp_path()
        with open(temporary, "x", encoding="utf-8") as file:
            json.dump(document, file, indent=indent, sort_keys=True, separators=None if indent else (",", ":"))
            if self.durable:
                file.flush()
                self._fsync(file.fileno())
        os.replace(temporary, path)
        self._sync_folder(path.parent)

    def _tmp_path(self) -> Path:
        return self._tmp / uuid.uuid4().hex

    def _make_folders(self, folder: Path) -> None:
        """Create `folder` and its missing parents. A new folder's name is an entry in its parent, which a crash loses
        unless the parent is synced too, with the file later committed in it: so each parent that gained one is."""
        missing: list[Path] = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for created in reversed(missing):
            created.mkdir(exist_ok=True)  # another request may make it meanwhile: its parent is synced all the same
        for created in reversed(missing):
            self._sync_folder(created.parent)

    def _sync_folder(self, folder: Path) -> None:
        if not self.durable:
            return
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            self._fsync(fd)
        finally:
            os.close(fd)


def _read_record(path: Path) -> dict[str, Any]:
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size < FOOTER_SIZE:
            raise RecordError(str(path), "shorter than a footer")
        file.seek(size - FOOTER_SIZE)
        length = decode_footer(file.read(FOOTER_SIZE), size, str(path))
        file.seek(size - FOOTER_SIZE - length)
        return decode_record(file.read(length), size, str(path))
