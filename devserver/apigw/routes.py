"""API Gateway HTTP API route keys and route selection, as pure data and functions.

A route key is `METHOD /path` or `$default`. Paths are made of `/`-separated segments, each a literal, a path
variable `{name}` or, as the last segment only, a greedy path variable `{name+}` that catches one or more
segments. `RouteTable` picks the route API Gateway would pick for a request; the algorithm is described on
`RouteTable.match`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import ClassVar, Generic, TypeVar

__all__ = [
    "ANY_METHOD",
    "DEFAULT_ROUTE_KEY",
    "DuplicateRouteError",
    "METHODS",
    "PathSegment",
    "RouteKey",
    "RouteKeyError",
    "RouteMatch",
    "RouteTable",
    "SegmentKind",
    "parse_route_key",
    "request_path_segments",
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


def request_path_segments(path: str) -> list[str]:
    """The segments a request path is matched on: API Gateway ignores empty segments (`//`, a trailing `/`)."""
    return [segment for segment in path.split("/") if segment]


@dataclass(frozen=True)
class RouteMatch(Generic[T]):
    """The route chosen for a request: its target, its key as written, and the path variables' values."""

    target: T
    route_key: str
    path_parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass
class _Routes(Generic[T]):
    """The routes ending at one trie node, by method (`ANY` included)."""

    by_method: dict[str, tuple[RouteKey, T]] = field(default_factory=dict)

    def pick(self, method: str) -> tuple[RouteKey, T] | None:
        # An explicit method beats ANY on the same path: ANY "matches all methods that you haven't defined".
        return self.by_method.get(method) or self.by_method.get(ANY_METHOD)


@dataclass
class _Node(Generic[T]):
    literals: dict[str, _Node[T]] = field(default_factory=dict)
    variable: _Node[T] | None = None
    here: _Routes[T] = field(default_factory=_Routes)
    greedy: _Routes[T] = field(default_factory=_Routes)


class RouteTable(Generic[T]):
    """The routes of one HTTP API, compiled into a segment trie for matching.

    Built from `(route key, target)` pairs; raises `RouteKeyError` for a malformed key and `DuplicateRouteError`
    when two keys have the same method and path shape.
    """

    def __init__(self, routes: Iterable[tuple[str, T]]) -> None:
        self._root: _Node[T] = _Node()
        self._default: tuple[RouteKey, T] | None = None
        self._keys: list[RouteKey] = []
        seen: dict[object, str] = {}
        for key, target in routes:
            route = parse_route_key(key)
            if route.shape in seen:
                raise DuplicateRouteError(key, seen[route.shape])
            seen[route.shape] = key
            self._keys.append(route)
            self._add(route, target)

    @property
    def route_keys(self) -> tuple[RouteKey, ...]:
        """Every route, in the order given."""
        return tuple(self._keys)

    def _add(self, route: RouteKey, target: T) -> None:
        if route.method is None:
            self._default = (route, target)
            return
        node = self._root
        for segment in route.segments:
            if segment.kind is SegmentKind.GREEDY:
                node.greedy.by_method[route.method] = (route, target)
                return
            if segment.kind is SegmentKind.LITERAL:
                node = node.literals.setdefault(segment.value, _Node())
            else:
                node.variable = node.variable or _Node()
                node = node.variable
        node.here.by_method[route.method] = (route, target)

    def match(self, method: str, path: str) -> RouteMatch[T] | None:
        """The route API Gateway selects for `method` and the (decoded) request `path`, or None (404).

        API Gateway documents three tiers, tried in order: routes without a greedy variable that match the whole
        path; routes with a greedy variable; `$default`. Within a tier the most specific route wins, compared
        segment by segment from the left: at the first segment where two candidates differ, a literal beats a
        variable, and a variable beats the greedy variable (so `/pets/dog/{id}` beats `/pets/{proxy+}` and
        `/a/{x}` beats `/{y}/b`). Only then does the method decide: a route with the request's own method beats
        `ANY` on the same path. A route whose method does not fit is skipped, so a less specific route with the
        right method still matches. A greedy variable needs at least one segment (`/{proxy+}` does not match `/`).
        Empty segments are ignored, so `/pets/` and `//pets` match `/pets`. HEAD is a method of its own, as in
        API Gateway: a GET route does not answer HEAD (an `ANY` route does).

        The walk is a depth-first search of the segment trie visiting literal children before the variable
        child, once without greedy routes and then with them, so the first hit is the most specific route; its
        cost grows with the path's depth, not with the number of routes.
        """
        segments = request_path_segments(path)
        captured: list[str] = []
        found = self._search(self._root, segments, 0, method, captured, greedy=False)
        if found is None:
            found = self._search(self._root, segments, 0, method, captured, greedy=True)
        if found is None:
            if self._default is None:
                return None
            route, target = self._default
            return RouteMatch(target, route.key)
        route, target = found
        parameters = dict(zip(route.parameter_names, captured, strict=True))
        return RouteMatch(target, route.key, MappingProxyType(parameters))

    def _search(
        self, node: _Node[T], segments: list[str], depth: int, method: str, captured: list[str], *, greedy: bool
    ) -> tuple[RouteKey, T] | None:
        if depth == len(segments):
            return None if greedy else node.here.pick(method)
        segment = segments[depth]
        child = node.literals.get(segment)
        if child is not None:
            found = self._search(child, segments, depth + 1, method, captured, greedy=greedy)
            if found is not None:
                return found
        if node.variable is not None:
            captured.append(segment)
            found = self._search(node.variable, segments, depth + 1, method, captured, greedy=greedy)
            if found is not None:
                return found
            captured.pop()
        if greedy:
            found = node.greedy.pick(method)
            if found is not None:
                captured.append("/".join(segments[depth:]))
                return found
        return None
