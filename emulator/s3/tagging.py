"""S3's tag sets as pure rules: reading one from a Tagging XML body or an `x-amz-tagging` header, and the limits S3
puts on it.

Why we mirror AWS here rather than moto: moto keeps a duplicated key's last value, drops an empty value from a
bucket's tags, accepts any number of bucket tags and answers `BadRequest` for more than 10 object tags. As S3
documents, a tag set breaking a rule is refused whole with `400 InvalidTag`: more than 10 tags on an object or 50 on a
bucket, a key twice, a key that is empty, longer than 128 characters or starting with `aws:`, a value longer than 256.
Empty values are kept. Sets are kept in key order: AWS documents none, and s3-tests expects key order.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from emulator.s3.errors import S3Error
from emulator.s3.request_xml import children, fields, malformed_xml, request_root

__all__ = ["BUCKET_TAG_LIMIT", "OBJECT_TAG_LIMIT", "checked_tags", "header_tags", "xml_tags"]

OBJECT_TAG_LIMIT = 10
BUCKET_TAG_LIMIT = 50
_MAX_KEY_LENGTH = 128
_MAX_VALUE_LENGTH = 256


def xml_tags(body: bytes) -> list[tuple[str, str]]:
    """The (key, value) pairs of a `<Tagging><TagSet><Tag>` body, in its order; `MalformedXML` for anything else."""
    pairs: list[tuple[str, str]] = []
    for tag_set in children(request_root(body, "Tagging"), "TagSet"):
        for tag in children(tag_set, "Tag"):
            named = fields(tag)
            if "Key" not in named:
                raise malformed_xml()
            pairs.append((named["Key"], named.get("Value", "")))
    return pairs


def header_tags(header: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of an `x-amz-tagging` header: a URL-encoded query string (`a=1&b=`, or `b` alone)."""
    return parse_qsl(header, keep_blank_values=True)


def checked_tags(pairs: Sequence[tuple[str, str]], *, limit: int) -> dict[str, str]:
    """The tag set `pairs` make, sorted by key, once it keeps S3's rules for a resource allowing `limit` tags."""
    if len(pairs) > limit:
        what = "Object tags" if limit == OBJECT_TAG_LIMIT else "Bucket tag count"
        raise _invalid_tag(f"{what} cannot be greater than {limit}")
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key in tags:
            raise _invalid_tag("Cannot provide multiple Tags with the same key")
        if not key or len(key) > _MAX_KEY_LENGTH:
            raise _invalid_tag("The TagKey you have provided is invalid")
        if key.startswith("aws:"):
            raise _invalid_tag("Your TagKey cannot be prefixed with aws:")
        if len(value) > _MAX_VALUE_LENGTH:
            raise _invalid_tag("The TagValue you have provided is invalid")
        tags[key] = value
    return dict(sorted(tags.items()))


def _invalid_tag(message: str) -> S3Error:
    return S3Error("InvalidTag", message, status=400)
