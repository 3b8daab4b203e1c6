"""Reading the XML bodies of S3 requests, as S3 answers a body it cannot read: `400 MalformedXML`. Pure."""

from __future__ import annotations

from xml.etree import ElementTree

from emulator.s3.errors import S3Error

__all__ = ["children", "fields", "malformed_xml", "request_root"]


def malformed_xml() -> S3Error:
    return S3Error(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        status=400,
    )


def request_root(body: bytes, name: str) -> ElementTree.Element:
    """The root element of `body`, which must be named `name` (in any namespace)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise malformed_xml() from None
    if _local_name(root.tag) != name:
        raise malformed_xml()
    return root


def children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    """The child elements of `element` named `name`."""
    return [child for child in element if _local_name(child.tag) == name]


def fields(element: ElementTree.Element) -> dict[str, str]:
    """The text of each child element of `element`, by name (empty for an empty element)."""
    return {_local_name(child.tag): child.text or "" for child in element}


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]
