"""Where the object store keeps each bucket and object version, relative to its root: a pure mapping.

S3 object keys are data, not paths: a key may hold `../`, a leading `/`, backslashes, `.`-only segments or up to
1,024 bytes of any unicode, and none of that may reach the file system. So no key text ever appears in a file name:
a version's file is named by the SHA-256 of (bucket, key), with the key itself kept inside the file (see
`emulator.store.record`). Bucket folders are named by the hex of the bucket name, so even a name moto accepts but
S3 would not (`...`) is an ordinary folder name. Every name produced here matches `[0-9a-f.b-]+`: no separator, no
`.`/`..`, at most 141 characters.

Layout (all relative to the store root):

    buckets/b-<hex(bucket)>/bucket.json                       the bucket and its configuration
    buckets/b-<hex(bucket)>/objects/<dd>/<digest>.<seq>       one object version: body, then its record
    services/<service>.json                                   the queues (`sqs`) or tables (`dynamodb`), with data
    tmp/                                                      bodies being written; cleared at start

`<digest>` is 64 hex digits and `<dd>` its first two (at most 256 entries per folder level); `<seq>` is a 16-hex-digit
number that orders a key's versions as they were written.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

__all__ = [
    "BUCKETS",
    "BUCKET_RECORD",
    "SERVICES",
    "TMP",
    "bucket_folder",
    "bucket_record_path",
    "key_digest",
    "parse_version_file_name",
    "service_snapshot_path",
    "version_path",
]

BUCKETS = PurePosixPath("buckets")
SERVICES = PurePosixPath("services")
TMP = PurePosixPath("tmp")
_SERVICE_NAME = re.compile(r"^[a-z0-9]+$")
BUCKET_RECORD = "bucket.json"
_OBJECTS = "objects"
_VERSION_FILE = re.compile(r"^([0-9a-f]{64})\.([0-9a-f]{16})$")


def _utf8(text: str) -> bytes:
    # surrogatepass keeps the mapping injective for every str moto can hand us, even an undecodable key.
    return text.encode("utf-8", "surrogatepass")


def key_digest(bucket: str, key: str) -> str:
    """SHA-256 hex of (bucket, key); the bucket's length prefix keeps ("ab", "c") apart from ("a", "bc")."""
    bucket_bytes = _utf8(bucket)
    return hashlib.sha256(len(bucket_bytes).to_bytes(4, "big") + bucket_bytes + _utf8(key)).hexdigest()


def bucket_folder(bucket: str) -> PurePosixPath:
    return BUCKETS / f"b-{_utf8(bucket).hex()}"


def bucket_record_path(bucket: str) -> PurePosixPath:
    return bucket_folder(bucket) / BUCKET_RECORD


def version_path(bucket: str, key: str, seq: int) -> PurePosixPath:
    """The file holding version number `seq` of `key` in `bucket`."""
    if not 0 <= seq < 16**16:
        raise ValueError(f"version sequence number out of range: {seq}")
    digest = key_digest(bucket, key)
    return bucket_folder(bucket) / _OBJECTS / digest[:2] / f"{digest}.{seq:016x}"


def parse_version_file_name(name: str) -> tuple[str, int] | None:
    """(digest, seq) of a version file's name; None for anything else (temporary or foreign files)."""
    match = _VERSION_FILE.match(name)
    return None if match is None else (match.group(1), int(match.group(2), 16))


def service_snapshot_path(service: str) -> PurePosixPath:
    """Where the snapshot of one AWS service's resources lives; `service` is a fixed name such as `sqs`."""
    if not _SERVICE_NAME.match(service):
        raise ValueError(f"not a service name: {service!r}")
    return SERVICES / f"{service}.json"
