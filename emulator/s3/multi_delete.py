"""S3's DeleteObjects request as a pure rule: the objects it names and whether it asks for a quiet answer.

Why: moto deletes however many keys a request names, and a body that is not XML gets a 500 from it. As S3 documents,
a request names 1 to 1,000 objects, each with a `Key`, else it is `400 MalformedXML`; in quiet mode the answer lists
only the keys that could not be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.s3.request_xml import children, fields, malformed_xml, request_root

__all__ = ["MAX_OBJECTS", "DeleteRequest", "delete_request"]

MAX_OBJECTS = 1000


@dataclass(frozen=True)
class DeleteRequest:
    """The (key, version id or None) pairs a DeleteObjects request names, in its order, and its `Quiet` flag."""

    objects: list[tuple[str, str | None]]
    quiet: bool


def delete_request(body: bytes) -> DeleteRequest:
    """The DeleteObjects request `body` is; `MalformedXML` unless it names 1 to 1,000 objects, each with a key."""
    root = request_root(body, "Delete")
    quiet = any((element.text or "").strip().lower() == "true" for element in children(root, "Quiet"))
    objects: list[tuple[str, str | None]] = []
    for element in children(root, "Object"):
        named = fields(element)
        if "Key" not in named:
            raise malformed_xml()
        objects.append((named["Key"], named.get("VersionId")))
    if not 1 <= len(objects) <= MAX_OBJECTS:
        raise malformed_xml()
    return DeleteRequest(objects, quiet)
