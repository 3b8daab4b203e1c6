"""moto's S3 object values kept in the object store's files instead of RAM and open temporary files.

moto (5.2) holds each object's bytes in a `SpooledTemporaryFile`: in RAM up to ~5 MiB, above that an unlinked
temporary file kept open for the object's lifetime, so memory grows with the data and the fd limit caps the number of
large objects. It also keeps every `FakeKey` it ever created in `FakeKey.instances_tracked` (for its dashboard), so
even overwritten and deleted objects never leave memory; CompleteMultipartUpload joins all parts in one bytearray
(twice for a full-object checksum) and GetObject returns the whole body as bytes.

How it works: `DiskBackedValues.install()` replaces, once per process,
- `FakeKey.value`: setting it writes the bytes to a staged `BodyFile` of the `ObjectStore` (and records the MD5 ETag
  and size); a `StagedBody`, an object's or a part's body already written to the store as it arrived
  (`emulator.moto.streamed_bodies`), is kept as it is; reading it reads the file. The `SpooledTemporaryFile` moto
  made is dropped. So a body costs no RAM between requests and no open file descriptor at any time.
- inside `S3Response.get_object`, `S3Backend.copy_object` and `S3Backend.upload_part_copy`, reading a value gives a
  `BodyRange` instead of bytes: moto's own `Range` handling slices it, the WSGI response streams it in 1 MiB chunks,
  and setting a copy's value from it copies the file piecewise.
- `FakeMultipart.complete`: the same checks and ETag as moto's, but the parts' files are concatenated into one staged
  body chunk by chunk, and the object's checksum is computed as the bytes pass
  (`emulator.moto.multipart_checksums.CompletionChecksum`).
- `FakeKey.__getstate__`/`__setstate__` (moto deep-copies every version to list them): a copy shares the body file.
- `FakeKey`, `FakeMultipart` and `FakeDeleteMarker` are no longer tracked by moto, so dropped versions are freed (and
  their files deleted, see `emulator.store.bodies`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import moto.s3.models as moto_s3_models
from moto.s3.exceptions import EntityTooSmall, InvalidPart, MalformedXML
from moto.s3.models import FakeDeleteMarker, FakeKey, FakeMultipart, S3Backend
from moto.s3.responses import S3Response

from emulator.moto.multipart_checksums import CompletionChecksum
from emulator.store.bodies import BodyFile, BodyRange
from emulator.store.object_store import ObjectStore

__all__ = ["DiskBackedValues", "StagedBody", "body_of", "set_body_of"]

_BODY = "_sst_body"


def body_of(version: object) -> BodyFile:
    """The file-backed body of a key whose value was set after `install()` (or of a persisted delete marker)."""
    body: BodyFile = getattr(version, _BODY)
    return body


def set_body_of(version: object, body: BodyFile) -> None:
    setattr(version, _BODY, body)


class StagedBody(NamedTuple):
    """A body already written to the store, and the MD5 of its bytes (hex)."""

    body: BodyFile
    md5: str


class _StreamingMode(threading.local):
    depth = 0


class DiskBackedValues:
    """Installs the replacements described in the module docstring, writing bodies into `store`."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._streaming = _StreamingMode()

    def install(self) -> None:
        if getattr(FakeKey, "__sst_dev_disk_values__", False):
            raise RuntimeError("disk-backed S3 values are already installed in this process")
        FakeKey.value = property(self._get_value, self._set_value)  # type: ignore[assignment,method-assign]
        FakeKey.__sst_dev_disk_values__ = True  # type: ignore[attr-defined]
        FakeMultipart.complete = lambda multipart, body: self._complete(multipart, body)  # type: ignore[method-assign,assignment]
        for model in (FakeKey, FakeMultipart, FakeDeleteMarker):
            model.__new__ = _untracked_new  # type: ignore[method-assign]
        S3Response.get_object = self._streaming_within(S3Response.get_object)  # type: ignore[method-assign]
        S3Backend.copy_object = self._streaming_within(S3Backend.copy_object)  # type: ignore[method-assign]
        S3Backend.upload_part_copy = self._streaming_within(S3Backend.upload_part_copy)  # type: ignore[method-assign]

    def _streaming_within(self, method: Any) -> Any:
        def streaming(*args: Any, **kwargs: Any) -> Any:
            self._streaming.depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                self._streaming.depth -= 1

        return streaming

    def _get_value(self, key: FakeKey) -> bytes | BodyRange:
        body = body_of(key)
        if self._streaming.depth:
            return BodyRange(body, 0, body.size)
        return body.read()

    def _set_value(self, key: FakeKey, value: bytes | str | BodyRange | BodyFile | StagedBody) -> None:
        etag = key._etag if getattr(key, _BODY, None) is None else None
        if isinstance(value, BodyFile):
            body = value  # a multipart completion: moto passes the upload's ETag along
        elif isinstance(value, StagedBody):
            body, etag = value.body, etag or value.md5
        elif isinstance(value, BodyRange):
            md5 = hashlib.md5(usedforsecurity=False)
            body = self._store.stage_chunks(_hashing(value, md5))
            etag = etag or md5.hexdigest()
        else:
            data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            body = self._store.stage(data)
            etag = etag or hashlib.md5(data, usedforsecurity=False).hexdigest()
        set_body_of(key, body)
        key._etag = etag
        key.contentsize = body.size
        key._value_buffer = None  # type: ignore[assignment]  # moto's dispose() closes it inside a try

    def _complete(self, multipart: FakeMultipart, body: Iterator[tuple[int, str]]) -> tuple[Any, str, Any]:
        # The same checks, in the same order, as moto's FakeMultipart.complete.
        parts: list[FakeKey] = []
        md5s = bytearray()
        for number, etag in body:
            part = multipart.parts.get(number)
            if part is None or part.etag.replace('"', "") != etag.replace('"', ""):
                raise InvalidPart()
            if parts and parts[-1].contentsize < moto_s3_models.S3_UPLOAD_PART_MIN_SIZE:
                raise EntityTooSmall()
            md5s.extend(bytes.fromhex(part.etag.replace('"', "")))
            parts.append(part)
        if not parts:
            raise MalformedXML
        checksum = CompletionChecksum(multipart, parts)
        joined = self._store.stage_chunks(checksum.passing(body_of(part) for part in parts))
        etag = f"{hashlib.md5(bytes(md5s), usedforsecurity=False).hexdigest()}-{len(parts)}"
        return joined, etag, checksum.result()


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    # moto's BaseModel.__new__ appends every instance to cls.instances_tracked and never lets go.
    return object.__new__(cls)


def _key_state(key: FakeKey) -> dict[str, Any]:
    # moto's own __getstate__ puts the whole value in the state (ListObjectVersions deep-copies every version), and
    # its __setstate__ would write it again; a copy shares the immutable body file instead.
    state = dict(key.__dict__)
    del state["lock"]
    return state


def _set_key_state(key: FakeKey, state: dict[str, Any]) -> None:
    key.__dict__.update(state)
    key.lock = threading.Lock()


def _hashing(chunks: Iterable[bytes], md5: Any) -> Iterator[bytes]:
    for chunk in chunks:
        md5.update(chunk)
        yield chunk
