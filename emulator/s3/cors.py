"""S3's CORS evaluation: a bucket's rules decide preflights and the headers of actual cross-origin responses.

S3 takes the bucket's rules in order and uses the first whose AllowedOrigins match the Origin (one ``*`` wildcard
allowed per pattern, e.g. ``https://*.example.com``), whose AllowedMethods hold the method, and — for a preflight —
whose AllowedHeaders patterns match every header in Access-Control-Request-Headers (case-insensitively). moto either
allows everything or ignores the method and a missing configuration; this module is the rulebook instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from emulator.s3.errors import S3Error

__all__ = ["CorsRule", "actual_request_headers", "parse_cors_rules", "preflight_headers"]

# S3's own wording, typo included: clients and people search for it.
_NOT_ALLOWED = (
    "This CORS request is not allowed. This is usually because the evalution of Origin, request method / "
    "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
)
_VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


@lru_cache(maxsize=512)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile(regex, re.IGNORECASE if ignore_case else 0)


@dataclass(frozen=True)
class CorsRule:
    """One CORSRule of a bucket's configuration."""

    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age_seconds: int | None = None

    @classmethod
    def from_config(cls, rule: Mapping[str, object]) -> CorsRule:
        """Build a rule from the S3 API's shape (``AllowedOrigins``, ``AllowedMethods``, ``AllowedHeaders``, ...)."""

        def strings(name: str) -> tuple[str, ...]:
            value = rule.get(name)
            if isinstance(value, str):
                return (value,)
            return tuple(str(item) for item in value) if isinstance(value, list | tuple) else ()

        max_age = rule.get("MaxAgeSeconds")
        return cls(
            allowed_origins=strings("AllowedOrigins"),
            allowed_methods=tuple(method.upper() for method in strings("AllowedMethods")),
            allowed_headers=strings("AllowedHeaders"),
            expose_headers=strings("ExposeHeaders"),
            max_age_seconds=int(max_age) if isinstance(max_age, int | str) and str(max_age).isdigit() else None,
        )

    def allows_origin(self, origin: str) -> bool:
        """Whether `origin` matches one of AllowedOrigins."""
        return any(_wildcard(pattern, False).fullmatch(origin) for pattern in self.allowed_origins)

    def allows_header(self, header: str) -> bool:
        """Whether request header `header` matches one of AllowedHeaders."""
        return any(_wildcard(pattern, True).fullmatch(header) for pattern in self.allowed_headers)

    def allow_origin_value(self, origin: str) -> str:
        """S3 answers ``*`` for a rule that allows every origin, and echoes the origin otherwise."""
        return "*" if "*" in self.allowed_origins else origin


def parse_cors_rules(config: Sequence[Mapping[str, object]] | None) -> tuple[CorsRule, ...] | None:
    """The rules of a bucket's CORS configuration, or None when it has none."""
    if config is None:
        return None
    return tuple(CorsRule.from_config(rule) for rule in config)


def _split_header_list(value: str | None) -> list[str]:
    return [name.strip().lower() for name in (value or "").split(",") if name.strip()]


def _first_match(
    rules: Sequence[CorsRule], origin: str, method: str, request_headers: Sequence[str] = ()
) -> CorsRule | None:
    for rule in rules:
        if (
            rule.allows_origin(origin)
            and method in rule.allowed_methods
            and all(rule.allows_header(header) for header in request_headers)
        ):
            return rule
    return None


def _rule_headers(rule: CorsRule, origin: str) -> dict[str, str]:
    headers = {
        "Access-Control-Allow-Origin": rule.allow_origin_value(origin),
        "Access-Control-Allow-Methods": ", ".join(rule.allowed_methods),
        "Vary": _VARY,
    }
    if headers["Access-Control-Allow-Origin"] != "*":
        headers["Access-Control-Allow-Credentials"] = "true"
    if rule.expose_headers:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule.expose_headers)
    if rule.max_age_seconds is not None:
        headers["Access-Control-Max-Age"] = str(rule.max_age_seconds)
    return headers


def preflight_headers(
    rules: Sequence[CorsRule] | None,
    *,
    origin: str | None,
    request_method: str | None,
    request_headers: str | None,
    resource_type: str,
) -> dict[str, str]:
    """The headers of S3's 200 answer to a preflight OPTIONS, or `S3Error` as S3 refuses it.

    `resource_type` is ``BUCKET`` or ``OBJECT`` (S3 names it in the refusal). Refusals: 400 BadRequest without
    Origin or with an invalid Access-Control-Request-Method; 403 CORSResponse "CORS is not enabled for this bucket."
    without configuration; 403 CORSResponse "This CORS request is not allowed. ..." when no rule matches.
    """
    if not origin:
        raise S3Error("BadRequest", "Insufficient information. Origin request header needed.", status=400)
    method = (request_method or "").upper()
    if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        raise S3Error("BadRequest", f"Invalid Access-Control-Request-Method: {request_method or ''}", status=400)
    details = {"Method": method, "ResourceType": resource_type}
    if rules is None:
        raise S3Error("CORSResponse", "CORS is not enabled for this bucket.", details=details)
    requested = _split_header_list(request_headers)
    rule = _first_match(rules, origin, method, requested)
    if rule is None:
        raise S3Error("CORSResponse", _NOT_ALLOWED, details=details)
    headers = _rule_headers(rule, origin)
    if requested:
        headers["Access-Control-Allow-Headers"] = ", ".join(requested)
    return headers


def actual_request_headers(rules: Sequence[CorsRule] | None, *, origin: str | None, method: str) -> dict[str, str]:
    """CORS headers S3 adds to the answer of a cross-origin request; empty when no rule matches (or no Origin)."""
    if not origin or not rules:
        return {}
    rule = _first_match(rules, origin, method.upper())
    return _rule_headers(rule, origin) if rule else {}
