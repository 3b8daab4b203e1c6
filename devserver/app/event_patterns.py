"""EventBridge event patterns: checked as EventBridge checks them on `PutRule`, and matched against events. Pure.

A pattern is a JSON object mirroring the event's shape. An object value descends into the event's field of that
name; a list value is the set of things the field may match: literal values (a field holding a list matches when
any of its elements does) and filters, `{"prefix": ...}`, `{"suffix": ...}`, `{"equals-ignore-case": ...}`,
`{"wildcard": ...}`, `{"anything-but": ...}`, `{"numeric": [...]}`, `{"exists": bool}` and `{"cidr": ...}`. `$or`
takes a list of patterns, any of which may match. Every field of the pattern must match for the event to match.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["EventPatternError", "canonical_pattern", "check_pattern", "matches_pattern"]

_NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")
_FILTERS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"}
)
_MISSING = object()


class EventPatternError(ValueError):
    """A pattern EventBridge would refuse (`InvalidEventPatternException`); the message says where and why."""


def canonical_pattern(pattern: object) -> str:
    """The checked pattern as compact JSON with sorted keys, as the app model keeps it."""
    check_pattern(pattern)
    return json.dumps(pattern, sort_keys=True, separators=(",", ":"))


def check_pattern(pattern: object, path: str = "") -> None:
    """Raise `EventPatternError` unless `pattern` is a pattern EventBridge accepts."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise EventPatternError(f"{path or 'the pattern'} must be a non-empty JSON object, got {pattern!r}")
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else str(key)
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise EventPatternError(f"{where} must be a list of at least two patterns")
            for index, alternative in enumerate(value):
                check_pattern(alternative, f"{where}[{index}]")
        elif isinstance(value, Mapping):
            check_pattern(value, where)
        elif isinstance(value, list):
            if not value:
                raise EventPatternError(f"{where}: an empty list matches nothing; list the values to match")
            for entry in value:
                _check_entry(entry, where)
        else:
            raise EventPatternError(f"{where} must be a list of values to match or an object, got {value!r}")


def _check_entry(entry: object, where: str) -> None:
    if entry is None or isinstance(entry, str | bool | int | float):
        return
    if not isinstance(entry, Mapping) or len(entry) != 1:
        raise EventPatternError(f"{where}: {entry!r} is neither a value nor a filter like {{'prefix': 'a'}}")
    ((name, argument),) = entry.items()
    if name not in _FILTERS:
        raise EventPatternError(f"{where}: unknown filter {name!r} (valid: {', '.join(sorted(_FILTERS))})")
    if name == "exists" and not isinstance(argument, bool):
        raise EventPatternError(f"{where}: exists takes true or false, got {argument!r}")
    if name == "numeric":
        _numeric_conditions(argument, where)
    if name == "cidr":
        try:
            ipaddress.ip_network(str(argument), strict=False)
        except ValueError:
            raise EventPatternError(f"{where}: cidr {argument!r} is not an IP range like 10.0.0.0/24") from None
    if name in ("prefix", "suffix"):
        text = argument.get("equals-ignore-case") if isinstance(argument, Mapping) else argument
        if not isinstance(text, str):
            raise EventPatternError(f"{where}: {name} takes a string, got {argument!r}")
    if name in ("equals-ignore-case", "wildcard") and not isinstance(argument, str):
        raise EventPatternError(f"{where}: {name} takes a string, got {argument!r}")
    if name == "anything-but":
        if isinstance(argument, Mapping):
            _check_entry(argument, where)
        elif isinstance(argument, list) and not argument:
            raise EventPatternError(f"{where}: anything-but takes a value, a non-empty list or a filter")


def _numeric_conditions(argument: object, where: str) -> list[tuple[str, float]]:
    if not isinstance(argument, list) or not argument or len(argument) % 2:
        raise EventPatternError(f"{where}: numeric takes [operator, number, ...], e.g. ['>', 0, '<=', 5]")
    conditions = []
    for operator, number in zip(argument[::2], argument[1::2], strict=True):
        if operator not in _NUMERIC_OPERATORS or isinstance(number, bool) or not isinstance(number, int | float):
            raise EventPatternError(f"{where}: numeric {operator!r} {number!r} is not one of {_NUMERIC_OPERATORS}")
        conditions.append((str(operator), float(number)))
    return conditions


def matches_pattern(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether `event` matches the (checked) `pattern`."""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches_pattern(alternative, event) for alternative in expected):
                return False
            continue
        actual = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if not isinstance(actual, Mapping) or not matches_pattern(expected, actual):
                return False
        elif not _field_matches(expected, actual):
            return False
    return True


def _field_matches(entries: Sequence[object], actual: object) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    return any(_entry_matches(entry, value, actual is _MISSING) for entry in entries for value in values or [actual])


def _entry_matches(entry: object, value: object, missing: bool) -> bool:
    if not isinstance(entry, Mapping):
        return not missing and _same(entry, value)
    ((name, argument),) = entry.items()
    if name == "exists":
        return argument is not missing
    if missing:
        return False
    if name == "anything-but":
        if isinstance(argument, Mapping):
            return not _entry_matches(argument, value, missing)
        excluded = argument if isinstance(argument, list) else [argument]
        return not any(_same(candidate, value) for candidate in excluded)
    if name == "numeric":
        return _numeric_matches(argument, value)
    if not isinstance(value, str):
        return False
    if name == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(str(argument), strict=False)
        except ValueError:
            return False
    if name in ("prefix", "suffix"):
        ignore_case = isinstance(argument, Mapping)
        text = str(argument["equals-ignore-case"] if ignore_case else argument)
        subject = value.lower() if ignore_case else value
        text = text.lower() if ignore_case else text
        return subject.startswith(text) if name == "prefix" else subject.endswith(text)
    if name == "equals-ignore-case":
        return value.lower() == str(argument).lower()
    return re.fullmatch(".*".join(re.escape(part) for part in str(argument).split("*")), value, re.S) is not None


def _numeric_matches(argument: list[object], value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    number = float(value)
    checks = {
        "=": number.__eq__,
        "<": number.__lt__,
        "<=": number.__le__,
        ">": number.__gt__,
        ">=": number.__ge__,
    }
    return all(checks[operator](bound) for operator, bound in _numeric_conditions(argument, "numeric"))


def _same(expected: object, value: object) -> bool:
    # JSON equality: 5 and 5.0 are the same number, but true is not 1.
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    return expected == value
