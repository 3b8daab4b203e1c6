"""S3's 4xx for the malformed requests moto fails on with a 500.

moto reads request input as if it were well-formed — bare indexing into headers, query and parsed XML, ``int()`` on
header values, XML parsing unguarded — so a malformed request raises KeyError, ValueError or ExpatError out of its S3
view and is answered 500 Internal Server Error. S3 never answers a client's mistake with a 5xx. `install()` wraps the
two entry points of moto's S3 view (`S3Response.bucket_response` and `key_response`, which `ambiguous_response` and
the URL routes call) so that:
- an aws-chunked body that breaks its framing is 400 IncompleteBody — moto decodes the body (signed or unsigned)
  while it sets the request up, before its own error handling;
- unparsable XML is 400 MalformedXML; XML that does not have the elements moto expects is also MalformedXML (S3's
  "did not validate against our published schema") when the request carries a body, else the input is a header or
  query value moto could not read: 400 InvalidRequest;
- NotImplementedError (a feature moto lacks) is 501 NotImplemented, S3's own answer for functionality it does not
  implement;
- a bucket policy S3 would not take is 400 MalformedPolicy (`emulator.s3.bucket_policy`): moto stores any bytes, then
  fails every later object request of the bucket reading them.
Only failures raised by moto's code or the libraries it parses with are translated, each logged with its traceback:
one raised by the emulator's own code (its hooks into moto) stays a 500, so a bug of ours is never passed off as the
client's. The error body's request id is the one `RequestContextMiddleware` puts in the response headers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any
from xml.parsers.expat import ExpatError

from moto.core.common_types import TYPE_RESPONSE
from moto.s3.models import S3Backend
from moto.s3.responses import S3Response

from emulator.request_context import CurrentRequest
from emulator.s3.bucket_policy import check_bucket_policy
from emulator.s3.errors import S3Error, error_body

__all__ = ["install"]

logger = logging.getLogger(__name__)

_PARSE_FAILURES = (KeyError, ValueError, TypeError, IndexError, AttributeError, AssertionError)
_OWN_CODE = "emulator"

View = Callable[[S3Response, Any, str, Any], TYPE_RESPONSE]


def install(current_request: CurrentRequest) -> None:
    """Wrap moto's S3 view and body decoding (see the module docstring); once per process."""
    if getattr(S3Response.key_response, "__sst_dev_request_errors__", False):
        raise RuntimeError("moto's malformed-request answers are already installed in this process")
    S3Response.bucket_response = _answering_errors(S3Response.bucket_response, current_request)  # type: ignore[method-assign,assignment]
    S3Response.key_response = _answering_errors(S3Response.key_response, current_request)  # type: ignore[method-assign,assignment]
    S3Response._handle_v4_chunk_signatures = _framing_checked(S3Response._handle_v4_chunk_signatures)  # type: ignore[method-assign]
    S3Response._handle_encoded_body = _framing_checked(S3Response._handle_encoded_body)  # type: ignore[method-assign]
    S3Backend.put_bucket_policy = _policy_checked(S3Backend.put_bucket_policy)  # type: ignore[method-assign,assignment]


class _Framing(Exception):
    """An aws-chunked body that does not decode: raised through moto's set-up to the view's wrapper."""


def _framing_checked(decode: Callable[..., bytes]) -> Callable[..., bytes]:
    def decoding(response: S3Response, *args: Any) -> bytes:
        try:
            return decode(response, *args)
        except (ValueError, IndexError) as error:
            raise _Framing() from error

    return decoding


def _policy_checked(
    put_bucket_policy: Callable[[S3Backend, str, bytes], None],
) -> Callable[[S3Backend, str, bytes], None]:
    def putting(backend: S3Backend, bucket_name: str, policy: bytes) -> None:
        check_bucket_policy(policy)
        put_bucket_policy(backend, bucket_name, policy)

    return putting


def _answering_errors(view: View, current_request: CurrentRequest) -> View:
    def answering(response: S3Response, request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        try:
            return view(response, request, full_url, headers)
        except S3Error as error:  # raised by the checks above, from inside moto's handling
            return _answer(error, request, current_request)
        except _Framing:
            incomplete = "The request body terminated unexpectedly"
            return _answer(S3Error("IncompleteBody", incomplete, status=400), request, current_request)
        except (ExpatError, NotImplementedError, *_PARSE_FAILURES) as error:
            if _raised_by_own_code(error.__traceback__):
                raise
            logger.warning("moto could not read an S3 request (%s %s)", request.method, full_url, exc_info=True)
            return _answer(_s3_error_for(error, bool(getattr(response, "body", b""))), request, current_request)

    answering.__sst_dev_request_errors__ = True  # type: ignore[attr-defined]
    return answering


def _s3_error_for(error: BaseException, has_body: bool) -> S3Error:
    if isinstance(error, NotImplementedError):
        message = "A header you provided implies functionality that is not implemented"
        return S3Error("NotImplemented", message, status=501)
    if isinstance(error, ExpatError) or has_body:
        message = "The XML you provided was not well-formed or did not validate against our published schema"
        return S3Error("MalformedXML", message, status=400)
    return S3Error("InvalidRequest", "The request is not valid: a header or query parameter cannot be read", status=400)


def _raised_by_own_code(traceback: TracebackType | None) -> bool:
    """Whether the innermost frame of `traceback` is the emulator's (not moto's or a library's)."""
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback is not None and str(traceback.tb_frame.f_globals.get("__name__", "")).startswith(_OWN_CODE)


def _answer(error: S3Error, request: Any, current_request: CurrentRequest) -> TYPE_RESPONSE:
    context = current_request.get()
    body = b"" if request.method == "HEAD" else error_body(error, "" if context is None else context.request_id)
    return error.status, {"Content-Type": "application/xml"}, body
