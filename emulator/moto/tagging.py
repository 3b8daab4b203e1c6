"""Object and bucket tag sets read and checked by S3's rules (`emulator.s3.tagging`) instead of moto's.

Why: moto keeps a duplicated tag key's last value, drops an empty value from a bucket's tags, takes any number of
bucket tags, answers `BadRequest` for more than 10 object tags, and checks the tags of a CopyObject with
`x-amz-tagging-directive: REPLACE` only after the copy is stored. S3 refuses such a tag set whole (`InvalidTag`),
before anything is written, whichever way it comes: a Tagging body or an `x-amz-tagging` header (PutObject,
CreateMultipartUpload, CopyObject).

How it works: `install()` replaces the three `S3Response` methods moto reads tag sets with — from the
`x-amz-tagging` header, from an object's and from a bucket's Tagging body — by the pure readers and checks, and makes
CopyObject read its new tags (and refuse an unknown tagging directive) before it copies. moto calls each reader
before it stores anything; a refusal reaches moto as its own error (`RuleError`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.s3.responses import S3Response

from emulator.moto.s3_responses import RuleError, answering_rules
from emulator.s3.errors import S3Error
from emulator.s3.tagging import BUCKET_TAG_LIMIT, OBJECT_TAG_LIMIT, checked_tags, header_tags, xml_tags

__all__ = ["install"]

_DIRECTIVES = ("COPY", "REPLACE")


def install() -> None:
    """Replace moto's tag set readers (see the module docstring), once per process."""
    if getattr(S3Response._tagging_from_headers, "__sst_dev_tagging__", False):
        raise RuntimeError("S3 tagging rules are already installed in this process")
    _tagging_from_headers.__sst_dev_tagging__ = True  # type: ignore[attr-defined]
    S3Response._tagging_from_headers = _tagging_from_headers  # type: ignore[method-assign,assignment]
    S3Response._tagging_from_xml = _tagging_from_xml  # type: ignore[method-assign,assignment]
    S3Response._bucket_tagging_from_body = _bucket_tagging_from_body  # type: ignore[method-assign,assignment]
    S3Response.copy_object = _copying_tags(S3Response.copy_object)  # type: ignore[method-assign,assignment]


def _tagging_from_headers(response: S3Response, headers: Any) -> dict[str, str]:
    header = headers.get("x-amz-tagging")
    return _checked(lambda: checked_tags(header_tags(header), limit=OBJECT_TAG_LIMIT)) if header else {}


def _tagging_from_xml(response: S3Response) -> dict[str, str]:
    return _checked(lambda: checked_tags(xml_tags(response.body or b""), limit=OBJECT_TAG_LIMIT))


def _bucket_tagging_from_body(response: S3Response) -> dict[str, str]:
    return _checked(lambda: checked_tags(xml_tags(response.body or b""), limit=BUCKET_TAG_LIMIT))


def _checked(read: Callable[[], dict[str, str]]) -> dict[str, str]:
    try:
        return read()
    except S3Error as error:
        raise RuleError(error) from None


def _copying_tags(copy_object: Callable[[S3Response], TYPE_RESPONSE]) -> Callable[[S3Response], TYPE_RESPONSE]:
    @answering_rules
    def copy_with_tags(response: S3Response) -> TYPE_RESPONSE:
        directive = response.headers.get("x-amz-tagging-directive", "COPY")
        if directive not in _DIRECTIVES:
            raise S3Error(
                "InvalidArgument",
                "Unknown tagging directive.",
                status=400,
                details={"ArgumentName": "x-amz-tagging-directive", "ArgumentValue": directive},
            )
        if directive == "REPLACE":
            response._tagging_from_headers(response.headers)
        return copy_object(response)

    return copy_with_tags
