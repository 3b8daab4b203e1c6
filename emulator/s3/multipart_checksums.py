"""S3's checksum rules for multipart uploads, pure: the checksum an upload is created with, the algorithm of its
parts, the parts a completion lists, and the object checksum that comes of them.

Why: a multipart object's checksum is either COMPOSITE — the algorithm over the parts' own checksums, shown with the
part count (``…-3``) — or FULL_OBJECT, a CRC of the whole object; S3 lets each algorithm have only the types that
make sense (a SHA cannot be combined into a whole-object value, a CRC64NVME is only ever whole-object) and refuses a
completion whose parts' checksums are missing or not those it stored. moto checks none of this, so the emulator does,
with S3's codes and messages. An upload created without an algorithm gets S3's default, a FULL_OBJECT CRC64NVME.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from emulator.s3.checksums import (
    ALGORITHMS,
    COMPOSITE,
    CRC_ALGORITHMS,
    DEFAULT_ALGORITHM,
    FULL_OBJECT,
    UNSUPPORTED_ALGORITHM,
    algorithm_of,
    bad_digest,
    checksum_of,
    invalid_request,
    is_checksum_value,
    stated_checksum_header,
)
from emulator.s3.errors import S3Error
from emulator.s3.request_xml import children, fields, request_root

__all__ = [
    "DEFAULT_UPLOAD",
    "CompletedPart",
    "UploadChecksum",
    "check_completed_part",
    "check_object_checksum",
    "check_part_algorithm",
    "listed_parts",
    "completion_checksum",
    "composite_checksum",
    "copy_algorithm",
    "upload_checksum",
]

UploadChecksum = tuple[str, str]
"""An upload's (algorithm, checksum type), e.g. ("SHA256", "COMPOSITE")."""
DEFAULT_UPLOAD: UploadChecksum = (DEFAULT_ALGORITHM, FULL_OBJECT)
"""What S3 gives an upload created without an algorithm."""
_TYPE_ALGORITHMS = {FULL_OBJECT: CRC_ALGORITHMS, COMPOSITE: frozenset(ALGORITHMS) - {"CRC64NVME"}}
"""The algorithms each type takes: a CRC of the whole object (CRCs combine), or a hash of the parts' hashes."""


def upload_checksum(algorithm: str | None, checksum_type: str | None) -> UploadChecksum | None:
    """The checksum a CreateMultipartUpload's `x-amz-checksum-algorithm` and `x-amz-checksum-type` give the upload,
    with S3's default type (FULL_OBJECT for CRC64NVME, COMPOSITE otherwise); None for neither. Raises `S3Error` for
    what S3 refuses: an unknown algorithm or type, a type alone, or a pair S3 does not combine."""
    if algorithm is None:
        if checksum_type is not None:
            raise invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."
            )
        return None
    algorithm = algorithm.upper()
    if algorithm not in ALGORITHMS:
        raise invalid_request(UNSUPPORTED_ALGORITHM)
    if checksum_type is None:
        checksum_type = FULL_OBJECT if algorithm == "CRC64NVME" else COMPOSITE
    checksum_type = checksum_type.upper()
    if checksum_type not in _TYPE_ALGORITHMS:
        raise invalid_request("Value for x-amz-checksum-type header is invalid.")
    if algorithm not in _TYPE_ALGORITHMS[checksum_type]:
        raise invalid_request(
            f"The {checksum_type} checksum type cannot be used with the {algorithm.lower()} checksum algorithm."
        )
    return algorithm, checksum_type


def copy_algorithm(algorithm: str | None) -> str | None:
    """The algorithm a CopyObject's `x-amz-checksum-algorithm` asks the copy to have (None: the source's); raises
    `S3Error` for one S3 does not have."""
    if algorithm is not None and algorithm.upper() not in ALGORITHMS:
        raise invalid_request(UNSUPPORTED_ALGORITHM)
    return None if algorithm is None else algorithm.upper()


def check_part_algorithm(upload: UploadChecksum | None, stated: str | None) -> None:
    """Refuse an UploadPart whose checksum is of another algorithm than its upload's, or missing in a COMPOSITE
    upload, which is made of the parts' checksums (raises `S3Error`). A FULL_OBJECT upload's part without one is
    checksummed by S3; an upload created without an algorithm takes parts with any checksum or none."""
    if upload is None or stated == upload[0] or (stated is None and upload[1] == FULL_OBJECT):
        return
    raise _algorithm_mismatch(upload[0], "null" if stated is None else stated)


