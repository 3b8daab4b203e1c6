"""Whether a request names an S3 operation at all: S3 refuses one that does not before anything else. Pure.

S3 takes GET, HEAD, PUT, POST, DELETE and OPTIONS; any other method is 405 MethodNotAllowed. POST has few operations:
on an object only with ``uploads`` (CreateMultipartUpload), ``uploadId`` (CompleteMultipartUpload), ``restore`` or
``select`` (405 otherwise); on a bucket ``delete`` (DeleteObjects), else it is a form upload, which S3 takes only as
``multipart/form-data`` (412, `emulator.s3.post_form.check_enclosure_type`), signed or not. moto has no answer for the
others and fails with a 500.
"""

from __future__ import annotations

from collections.abc import Mapping

from emulator.s3.errors import S3Error
from emulator.s3.post_form import check_enclosure_type

__all__ = ["check_operation"]

_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"})
_OBJECT_POSTS = frozenset({"uploads", "uploadId", "restore", "select"})


def check_operation(
    method: str, *, bucket: str | None, key: str | None, query: Mapping[str, str], headers: Mapping[str, str]
) -> None:
    """Raise S3's error when `method` on the addressed resource is no S3 operation (`headers` lower-case)."""
    resource = "SERVICE" if bucket is None else "BUCKET" if key is None else "OBJECT"
    if method not in _METHODS or (method == "POST" and key is not None and not _OBJECT_POSTS & query.keys()):
        raise S3Error(
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            status=405,
            details={"Method": method, "ResourceType": resource},
        )
    if method == "POST" and bucket is not None and key is None and "delete" not in query:
        check_enclosure_type(headers.get("content-type", ""))
