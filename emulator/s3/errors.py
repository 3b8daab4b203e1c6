"""S3's error answer: a typed exception with S3's code, message and status, rendered as S3's XML error body.

Every check in front of moto (presigned URLs, browser form POSTs, CORS, addressing) raises `S3Error` so the guard can
answer exactly as S3 does: ``<Error><Code/><Message/>...<RequestId/></Error>`` with the HTTP status S3 uses.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

__all__ = ["S3Error", "error_body"]


class S3Error(Exception):
    """A request S3 would refuse.

    `code` and `message` are S3's own (clients such as botocore branch on the code); `details` are the extra elements
    S3 adds to that error (e.g. ``ProposedSize`` for EntityTooLarge), in order.
    """

    def __init__(self, code: str, message: str, *, status: int = 403, details: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details: dict[str, str] = dict(details or {})


def error_body(error: S3Error, request_id: str) -> bytes:
    """Render `error` as the XML body S3 sends with it."""
    elements = [("Code", error.code), ("Message", error.message), *error.details.items(), ("RequestId", request_id)]
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()
