"""What an accepted browser form upload stores: its fields as the PutObject headers S3 takes them for. Pure.

AWS: "Parameters that are passed to PUT through HTTP headers are instead passed as form fields to POST". So an
upload reaches moto as that PutObject, and moto stores the object, its metadata, ACL, tags, storage class, encryption
and stated checksum as it does for a PUT (the guard then answers as S3 answers a POST). Only the fields S3 documents
for POST Object become headers; the rest (policy, signature, ``success_action_*``, ``x-ignore-*``...) do not.

The form's words become S3's: ``acl`` is ``x-amz-acl`` (a canned ACL, else 400 InvalidArgument), ``tagging`` an XML
``Tagging`` document turned into ``x-amz-tagging`` (not XML: 400 MalformedXML; another root element: no tags, as S3
was seen to do), ``x-amz-checksum-algorithm`` the ``x-amz-sdk-checksum-algorithm`` moto reads. Metadata names are
kept lower-case, as S3 stores them. The file is checked against ``Content-MD5`` and ``x-amz-checksum-*`` fields as a
PutObject's body is against those headers. A value that is not printable ASCII is stored RFC 2047-encoded, which is
how S3 returns UTF-8 metadata from a POST; it also keeps a line break in a form value from becoming a header's.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlencode
from xml.etree import ElementTree

from emulator.s3.checksums import verify_request_checksums
from emulator.s3.errors import S3Error
from emulator.s3.post_form import PostForm

__all__ = ["CANNED_ACLS", "object_headers"]

CANNED_ACLS = frozenset(
    {
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
    }
)
"""The canned ACLs an object may be given."""

_HEADER_FIELDS = frozenset(
    {
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-md5",
        "content-type",
        "expires",
        "x-amz-server-side-encryption",
        "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-bucket-key-enabled",
        "x-amz-server-side-encryption-context",
        "x-amz-server-side-encryption-customer-algorithm",
        "x-amz-server-side-encryption-customer-key",
        "x-amz-server-side-encryption-customer-key-md5",
        "x-amz-storage-class",
        "x-amz-website-redirect-location",
    }
)
"""Form fields that are the PutObject header of the same name."""
_METADATA_PREFIX = "x-amz-meta-"
_CHECKSUM_PREFIX = "x-amz-checksum-"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e\t]*")
_Q_SAFE = frozenset(range(0x21, 0x7F)) - set(b"=?_")
_MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"


def object_headers(form: PostForm, content: bytes) -> tuple[tuple[str, str], ...]:
    """The PutObject headers of an accepted upload of `content` (lower-case names, values as the wire carries them).

    Raises `S3Error` as S3 refuses the upload: an ACL or tagging document it does not take, or a file that does not
    match its ``Content-MD5`` or ``x-amz-checksum-*`` fields (`emulator.s3.checksums`' rules, as for a PutObject).
    """
    names: dict[str, str] = {}
    for name, _ in form.fields:
        names.setdefault(name.lower(), name)
    headers: list[tuple[str, str]] = []
    for lowered, name in names.items():
        value = form.field(lowered) or ""  # a repeated field counts once, its values joined
        if lowered == "x-amz-checksum-algorithm":
            headers.append(("x-amz-sdk-checksum-algorithm", value))
        elif lowered in _HEADER_FIELDS or lowered.startswith(_CHECKSUM_PREFIX):
            headers.append((lowered, value))
        elif lowered.startswith(_METADATA_PREFIX):
            headers.append((_metadata_name(name), value))
        elif lowered == "acl":
            headers.append(("x-amz-acl", _canned_acl(value)))
        elif lowered == "tagging":
            tags = _tagging(value)
            if tags is not None:
                headers.append(("x-amz-tagging", tags))
    verify_request_checksums(dict(headers), content)
    return tuple((name, _header_value(value)) for name, value in headers)


def _metadata_name(name: str) -> str:
    if not _TOKEN.fullmatch(name):
        raise S3Error(
            "InvalidArgument",
            "User-defined metadata names must be HTTP header names.",
            status=400,
            details={"ArgumentName": name, "ArgumentValue": ""},
        )
    return name.lower()


def _canned_acl(value: str) -> str:
    if value not in CANNED_ACLS:
        raise S3Error("InvalidArgument", "", status=400, details={"ArgumentName": "x-amz-acl", "ArgumentValue": value})
    return value


def _tagging(document: str) -> str | None:
    """A ``<Tagging><TagSet><Tag><Key/><Value/></Tag>...`` document as ``x-amz-tagging``; None for another root."""
    try:
        root = ElementTree.fromstring(document.strip())
    except (ElementTree.ParseError, ValueError) as error:
        raise S3Error("MalformedXML", _MALFORMED_XML, status=400) from error
    if _local_name(root.tag) != "Tagging":
        return None
    tags: list[tuple[str, str]] = []
    for tag_set in _children(root, "TagSet"):
        for tag in _children(tag_set, "Tag"):
            keys = [element.text or "" for element in _children(tag, "Key")]
            values = [element.text or "" for element in _children(tag, "Value")]
            if len(keys) != 1 or len(values) > 1:
                raise S3Error("MalformedXML", _MALFORMED_XML, status=400)
            tags.append((keys[0], values[0] if values else ""))
    return urlencode(tags)


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local_name(child.tag) == name]


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # S3's documents may carry its namespace


def _header_value(value: str) -> str:
    """`value` as a header carries it: as is when printable ASCII, else an RFC 2047 encoded-word (Q, or B when it
    holds control characters), as S3 returns UTF-8 metadata."""
    if _PRINTABLE_ASCII.fullmatch(value):
        return value
    raw = value.encode("utf-8")
    if any(character < " " or character == "\x7f" for character in value):
        return f"=?UTF-8?B?{base64.b64encode(raw).decode()}?="
    encoded = "".join("_" if byte == 0x20 else chr(byte) if byte in _Q_SAFE else f"={byte:02X}" for byte in raw)
    return f"=?UTF-8?Q?{encoded}?="
