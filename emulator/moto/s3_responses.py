"""The two seams through which the emulator's S3 rules (`emulator.s3`) change what moto's `S3Response` answers.

- An `S3Error` a rule raises becomes moto's own error answer (moto's XML error body and request id), with S3's
  status: `answering_rules` wraps a response method so it does; `RuleError` carries one through moto's backend, where
  moto renders it (its status then comes from moto's error table: every code raised that way is a 400 or one moto
  knows).
- Most `S3Response` methods end by serializing a dict in the S3 API's shape; `reshaping` lets a rule change that dict
  first, so the rules fix what moto answers without restating how moto computes the rest of it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec

from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult
from moto.s3.exceptions import S3ClientError
from moto.s3.responses import S3Response

from emulator.s3.errors import S3Error

__all__ = ["RuleError", "answering_rules", "error_response", "reshaping"]

P = ParamSpec("P")
Reshape = Callable[[dict[str, Any]], dict[str, Any]]


class RuleError(S3ClientError):
    """An `S3Error`, raised where moto catches and renders its own S3 errors; `details` become its elements."""

    def __init__(self, error: S3Error) -> None:
        super().__init__(error.code, error.message)
        for name, value in error.details.items():
            setattr(self, name, value)


def error_response(response: S3Response, error: S3Error) -> TYPE_RESPONSE:
    """`error` as moto answers an error of `response`'s request, with S3's status for it."""
    _, headers, body = response.serialized(ActionResult(RuleError(error)))
    return error.status, headers, body


def answering_rules(
    method: Callable[Concatenate[S3Response, P], TYPE_RESPONSE],
) -> Callable[Concatenate[S3Response, P], TYPE_RESPONSE]:
    """`method`, answering an `S3Error` raised while it runs as S3 does."""

    @functools.wraps(method)
    def answering(response: S3Response, *args: P.args, **kwargs: P.kwargs) -> TYPE_RESPONSE:
        try:
            return method(response, *args, **kwargs)
        except S3Error as error:
            return error_response(response, error)

    return answering


@contextmanager
def reshaping(response: S3Response, reshape: Reshape) -> Iterator[None]:
    """Within the block, a dict result `response` serializes goes through `reshape` first.

    moto makes an `S3Response` per request, so shadowing its `serialized` touches no other request.
    """
    enclosing = vars(response).get("serialized")  # a reshaping this one is nested in, if any
    serialized = response.serialized

    def serialize_reshaped(action_result: ActionResult) -> TYPE_RESPONSE:
        result = action_result.result
        if isinstance(result, dict):
            action_result = ActionResult(reshape(result))
        return serialized(action_result)

    response.serialized = serialize_reshaped  # type: ignore[method-assign]
    try:
        yield
    finally:
        if enclosing is None:
            del response.serialized
        else:
            response.serialized = enclosing  # type: ignore[method-assign]
