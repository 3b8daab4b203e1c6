"""Which requests moto may answer on the emulator's event loop instead of on a worker thread. Pure.

Handing a request to a worker thread and its answer back costs two thread wake-ups; on this 2-core machine, busy
with other processes, those cost more than moto's own work for a small object (measured, sequential boto3 against
moto's `ThreadedMotoServer` in the same run: 1 KiB PutObject ×2.2 → ×3.2, GetObject ×1.8 → ×2.2). moto's work
holds the GIL either way, so running it on the loop takes nothing from other requests — unless it waits: an fsync,
a long poll, or a copy of a large object. So a request runs inline only when it is an S3 request (SigV4-signed for
`s3`, SigV2-signed, or unsigned, which moto routes to S3) whose work is bounded by its own small body (the bridge
checks the size):
- a read (GET, HEAD) — a large object's body is then streamed from worker threads after its first piece;
- a write, when the emulator commits nothing to disk (no state folder: bodies go to unsynced temporary files),
  except a copy (`x-amz-copy-source`) and a multipart completion (POST with `uploadId`), which copy whole objects.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from emulator.asgi_messages import header_map
from emulator.iam.signer import access_key_of
from emulator.middleware import Scope

__all__ = ["InlinePolicy"]

_READS = frozenset({"GET", "HEAD"})


class InlinePolicy:
    """`policy(scope)` says whether an ASGI request may be handled on the loop (see the module docstring).

    `durable` says whether S3 writes are committed to disk (fsynced) before they are answered.
    """

    def __init__(self, *, durable: bool) -> None:
        self._durable = durable

    def __call__(self, scope: Scope) -> bool:
        method = str(scope.get("method", ""))
        if method not in _READS and self._durable:
            return False
        path = str(scope.get("path", ""))
        if path.startswith("/moto-api"):
            return False  # moto's own API: a reset wipes the store
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        headers = header_map(scope)
        signer = access_key_of(headers, dict(parse_qsl(query)))
        if signer is not None and signer.service != "s3":
            return False
        if method in _READS:
            return True
        return "x-amz-copy-source" not in headers and not (method == "POST" and "uploadId=" in query)
