"""The checksum of an object CopyObject makes, and of a part UploadPartCopy makes, as S3 gives them.

Why: a copy is a new object stored in one piece, so S3 gives it a whole-object (FULL_OBJECT) checksum: in the
algorithm the CopyObject asks for (`x-amz-checksum-algorithm`), else the source's — the source's value itself when it
describes the whole object, recomputed when the source's was COMPOSITE (a value over parts the copy does not have) —
and S3's default CRC64NVME for a source without one. moto copies the source's value and algorithm as they are, so a
copy of a multipart object claims a checksum its bytes do not have (and SDKs, which check the checksum of what they
download, refuse it), and computes a requested algorithm with moto's stand-ins.

A part copied into an upload with an algorithm gets its checksum in that algorithm, as an uploaded part does, so
that it can be listed and completed like one.

How it works: `install()` wraps `S3Backend.copy_object`. The new key is the one the copy stored through `put_object`
(`emulator.moto.checksums` notes it in `CURRENT`); its checksum is set as above, from the copied body file when it
must be computed, and left in `CURRENT`, from where `emulator.moto.checksum_answers` puts its type in the
CopyObjectResult. `S3Backend.upload_part_copy` is wrapped likewise; the part's checksum goes in the CopyPartResult.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.s3.models import FakeKey, S3Backend

from emulator.moto.bodies import body_of
from emulator.moto.checksums import CURRENT, apply_checksum
from emulator.moto.multipart_checksums import upload_of
from emulator.s3.checksums import COMPOSITE, DEFAULT_ALGORITHM, ChecksumResult, checksum_of

__all__ = ["copied_checksum", "install"]


def install() -> None:
    """Wrap moto's CopyObject and UploadPartCopy (once per process; see the module docstring)."""
    S3Backend.copy_object = _copied(S3Backend.copy_object)  # type: ignore[method-assign]
    S3Backend.upload_part_copy = _part_copied(S3Backend.upload_part_copy)  # type: ignore[method-assign]


def copied_checksum(source: FakeKey, copy: FakeKey, requested: str | None) -> ChecksumResult:
    """The checksum S3 gives `copy`, a copy of `source`, asked for `requested`'s algorithm (None: not asked)."""
    algorithm = requested or source.checksum_algorithm or DEFAULT_ALGORITHM
    if algorithm == source.checksum_algorithm and source.checksum_value and source.checksum_type != COMPOSITE:
        return ChecksumResult(algorithm, source.checksum_value)
    return ChecksumResult(algorithm, checksum_of(algorithm, body_of(copy).chunks()))


def _copied(original: Callable[..., None]) -> Callable[..., None]:
    def copy_object(backend: S3Backend, src_key: FakeKey, *args: Any, **kwargs: Any) -> None:
        original(backend, src_key, *args, **kwargs)
        if CURRENT.operation == "CopyObject" and CURRENT.written is not None:
            CURRENT.checksum = copied_checksum(src_key, CURRENT.written, CURRENT.algorithm)
            apply_checksum(CURRENT.written, CURRENT.checksum)

    return copy_object


def _part_copied(original: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def upload_part_copy(
        backend: S3Backend, dest_bucket_name: str, multipart_id: str, *args: Any, **kwargs: Any
    ) -> Any:
        part = original(backend, dest_bucket_name, multipart_id, *args, **kwargs)
        upload = upload_of(backend.get_bucket(dest_bucket_name).multiparts[multipart_id])
        if upload is not None and CURRENT.operation == "UploadPartCopy":
            apply_checksum(part, ChecksumResult(upload[0], checksum_of(upload[0], body_of(part).chunks())))
            CURRENT.written = part
        return part

    return upload_part_copy
