"""A bucket's CORS rules decide preflights and cross-origin response headers as S3 decides them."""

from __future__ import annotations

import pytest

from emulator.s3.cors import CorsRule, actual_request_headers, parse_cors_rules, preflight_headers
from emulator.s3.errors import S3Error

APP = "http://localhost:3000"
RULES = parse_cors_rules(
    [
        {
            "AllowedOrigins": ["https://*.example.com"],
            "AllowedMethods": ["GET"],
            "AllowedHeaders": ["x-amz-*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        },
        {"AllowedOrigins": [APP], "AllowedMethods": ["PUT", "POST"], "AllowedHeaders": ["Content-Type"]},
        {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
    ]
)


def preflight(origin: str | None, method: str | None, headers: str | None = None) -> dict[str, str]:
    return preflight_headers(
        RULES, origin=origin, request_method=method, request_headers=headers, resource_type="OBJECT"
    )


def refusal(
    origin: str | None, method: str | None, headers: str | None = None, rules: tuple[CorsRule, ...] | None = RULES
) -> S3Error:
    with pytest.raises(S3Error) as caught:
        preflight_headers(
            rules,
            origin=origin,
            request_method=method,
            request_headers=headers,
            resource_type="OBJECT",
        )
    return caught.value


def test_an_allowed_preflight_gets_the_first_matching_rules_headers() -> None:
    headers = preflight("https://app.example.com", "GET", "X-Amz-Date, x-amz-acl")
    assert headers == {
        "Access-Control-Allow-Origin": "https://app.example.com",
        "Access-Control-Allow-Methods": "GET",
        "Access-Control-Allow-Headers": "x-amz-date, x-amz-acl",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "ETag",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    }


def test_a_wildcard_origin_rule_answers_star() -> None:
    headers = preflight("http://anything", "HEAD")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in headers


def test_the_method_must_be_allowed_by_the_rule() -> None:
    assert preflight(APP, "PUT", "content-type")["Access-Control-Allow-Methods"] == "PUT, POST"
    error = refusal(APP, "DELETE")
    assert (error.code, error.status) == ("CORSResponse", 403)
    assert error.message.startswith("This CORS request is not allowed.")
    assert error.details == {"Method": "DELETE", "ResourceType": "OBJECT"}


def test_every_requested_header_must_be_allowed() -> None:
    assert refusal(APP, "PUT", "content-type, x-custom").code == "CORSResponse"
    assert refusal("https://app.example.com", "GET", "authorization").code == "CORSResponse"


def test_origin_wildcards_do_not_match_other_origins() -> None:
    assert refusal("https://example.com", "GET").code == "CORSResponse"
    assert refusal("http://localhost:3001", "PUT").code == "CORSResponse"


def test_a_bucket_without_cors_refuses_every_preflight() -> None:
    error = refusal(APP, "GET", rules=None)
    assert (error.code, error.message, error.status) == ("CORSResponse", "CORS is not enabled for this bucket.", 403)


def test_a_preflight_needs_an_origin_and_a_method() -> None:
    assert (refusal(None, "GET").code, refusal(None, "GET").status) == ("BadRequest", 400)
    assert refusal(APP, "PATCH").message == "Invalid Access-Control-Request-Method: PATCH"


def test_actual_requests_get_the_matching_rules_headers() -> None:
    headers = actual_request_headers(RULES, origin=APP, method="PUT")
    assert headers["Access-Control-Allow-Origin"] == APP
    assert headers["Vary"].startswith("Origin")


def test_actual_requests_get_nothing_without_a_match() -> None:
    assert actual_request_headers(RULES, origin=APP, method="DELETE") == {}
    assert actual_request_headers(RULES, origin=None, method="GET") == {}
    assert actual_request_headers(None, origin=APP, method="GET") == {}


def test_rules_read_from_the_s3_api_shape() -> None:
    rule = CorsRule.from_config({"AllowedOrigins": "*", "AllowedMethods": ["get"], "MaxAgeSeconds": "30"})
    assert rule == CorsRule(allowed_origins=("*",), allowed_methods=("GET",), max_age_seconds=30)
