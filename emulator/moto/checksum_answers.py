"""The checksum fields moto leaves out of its XML answers about multipart uploads and objects, added as S3 gives them.

Why: S3's ListParts names the upload's ChecksumAlgorithm and ChecksumType and each part's checksum; its
CompleteMultipartUpload answer carries the new object's checksum (``…-N`` for a COMPOSITE one) and type,
CopyObject's the copy's type, UploadPartCopy's the part's checksum, and GetObjectAttributes each part's checksum in
`ObjectParts`. SDKs read these (the transfer managers pass part checksums from ListParts and UploadPartCopy back into
the completion). moto answers none of them.

How it works: moto builds each answer as a dict and hands it to `S3Response.serialized`, which `install()` wraps: for
those actions the dict gets the missing fields, from the upload (`emulator.moto.multipart_checksums`), the key, or
the request's checksum (`emulator.moto.checksums.CURRENT`), before moto serializes it against the S3 model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.s3.responses import S3Response

from emulator.moto.app import find_bucket
from emulator.moto.checksums import CURRENT, shown_checksum
from emulator.moto.multipart_checksums import COMPLETION, part_checksums_of, upload_of

__all__ = ["install"]


def install() -> None:
    """Wrap moto's answer serialization for S3 (once per process)."""
    S3Response.serialized = _with_checksums(S3Response.serialized)  # type: ignore[method-assign,assignment]


def _with_checksums(original: Callable[[S3Response, ActionResult], Any]) -> Callable[[S3Response, ActionResult], Any]:
    def serialized(response: S3Response, action_result: ActionResult) -> Any:
        answer = action_result.result
        add = _ADDITIONS.get(response.data.get("Action", "")) if isinstance(response.data, dict) else None
        if add is not None and isinstance(answer, dict):
            add(response, answer)
        return original(response, action_result)

    return serialized


def _list_parts(response: S3Response, answer: dict[str, Any]) -> None:
    bucket = find_bucket(answer["Bucket"])
    multipart = None if bucket is None else bucket.multiparts.get(answer["UploadId"])
    upload = None if multipart is None else upload_of(multipart)
    if multipart is None or upload is None:
        return
    answer["ChecksumAlgorithm"], answer["ChecksumType"] = upload
    for listed in answer["Parts"]:
        part = multipart.parts.get(listed["PartNumber"])
        if part is not None and part.checksum_value:
            listed[f"Checksum{upload[0]}"] = part.checksum_value


def _completion(response: S3Response, answer: dict[str, Any]) -> None:
    key = COMPLETION.key or response.backend.get_object(answer["Bucket"], answer["Key"])  # a repeated completion
    shown = None if key is None else shown_checksum(key)
    if shown is not None:
        answer[f"Checksum{shown.algorithm}"] = shown.value
        answer["ChecksumType"] = shown.checksum_type


def _copy(response: S3Response, answer: dict[str, Any]) -> None:
    copied = answer.get("CopyObjectResult")
    if isinstance(copied, dict) and CURRENT.checksum is not None:
        copied["ChecksumType"] = CURRENT.checksum.checksum_type


def _part_copy(response: S3Response, answer: dict[str, Any]) -> None:
    copied, part = answer.get("CopyPartResult"), CURRENT.written
    if isinstance(copied, dict) and part is not None and part.checksum_algorithm:
        copied[f"Checksum{part.checksum_algorithm}"] = part.checksum_value


def _object_parts(response: S3Response, answer: dict[str, Any]) -> None:
    """Each part's checksum in the `ObjectParts` moto's answer got from the multipart rules (which number parts by
    their place in the object)."""
    listed = (answer.get("ObjectParts") or {}).get("Parts") or []
    if not listed:
        return
    version_id = response.querystring.get("versionId", [None])[0]
    key = response.backend.get_object(response.bucket_name, response.parse_key_name(), version_id=version_id)
    checksums = None if key is None else part_checksums_of(key)
    if key is None or not checksums:
        return
    for part in listed:
        checksum = checksums[part["PartNumber"] - 1] if part["PartNumber"] <= len(checksums) else None
        if checksum is not None:
            part[f"Checksum{key.checksum_algorithm}"] = checksum


_ADDITIONS: dict[str, Callable[[S3Response, dict[str, Any]], None]] = {
    "ListParts": _list_parts,
    "CompleteMultipartUpload": _completion,
    "CopyObject": _copy,
    "UploadPartCopy": _part_copy,
    "GetObjectAttributes": _object_parts,
}
