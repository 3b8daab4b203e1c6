"""EventBridge event patterns: which events a rule matches, and which patterns EventBridge would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from devserver.app.event_patterns import EventPatternError, canonical_pattern, check_pattern, matches_pattern

ORDER = {
    "source": "shop",
    "detail-type": "OrderPlaced",
    "detail": {
        "total": 42.5,
        "items": ["book", "pen"],
        "customer": {"tier": "gold", "email": "Ada@Example.com"},
        "coupon": None,
        "ip": "10.0.3.7",
        "file": "invoices/2026/12.pdf",
    },
}


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": ["shop"]},
        {"source": ["other", "shop"], "detail-type": ["OrderPlaced"]},
        {"detail": {"items": ["pen"]}},
        {"detail": {"customer": {"tier": [{"prefix": "go"}]}}},
        {"detail": {"file": [{"suffix": ".pdf"}]}},
        {"detail": {"customer": {"email": [{"equals-ignore-case": "ada@example.com"}]}}},
        {"detail": {"customer": {"email": [{"prefix": {"equals-ignore-case": "ADA@"}}]}}},
        {"detail": {"file": [{"wildcard": "invoices/*/*.pdf"}]}},
        {"detail": {"customer": {"tier": [{"anything-but": ["silver", "bronze"]}]}}},
        {"detail": {"customer": {"tier": [{"anything-but": {"prefix": "sil"}}]}}},
        {"detail": {"total": [{"numeric": [">", 40, "<=", 50]}]}},
        {"detail": {"total": [42.5]}},
        {"detail": {"coupon": [None]}},
        {"detail": {"missing": [{"exists": False}]}},
        {"detail": {"total": [{"exists": True}]}},
        {"detail": {"ip": [{"cidr": "10.0.0.0/16"}]}},
        {"$or": [{"source": ["nope"]}, {"detail": {"total": [{"numeric": [">", 10]}]}}]},
    ],
)
def test_an_order_matches(pattern: dict[str, Any]) -> None:
    check_pattern(pattern)
    assert matches_pattern(pattern, ORDER)


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": ["other"]},
        {"detail": {"items": ["stapler"]}},
        {"detail": {"customer": {"tier": [{"prefix": "sil"}]}}},
        {"detail": {"customer": {"email": [{"prefix": "ADA@"}]}}},
        {"detail": {"customer": {"tier": [{"anything-but": "gold"}]}}},
        {"detail": {"total": [{"numeric": ["<", 40]}]}},
        {"detail": {"total": ["42.5"]}},  # a string is not the number
        {"detail": {"missing": [None]}},  # null matches a null value, not a missing field
        {"detail": {"missing": [{"anything-but": "x"}]}},  # anything-but needs the field
        {"detail": {"total": [{"exists": False}]}},
        {"detail": {"ip": [{"cidr": "192.168.0.0/16"}]}},
        {"detail": {"customer": ["gold"]}},  # a value list does not match an object
        {"$or": [{"source": ["nope"]}, {"detail-type": ["Nope"]}]},
    ],
)
def test_an_order_does_not_match(pattern: dict[str, Any]) -> None:
    check_pattern(pattern)
    assert not matches_pattern(pattern, ORDER)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ([], "non-empty JSON object"),
        ({}, "non-empty JSON object"),
        ({"source": "shop"}, "source must be a list"),
        ({"source": []}, "empty list"),
        ({"detail": {"total": [{"numeric": [">"]}]}}, "numeric takes"),
        ({"detail": {"total": [{"numeric": ["~", 1]}]}}, "is not one of"),
        ({"detail": {"total": [{"between": [1, 2]}]}}, "unknown filter 'between'"),
        ({"detail": {"x": [{"exists": "yes"}]}}, "exists takes true or false"),
        ({"detail": {"x": [{"cidr": "10.0.0.0/99"}]}}, "not an IP range"),
        ({"detail": {"x": [{"prefix": 5}]}}, "prefix takes a string"),
        ({"$or": [{"source": ["a"]}]}, "at least two"),
        ({"detail": {"x": [{"prefix": "a", "suffix": "b"}]}}, "neither a value nor a filter"),
    ],
)
def test_invalid_patterns_are_refused_naming_the_field(pattern: object, reason: str) -> None:
    with pytest.raises(EventPatternError, match=reason):
        check_pattern(pattern)


def test_the_canonical_form_is_stable_json() -> None:
    assert canonical_pattern({"source": ["shop"], "detail-type": ["A"]}) == '{"detail-type":["A"],"source":["shop"]}'
