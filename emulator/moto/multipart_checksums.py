"""The checksums of moto's multipart uploads, their parts and the objects they complete into, as S3 handles them.

Why: S3 creates an upload with a checksum algorithm and type (or its default, a FULL_OBJECT CRC64NVME), stores each
part's checksum in that algorithm, checks the parts' checksums a completion lists, computes the object's checksum —
COMPOSITE (the algorithm over the parts' checksums, ``…-N``) or FULL_OBJECT (a CRC of the whole object) — and returns
it in the completion's answer, in ListParts, and later with the object. moto checks none of it, stores no part
checksum, computes the object's checksum with stand-ins, and leaves the checksum fields out of its answers.

How it works (the pure rules are `emulator.s3.multipart_checksums`):
- Before moto (called by `emulator.moto.checksum_verification`): `check_part` refuses a part of another algorithm,
  `check_completion` refuses listed checksums S3 would and returns the object checksum the request states.
- `install()` wraps `S3Backend.create_multipart_upload` (the upload's algorithm and type go into its metadata,
  normalised, where moto's answers read them), `S3Backend.upload_part` (the part keeps its checksum, computed when the
  client sent none in the upload's algorithm) and `S3Backend.complete_multipart_upload` (the object keeps algorithm,
  type, part count and its parts' checksums; moto's copies of the checksum headers leave its metadata).
- `CompletionChecksum` is what `emulator.moto.bodies` feeds the parts' bytes while it joins them: it computes the
  object's checksum in the same pass and refuses (BadDigest) a stated one that differs, before anything is stored.
The fields moto leaves out of its answers are added by `emulator.moto.checksum_answers`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from moto.s3.exceptions import S3ClientError
from moto.s3.models import FakeKey, FakeMultipart, S3Backend

from emulator.moto.checksums import CURRENT, apply_checksum
from emulator.s3.checksums import COMPOSITE, ChecksumResult, Digester, checksum_of
from emulator.s3.errors import S3Error
from emulator.s3.multipart_checksums import (
    DEFAULT_UPLOAD,
    UploadChecksum,
    check_completed_part,
    check_object_checksum,
    check_part_algorithm,
    completion_checksum,
    composite_checksum,
    listed_parts,
    upload_checksum,
)
from emulator.store.bodies import BodyFile

__all__ = [
    "COMPLETION",
    "CompletionChecksum",
    "check_completion",
    "check_part",
    "install",
    "part_checksums_of",
    "set_part_checksums_of",
    "upload_of",
]

_ALGORITHM, _TYPE = "x-amz-checksum-algorithm", "x-amz-checksum-type"
_PART_CHECKSUMS = "_sst_part_checksums"


class _Completion(threading.local):
    """The CompleteMultipartUpload this thread serves: the object checksum it states and the key it completed."""

    stated: str | None = None
    part_checksums: list[str | None] | None = None
    key: FakeKey | None = None

    def reset(self, stated: str | None = None) -> None:
        self.stated, self.part_checksums, self.key = stated, None, None


COMPLETION = _Completion()


def upload_of(multipart: FakeMultipart) -> UploadChecksum | None:
    """The (algorithm, type) `multipart` was created with, None for none (S3's default then applies)."""
    algorithm = multipart.metadata.get(_ALGORITHM)
    return (str(algorithm), str(multipart.metadata.get(_TYPE))) if algorithm else None


def part_checksums_of(key: FakeKey) -> list[str | None] | None:
    """The checksums of a multipart object's parts, in the object's order (None for a part without); None for an
    object not completed from parts."""
    checksums: list[str | None] | None = getattr(key, _PART_CHECKSUMS, None)
    return checksums


def set_part_checksums_of(key: FakeKey, checksums: list[str | None] | None) -> None:
    setattr(key, _PART_CHECKSUMS, checksums)


def check_part(multipart: FakeMultipart, stated: str | None) -> None:
    """Refuse (`S3Error`) an UploadPart whose stated checksum algorithm is not its upload's."""
    check_part_algorithm(upload_of(multipart), stated)


def check_completion(multipart: FakeMultipart, body: bytes, headers: dict[str, str]) -> str | None:
    """Refuse (`S3Error`) a CompleteMultipartUpload whose listed part checksums S3 would refuse; give the object
    checksum its headers state. Parts moto refuses itself (unknown, or another ETag) are left to it."""
    upload = upload_of(multipart)
    for part in listed_parts(body) or []:
        stored = multipart.parts.get(part.part_number)
        if stored is not None and stored.etag.strip('"') == part.etag.strip('"'):
            check_completed_part(part, upload, stored.checksum_value, multipart.id)
    return completion_checksum(headers, upload or DEFAULT_UPLOAD)


class CompletionChecksum:
    """The checksum of the object `parts` complete into, computed while `emulator.moto.bodies` joins their bytes."""

    def __init__(self, multipart: FakeMultipart, parts: list[FakeKey]) -> None:
        self._upload = upload_of(multipart) or DEFAULT_UPLOAD
        self._parts = parts
        self._whole = Digester([self._upload[0]]) if self._upload[1] != COMPOSITE else None
        self._part_checksums: list[str | None] = [part.checksum_value for part in parts]

    def passing(self, bodies: Iterable[BodyFile]) -> Iterator[bytes]:
        """The parts' bytes, in order, checksummed on the way (a part copied in, which has no checksum yet, too)."""
        algorithm = self._upload[0]
        for index, body in enumerate(bodies):
            digester = self._whole
            if digester is None and self._part_checksums[index] is None:
                digester = Digester([algorithm])
            for chunk in body.chunks():
                if digester is not None:
                    digester.update(chunk)
                yield chunk
            if digester is not None and digester is not self._whole:
                self._part_checksums[index] = digester.checksum(algorithm)

    def result(self) -> tuple[str, str, int | None]:
        """moto's (type, value, part count) of the object; raises moto's BadDigest when the request stated another."""
        algorithm, checksum_type = self._upload
        if self._whole is not None:
            stated_form = value = self._whole.checksum(algorithm)
            parts = None
        else:
            stated_form = composite_checksum(algorithm, [str(checksum) for checksum in self._part_checksums])
            value, parts = stated_form.rpartition("-")[0], len(self._parts)
        try:
            check_object_checksum(self._upload, COMPLETION.stated, stated_form)
        except S3Error as error:
            raise S3ClientError(error.code, error.message) from None
        COMPLETION.part_checksums = list(self._part_checksums) if any(self._part_checksums) else None
        return checksum_type, value, parts


def install() -> None:
    """Wrap moto's multipart uploads (once per process; see the module docstring)."""
    S3Backend.create_multipart_upload = _created(S3Backend.create_multipart_upload)  # type: ignore[method-assign]
    S3Backend.upload_part = _uploaded(S3Backend.upload_part)  # type: ignore[method-assign]
    S3Backend.complete_multipart_upload = _completed(S3Backend.complete_multipart_upload)  # type: ignore[method-assign]


def _created(original: Callable[..., FakeMultipart]) -> Callable[..., FakeMultipart]:
    def create_multipart_upload(backend: S3Backend, *args: Any, **kwargs: Any) -> FakeMultipart:
        multipart = original(backend, *args, **kwargs)
        upload = upload_checksum(multipart.metadata.get(_ALGORITHM), multipart.metadata.get(_TYPE))
        if upload is not None:
            multipart.metadata[_ALGORITHM], multipart.metadata[_TYPE] = upload
        return multipart

    return create_multipart_upload


def _uploaded(original: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def upload_part(backend: S3Backend, bucket_name: str, multipart_id: str, part_id: int, value: bytes) -> FakeKey:
        part = original(backend, bucket_name, multipart_id, part_id, value)
        upload = upload_of(backend.get_bucket(bucket_name).multiparts[multipart_id])
        if upload is None:
            return part  # parts of an upload with S3's default checksum keep none of their own
        verified = CURRENT.checksum if CURRENT.operation == "UploadPart" else None
        if verified is None or verified.algorithm != upload[0]:
            verified = ChecksumResult(upload[0], checksum_of(upload[0], [value]))
        apply_checksum(part, verified)
        CURRENT.written = part
        return part

    return upload_part


def _completed(original: Callable[..., FakeKey | None]) -> Callable[..., FakeKey | None]:
    def complete_multipart_upload(backend: S3Backend, bucket_name: str, multipart_id: str, body: Any) -> Any:
        multipart = backend.get_bucket(bucket_name).multiparts.get(multipart_id)
        key = original(backend, bucket_name, multipart_id, body)
        if key is None or multipart is None:
            return key
        algorithm, checksum_type = upload_of(multipart) or DEFAULT_UPLOAD
        apply_checksum(key, ChecksumResult(algorithm, str(key.checksum_value), checksum_type), key.checksum_parts)
        set_part_checksums_of(key, COMPLETION.part_checksums)
        for name in (_ALGORITHM, _TYPE):
            key.metadata.pop(name, None)
        COMPLETION.key = key
        return key

    return complete_multipart_upload
