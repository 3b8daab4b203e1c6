"""API Gateway HTTP API route keys, parsed: pure data and functions.

A route key is `METHOD /path` or `$default`. Paths are made of `/`-separated segments, each a literal, a path
variable `{name}` or, as the last segment only, a greedy path variable `{name+}` that catches one or more
segments. The config loader checks an app's keys with `parse_route_key`; `devserver.apigw.routes` matches requests
against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, TypeVar

__all__ = [
    "ANY_METHOD",
    "DEFAULT_ROUTE_KEY",
    "DuplicateRouteError",
    "METHODS",
    "PathSegment",
    "RouteKey",
    "RouteKeyError",
    "SegmentKind",
    "parse_route_key",
]

T = TypeVar("T")

DEFAULT_ROUTE_KEY = "$default"
ANY_METHOD = "ANY"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", ANY_METHOD})
"""The methods a route key may name (API Gateway's list; `ANY` matches every method)."""

_EXAMPLE = 'expected "METHOD /path" (e.g. "GET /files/{key+}") or "$default"'
_VARIABLE = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")
# Characters a literal segment cannot hold: braces belong to variables, and `?`/`#` would end the path in a URL.
_BAD_LITERAL = re.compile(r"[{}?#\s]")


class RouteKeyError(ValueError):
    """A route key API Gateway would reject; the message names the key, what is wrong and how to write it."""

    code: ClassVar[str] = "InvalidRouteKey"

    def __init__(self, route_key: str, problem: str) -> None:
        super().__init__(f'Route key "{route_key}": {problem}')
        self.route_key = route_key


class DuplicateRouteError(RouteKeyError):
    """Two routes with the same method and path shape: API Gateway allows only one (`ConflictException`)."""

    code: ClassVar[str] = "DuplicateRouteKey"

    def __init__(self, route_key: str, existing: str) -> None:
        problem = f'duplicates route "{existing}" (same method and path; variable names do not tell routes apart)'
        super().__init__(route_key, problem)
        self.existing = existing


class SegmentKind(IntEnum):
    """How one path segment of a route matches; lower values are more specific and win ties."""

    LITERAL = 0
    VARIABLE = 1
    GREEDY = 2


@dataclass(frozen=True)
class PathSegment:
    """One segment of a route path: its kind and its text (the literal, or the variable's name)."""

    kind: SegmentKind
    value: str

    def __str__(self) -> str:
        if self.kind is SegmentKind.LITERAL:
            return self.value
        return f"{{{self.value}+}}" if self.kind is SegmentKind.GREEDY else f"{{{self.value}}}"


@dataclass(frozen=True)
class RouteKey:
    """A parsed route key. `method` and `path` are None for `$default`, which has no segments."""

    key: str
    method: str | None
    path: str | None
    segments: tuple[PathSegment, ...] = ()

    @property
    def is_default(self) -> bool:
        return self.method is None

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The path variables' names, in path order."""
        return tuple(s.value for s in self.segments if s.kind is not SegmentKind.LITERAL)

    @property
    def shape(self) -> tuple[str | None, tuple[tuple[SegmentKind, str], ...]]:
        """What makes two routes the same route: the method and the path with variable names blanked."""
        return self.method, tuple((s.kind, s.value if s.kind is SegmentKind.LITERAL else "") for s in self.segments)


def parse_route_key(key: str) -> RouteKey:
    """Parse `METHOD /path` or `$default` the way API Gateway validates route keys; raise `RouteKeyError`."""
    if key == DEFAULT_ROUTE_KEY:
        return RouteKey(key=key, method=None, path=None)
    method, space, path = key.partition(" ")
    if not space or not method or not path:
        raise RouteKeyError(key, _EXAMPLE)
    if method not in METHODS:
        hint = f'; methods are upper case: "{method.upper()}"' if method.upper() in METHODS else ""
        raise RouteKeyError(key, f'unknown method "{method}" ({", ".join(sorted(METHODS))}){hint}')
    if path.startswith(" ") or " " in path:
        raise RouteKeyError(key, f"{_EXAMPLE}; put exactly one space between the method and the path, none after")
    if not path.startswith("/"):
        raise RouteKeyError(key, f'the path "{path}" must start with "/"')
    return RouteKey(key=key, method=method, path=path, segments=_parse_path(key, path))


def _parse_path(key: str, path: str) -> tuple[PathSegment, ...]:
    if path == "/":
        return ()
    parts = path[1:].split("/")
    if "" in parts:
        where = "a trailing slash" if parts[-1] == "" and "" not in parts[:-1] else "an empty segment (//)"
        raise RouteKeyError(key, f'the path "{path}" has {where}; write it as "/{"/".join(p for p in parts if p)}"')
    segments: list[PathSegment] = []
    seen: set[str] = set()
    for index, part in enumerate(parts):
        segment = _parse_segment(key, part)
        if segment.kind is SegmentKind.GREEDY and index != len(parts) - 1:
            raise RouteKeyError(key, f'the greedy path variable "{part}" must be the last segment of the path')
        if segment.kind is not SegmentKind.LITERAL:
            if segment.value in seen:
                raise RouteKeyError(key, f'the path variable "{segment.value}" appears twice; give each a new name')
            seen.add(segment.value)
        segments.append(segment)
    return tuple(segments)


def _parse_segment(key: str, part: str) -> PathSegment:
    if "{" not in part and "}" not in part:
        if _BAD_LITERAL.search(part):
            raise RouteKeyError(key, f'the path segment "{part}" contains a character not allowed in a path')
        return PathSegment(SegmentKind.LITERAL, part)
    variable = _VARIABLE.match(part)
    if variable is None:
        raise RouteKeyError(
            key,
            f'the path segment "{part}" is not a valid path variable: a variable is a whole segment, '
            'written "{name}" or, last, "{name+}", with a name of letters, digits, "_", "." or "-"',
        )
    name, plus = variable.groups()
    return PathSegment(SegmentKind.GREEDY if plus else SegmentKind.VARIABLE, name)
