"""The checksum of each object moto stores, kept and answered as S3 keeps and answers it.

Why: S3 stores the checksum it verified with the object (or, when the client sent none, a CRC64NVME it computed) and
returns it on `GetObject`/`HeadObject` with `ChecksumMode=ENABLED` — ``x-amz-checksum-<algorithm>`` and
``x-amz-checksum-type`` — and in `GetObjectAttributes`. moto keeps whatever value the request claimed, spelled as the
client spelled the algorithm, no type for a single-part object, and its HeadObject leaves out the type and the part
count of a COMPOSITE checksum.

How it works: the verification in front of moto (`emulator.moto.checksum_verification`) leaves the verified checksum
of the request being served in `CURRENT`, a thread-local (moto serves a request on one thread). `install()` wraps:
- `S3Backend.put_object`: the new key gets that checksum; a body stored by a request that was not verified there
  gets S3's default CRC64NVME, computed from the bytes moto was given. Copies and multipart completions pass a body
  file, not bytes: their checksum is set where they are handled (`emulator.moto.copy_checksums`,
  `emulator.moto.multipart_checksums`).
- `S3Response.head_object`: with `ChecksumMode=ENABLED`, the checksum headers GetObject gives
  (`checksum_headers`, which the fast read path uses too).
- `FakeKey.response_dict`: without moto's ``x-amz-sdk-checksum-algorithm`` response header, which S3 never sends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.s3.models import FakeKey, S3Backend
from moto.s3.responses import S3Response

from emulator.s3.checksums import COMPOSITE, DEFAULT_ALGORITHM, FULL_OBJECT, ChecksumResult, checksum_of

__all__ = ["CURRENT", "RequestChecksums", "apply_checksum", "checksum_headers", "install", "shown_checksum"]

_TYPE_HEADER = "x-amz-checksum-type"


class RequestChecksums(threading.local):
    """What the verification in front of moto found for the request this thread serves; reset for each request.

    `checksum` is the verified checksum of a PutObject's or UploadPart's body (a CopyObject's once copied);
    `written` the key or part the request stored, so the verification can answer with its checksum; `algorithm`
    the one a CopyObject asks the copy to have.
    """

    operation: str | None = None
    checksum: ChecksumResult | None = None
    written: FakeKey | None = None
    algorithm: str | None = None

    def reset(self) -> None:
        self.operation, self.checksum, self.written, self.algorithm = None, None, None, None


CURRENT = RequestChecksums()


def apply_checksum(key: FakeKey, checksum: ChecksumResult, parts: int | None = None) -> None:
    """Keep `checksum` as `key`'s, in moto's fields (which the persistence records); `parts` for a COMPOSITE one."""
    key.checksum_algorithm = checksum.algorithm
    key.checksum_value = checksum.value
    key.checksum_type = checksum.checksum_type
    key.checksum_parts = parts


def shown_checksum(key: FakeKey) -> ChecksumResult | None:
    """`key`'s checksum as S3 shows it with the object: a COMPOSITE one with its part count (``…-3``)."""
    if not key.checksum_algorithm or not key.checksum_value:
        return None
    value = key.checksum_value
    if key.checksum_type == COMPOSITE and key.checksum_parts:
        value = f"{value}-{key.checksum_parts}"
    return ChecksumResult(key.checksum_algorithm, value, key.checksum_type or FULL_OBJECT)  # a single-part object's


def checksum_headers(key: FakeKey) -> dict[str, str]:
    """The checksum headers S3 answers a whole-object read of `key` with when `ChecksumMode=ENABLED`."""
    shown = shown_checksum(key)
    if shown is None:
        return {}
    headers = {shown.header: shown.value}
    if key.checksum_type:  # objects stored before the emulator kept types have none, as moto's GetObject shows
        headers[_TYPE_HEADER] = key.checksum_type
    return headers


def install() -> None:
    """Wrap moto's object writes, HeadObject and response headers (once per process; see the module docstring)."""
    if getattr(S3Backend.put_object, "__sst_dev_checksums__", False):
        raise RuntimeError("S3 checksums are already installed in this process")
    S3Backend.put_object = _marked(_put_object(S3Backend.put_object))  # type: ignore[method-assign]
    S3Response.head_object = _head_with_checksum(S3Response.head_object)  # type: ignore[method-assign]
    response_dict: property = FakeKey.__dict__["response_dict"]
    FakeKey.response_dict = property(_without_sdk_algorithm(response_dict.fget))  # type: ignore[assignment,method-assign,arg-type]


def _marked(method: Callable[..., Any]) -> Callable[..., Any]:
    method.__sst_dev_checksums__ = True  # type: ignore[attr-defined]
    return method


def _put_object(original: Callable[..., FakeKey]) -> Callable[..., FakeKey]:
    def put_object(backend: S3Backend, bucket_name: str, key_name: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        key = original(backend, bucket_name, key_name, value, *args, **kwargs)
        checksum = CURRENT.checksum if CURRENT.operation == "PutObject" and CURRENT.written is None else None
        if checksum is None and isinstance(value, bytes | bytearray):
            checksum = ChecksumResult(DEFAULT_ALGORITHM, checksum_of(DEFAULT_ALGORITHM, [bytes(value)]))
        if checksum is not None:
            apply_checksum(key, checksum)
        if checksum is not None or CURRENT.operation == "CopyObject":  # a copy's checksum is set once it is copied
            CURRENT.written = key
        return key

    return put_object


def _head_with_checksum(original: Callable[..., Any]) -> Callable[..., Any]:
    def head_object(
        response: S3Response, bucket_name: str, query: dict[str, Any], key_name: str, headers: dict[str, Any]
    ) -> Any:
        status, response_headers, body = original(response, bucket_name, query, key_name, headers)
        if status == 200 and headers.get("x-amz-checksum-mode") == "ENABLED":
            version_id = query.get("versionId", [None])[0]
            key = response.backend.head_object(bucket_name, key_name, version_id=version_id)
            if key is None:
                return status, response_headers, body
            for name in [name for name in response_headers if name.lower().startswith("x-amz-checksum-")]:
                del response_headers[name]
            response_headers.update(checksum_headers(key))
        return status, response_headers, body

    return head_object


def _without_sdk_algorithm(original: Callable[[FakeKey], dict[str, Any]]) -> Callable[[FakeKey], dict[str, Any]]:
    def response_dict(key: FakeKey) -> dict[str, Any]:
        headers = original(key)
        headers.pop("x-amz-sdk-checksum-algorithm", None)
        return headers

    return response_dict
