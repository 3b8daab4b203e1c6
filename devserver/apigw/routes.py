"""API Gateway HTTP API route selection: which route a request goes to, as pure data and functions.

`RouteTable` picks the route API Gateway would pick for a request among route keys parsed by
`devserver.app.route_key`; the algorithm is described on `RouteTable.match`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

from devserver.app.route_key import (
    ANY_METHOD,
    DuplicateRouteError,
    RouteKey,
    SegmentKind,
    parse_route_key,
)

__all__ = ["RouteMatch", "RouteTable", "request_path_segments"]

T = TypeVar("T")


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
