"""ListObjects, ListObjectsV2 and ListObjectVersions answered by S3's listing rules (`emulator.s3.listing`).

Why: moto pages V1 listings by keys alone (common prefixes uncounted, `NextMarker` an opaque hash), lists a folder
whose only keys are deleted, skips the wrong versions after a `KeyMarker`, keeps V2 continuation tokens in memory (a
token from before a restart, or a made-up one, is a 500), and answers a bad `max-keys` with a 500; its answers echo
no `Marker` or `ContinuationToken`, list the owner for `fetch-owner=false`, and URL-encode only some fields.

How it works: `install()` replaces the `S3Backend` listing methods — which entries a page holds — with
`emulator.s3.listing.list_page` over the bucket's keys (for V1 and V2 the keys whose latest version is an object),
and wraps the three `S3Response` listing methods: the query is checked first (`check_listing_query`), and moto's
answer is reshaped (`shaped_listing`) before it is serialized. moto encodes some fields itself when it reads
`encoding-type`, so the wrapper takes that parameter out of the query moto reads and encodes every field itself.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.s3.exceptions import MethodNotAllowed
from moto.s3.models import FakeBucket, FakeDeleteMarker, FakeKey, FakeTableStorageBucket, S3Backend
from moto.s3.responses import S3Response

from emulator.moto.s3_responses import answering_rules, reshaping
from emulator.s3.listing import (
    MAX_KEYS,
    check_listing_query,
    list_page,
    shaped_listing,
    token_for,
    token_start,
    with_parsed_times,
)
from emulator.s3.listing_xml import contents_xml

__all__ = ["install"]

Version = FakeKey | FakeDeleteMarker
_RESPONSE_METHODS = {
    "list_objects": "ListObjects",
    "list_objects_v2": "ListObjectsV2",
    "list_object_versions": "ListObjectVersions",
}


def install() -> None:
    """Replace moto's listings (see the module docstring), once per process."""
    if getattr(S3Backend.list_objects, "__sst_dev_listing__", False):
        raise RuntimeError("S3 listings are already replaced in this process")
    S3Backend.list_objects = _list_objects  # type: ignore[method-assign,assignment]
    S3Backend.list_objects_v2 = _list_objects_v2  # type: ignore[method-assign,assignment]
    S3Backend.list_object_versions = _list_object_versions  # type: ignore[method-assign,assignment]
    _list_objects.__sst_dev_listing__ = True  # type: ignore[attr-defined]
    for name, action in _RESPONSE_METHODS.items():
        setattr(S3Response, name, _listing(getattr(S3Response, name), action))


def _listing(method: Callable[[S3Response], TYPE_RESPONSE], action: str) -> Callable[[S3Response], TYPE_RESPONSE]:
    @answering_rules
    def listing(response: S3Response) -> TYPE_RESPONSE:
        query = dict(response.querystring)
        check_listing_query(query)
        response.querystring.pop("encoding-type", None)
        contents: list[str] = []

        def reshape(result: dict[str, Any]) -> dict[str, Any]:
            shaped = shaped_listing(action, result, query)
            written = contents_xml(shaped.get("Contents") or []) if action != "ListObjectVersions" else None
            if written is not None:  # moto writes the rest, and the answer gets these where moto would put them
                contents.append(written)
                shaped.pop("Contents", None)
            return with_parsed_times(shaped)

        with reshaping(response, reshape):
            answer = method(response)
        return _with_contents(answer, contents[0]) if contents else answer

    return listing


def _with_contents(answer: TYPE_RESPONSE, contents: str) -> TYPE_RESPONSE:
    """moto's listing answer, written without its `Contents`, with `contents` put back before `<Name>`: in both
    ListObjects and ListObjectsV2 the model's next member, always present."""
    status, headers, body = answer
    text = body.decode() if isinstance(body, bytes) else str(body)
    at = text.index("<Name>")
    whole = text[:at] + contents + text[at:]
    return status, headers, whole.encode() if isinstance(body, bytes) else whole


def _list_objects(
    backend: S3Backend,
    bucket: FakeBucket,
    prefix: str | None,
    delimiter: str | None,
    marker: str | None,
    max_keys: int | None,
) -> tuple[list[FakeKey], list[str], bool, str | None]:
    keys = _current_objects(bucket)
    page = list_page(
        [(key.name, None) for key in keys],
        prefix=prefix or "",
        delimiter=delimiter,
        marker=marker or "",
        max_keys=_capped(max_keys),
    )
    return [keys[position] for position in page.listed], page.common_prefixes, page.truncated, page.next_marker


def _list_objects_v2(
    backend: S3Backend,
    bucket: FakeBucket,
    prefix: str | None,
    delimiter: str | None,
    continuation_token: str | None,
    start_after: str | None,
    max_keys: int,
) -> tuple[list[FakeKey | str], bool, str | None]:
    after = token_start(continuation_token) if continuation_token else start_after or ""
    keys, prefixes, truncated, last = _list_objects(backend, bucket, prefix, delimiter, after, max_keys)
    next_token = token_for(last) if truncated and last is not None else None
    return [*keys, *prefixes], truncated, next_token


def _list_object_versions(
    backend: S3Backend,
    bucket_name: str,
    delimiter: str | None = None,
    key_marker: str | None = None,
    max_keys: int | None = MAX_KEYS,
    prefix: str = "",
    version_id_marker: str | None = None,
) -> tuple[list[Any], list[str], list[Any], str | None, str | None]:
    versions = [
        (version, index == 0)
        for _, history in _histories(backend.get_bucket(bucket_name))
        for index, version in enumerate(reversed(history))
    ]
    page = list_page(
        [(version.name, version.version_id) for version, _ in versions],
        prefix=prefix or "",
        delimiter=delimiter,
        marker=key_marker or "",
        version_marker=version_id_marker or None,
        max_keys=_capped(max_keys),
    )
    listed = [_Listed(versions[position][0], is_latest=versions[position][1]) for position in page.listed]
    objects = [entry for entry in listed if isinstance(entry.version, FakeKey)]
    markers = [entry for entry in listed if not isinstance(entry.version, FakeKey)]
    return objects, page.common_prefixes, markers, page.next_marker, page.next_version_marker


def _current_objects(bucket: FakeBucket) -> list[FakeKey]:
    """The bucket's keys whose latest version is an object, sorted by key."""
    if isinstance(bucket, FakeTableStorageBucket):
        raise MethodNotAllowed()
    return [history[-1] for _, history in _histories(bucket) if isinstance(history[-1], FakeKey)]


def _histories(bucket: FakeBucket) -> list[tuple[str, list[Version]]]:
    """Each key of the bucket with its versions, oldest first, sorted by key.

    moto's own iteration looks every key up again in Python; a copy of the underlying dict (taken at once, under the
    GIL, as moto's iteration also starts) holds the same version lists."""
    stored: dict[str, list[Version]] = dict.copy(bucket.keys)
    return sorted(((name, history) for name, history in stored.items() if history), key=itemgetter(0))


def _capped(max_keys: int | None) -> int | None:
    return None if max_keys is None else min(max_keys, MAX_KEYS)


class _Listed:
    """A version as ListObjectVersions lists it: the version, and whether it is its key's latest."""

    def __init__(self, version: Version, *, is_latest: bool) -> None:
        self.version = version
        self.is_latest = is_latest

    def __getattr__(self, name: str) -> Any:
        return getattr(self.version, name)