def _algorithm_mismatch(expected: str, actual: str) -> S3Error:
    return invalid_request(
        f"Checksum Type mismatch occurred, expected checksum Type: {expected.lower()}, "
        f"actual checksum Type: {actual.lower()}"
    )


def composite_checksum(algorithm: str, part_checksums: Sequence[str]) -> str:
    """S3's COMPOSITE checksum: `algorithm` over the parts' raw checksums joined in order, base64, then ``-N``."""
    joined = b"".join(base64.b64decode(value) for value in part_checksums)
    return f"{checksum_of(algorithm, [joined])}-{len(part_checksums)}"


@dataclass(frozen=True)
class CompletedPart:
    """One `Part` of a CompleteMultipartUpload request: its number, ETag, and the checksums it lists by algorithm."""

    part_number: int
    etag: str
    checksums: Mapping[str, str]


def listed_parts(body: bytes) -> list[CompletedPart] | None:
    """The parts a CompleteMultipartUpload body lists, with their checksums; None when the body cannot be read as one
    (the completion's own checks answer that)."""
    try:
        root = request_root(body, "CompleteMultipartUpload")
    except S3Error:
        return None
    parts: list[CompletedPart] = []
    for element in children(root, "Part"):
        named = fields(element)
        number = named.get("PartNumber", "").strip()
        if not number.isdigit():
            return None
        checksums = {name: named[f"Checksum{name}"].strip() for name in ALGORITHMS if f"Checksum{name}" in named}
        parts.append(CompletedPart(int(number), named.get("ETag", "").strip(), checksums))
    return parts


def check_completed_part(
    part: CompletedPart, upload: UploadChecksum | None, uploaded_checksum: str | None, upload_id: str
) -> None:
    """Refuse a completed part whose listed checksums do not fit its upload, as S3 does (raises `S3Error`).

    `upload` is the upload's checksum, None when it was created without an algorithm; `uploaded_checksum` is the
    checksum the part was stored with. A COMPOSITE upload needs each part's checksum, a FULL_OBJECT one takes them
    or not, an upload without an algorithm takes none; a listed checksum must be the stored one.
    """
    listed = part.checksums.get(upload[0]) if upload is not None else None
    if upload is not None and upload[1] == COMPOSITE and listed is None:
        for other in part.checksums:
            raise bad_digest(
                f"The {other.lower()} you specified for part {part.part_number} did not match what we received."
            )
        raise invalid_request(
            f"The upload was created using a {upload[0].lower()} checksum. The complete request must include the "
            f"checksum for each part. It was missing for part {part.part_number} in the request."
        )
    if (upload is None and part.checksums) or (listed is not None and listed != uploaded_checksum):
        raise S3Error(
            "InvalidPart",
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the "
            "specified entity tag may not match the part's entity tag.",
            status=400,
            details={"ETag": part.etag, "PartNumber": str(part.part_number), "UploadId": upload_id},
        )


def completion_checksum(headers: Mapping[str, str], upload: UploadChecksum) -> str | None:
    """The object checksum a CompleteMultipartUpload states in its headers (lower-case names), to compare with the
    one S3 computes; None when it states none. Raises `S3Error` for a checksum type other than the upload's, a
    checksum of another algorithm, or a malformed value (a COMPOSITE one ends in ``-N``)."""
    algorithm, checksum_type = upload
    stated_type = headers.get("x-amz-checksum-type")
    if stated_type is not None and stated_type.upper() != checksum_type:
        raise invalid_request(
            f"The upload was created using the {checksum_type} checksum mode. The complete request must use the "
            "same checksum mode."
        )
    given = stated_checksum_header(headers)
    if given is None:
        return None
    stated = algorithm_of(given)
    if stated != algorithm:
        raise _algorithm_mismatch(algorithm, str(stated))
    value = headers[given].strip()
    checksum, _, count = value.partition("-") if checksum_type == COMPOSITE else (value, "", "")
    if not is_checksum_value(algorithm, checksum) or (checksum_type == COMPOSITE and not count.isdigit()):
        raise invalid_request(f"Value for {given} header is invalid.")
    return value


def check_object_checksum(upload: UploadChecksum, stated: str | None, computed: str) -> None:
    """Refuse a completion whose stated object checksum is not the computed one (raises `S3Error` BadDigest)."""
    if stated is not None and stated != computed:
        raise bad_digest(f"The {upload[0].lower()} you specified did not match the calculated checksum.")
