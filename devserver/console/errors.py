"""Errors the Console's JSON API answers with: an HTTP status, a stable code, a message and the offending value."""

from __future__ import annotations

from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from devserver.errors import CodedError

__all__ = ["ConsoleError", "from_client_error", "install_error_handlers"]

# S3 answers a missing key or bucket with these codes; the Console passes them on as 404s, the rest as 400s.
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchUpload"})
# HEAD answers carry no body, so botocore reports a missing key as code "404": name it as GetObject would.
_HEAD_NOT_FOUND = frozenset({"404", "NotFound"})


class ConsoleError(CodedError):
    """A request the Console cannot carry out; rendered as `{"code", "message", "value"}`."""

    def __init__(self, status: int, code: str, message: str, value: str | None = None) -> None:
        super().__init__(code, message, value, status=status)


def from_client_error(error: ClientError, value: str) -> ConsoleError:
    """The emulator's answer to an S3 call, with S3's own error code, about `value` (a key or bucket)."""
    details = error.response.get("Error", {})
    code = str(details.get("Code", "InternalError"))
    if code in _HEAD_NOT_FOUND:
        code = "NoSuchKey"
    message = str(details.get("Message") or code)
    return ConsoleError(404 if code in _NOT_FOUND_CODES else 400, code, message, value)


def install_error_handlers(app: FastAPI) -> None:
    """Render every `CodedError` (the Console's own, and local Auth's) as `{"code", "message", "value"}` with its
    status."""

    async def render(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, CodedError)
        return JSONResponse(error.payload(), status_code=error.status)

    app.add_exception_handler(CodedError, render)
