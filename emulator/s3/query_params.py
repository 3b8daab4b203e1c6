"""Reading an S3 request's query parameters from the forms moto keeps them in. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["first_value"]


def first_value(query: Mapping[str, Any], name: str) -> str | None:
    """The first value of a query parameter, from a parsed query string (a list per name) or a plain mapping."""
    value = query.get(name)
    if value is None or isinstance(value, str):
        return value
    return str(value[0]) if value else None
