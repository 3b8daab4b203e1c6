"""IAM policy evaluation for identity policies, as AWS does it for one principal: explicit Deny wins, then any Allow,
else the implicit deny. Pure functions over policy documents in IAM's JSON shape.

Only what local permission checks need: `Action`/`NotAction`, `Resource`/`NotResource`, `Effect`, with IAM's
case-insensitive action matching and `*`/`?` wildcards (resources match case-sensitively). Conditions are not
evaluated: a statement with a `Condition` is skipped for Allow (it could not be proven) and applied for Deny
(erring on the side of refusing, as a missing grant would in AWS).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

__all__ = ["Decision", "Identity", "IdentityLookup", "PolicyStatement", "evaluate", "statements_of"]

Decision = Literal["allow", "explicit_deny", "implicit_deny"]


@dataclass(frozen=True)
class PolicyStatement:
    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ("*",)
    not_resources: tuple[str, ...] = ()
    conditional: bool = False

    def applies_to(self, action: str, resource: str) -> bool:
        if self.actions and not _any_match(self.actions, action, case_sensitive=False):
            return False
        if self.not_actions and _any_match(self.not_actions, action, case_sensitive=False):
            return False
        if self.not_resources:
            return not _any_match(self.not_resources, resource, case_sensitive=True)
        return _any_match(self.resources, resource, case_sensitive=True)


@dataclass(frozen=True)
class Identity:
    """An IAM user whose requests are checked: its ARN, every statement of its policies, its id and its tags."""

    arn: str
    statements: Sequence[PolicyStatement]
    user_id: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


IdentityLookup = Callable[[str], "Identity | None"]
"""`access key id → Identity`, or None for a key whose requests are not checked (the account's own, or unknown)."""


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(str(item) for item in value)
    raise ValueError(f"expected a string or a list of strings, got {value!r}")


def statements_of(document: Mapping[str, object]) -> list[PolicyStatement]:
    """The statements of one policy document (`{"Version": ..., "Statement": [...]}`); ValueError if malformed."""
    raw = document.get("Statement", [])
    items = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(items, Sequence):
        raise ValueError("a policy's Statement must be an object or a list of objects")
    statements = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("Effect") not in ("Allow", "Deny"):
            raise ValueError(f"a policy statement needs Effect Allow or Deny: {item!r}")
        statements.append(
            PolicyStatement(
                effect=item["Effect"],
                actions=_as_tuple(item.get("Action")),
                not_actions=_as_tuple(item.get("NotAction")),
                resources=_as_tuple(item.get("Resource")) or (() if "NotResource" in item else ("*",)),
                not_resources=_as_tuple(item.get("NotResource")),
                conditional="Condition" in item,
            )
        )
    return statements


def evaluate(statements: Iterable[PolicyStatement], action: str, resources: Sequence[str]) -> Decision:
    """The decision for `action` on every one of `resources` (a request touching several needs all of them)."""
    statements = list(statements)
    decision: Decision = "allow"
    for resource in resources or ("*",):
        applicable = [s for s in statements if s.applies_to(action, resource)]
        if any(s.effect == "Deny" for s in applicable):
            return "explicit_deny"
        if not any(s.effect == "Allow" and not s.conditional for s in applicable):
            decision = "implicit_deny"
    return decision


def _any_match(patterns: Iterable[str], value: str, *, case_sensitive: bool) -> bool:
    return any(_pattern(p, case_sensitive).fullmatch(value) for p in patterns)


@lru_cache(maxsize=1024)
def _pattern(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)
