"""Whether a bucket policy is one S3 would take: a JSON object whose statements each name their Effect, Principal,
Action and Resource. Pure.

moto stores any bytes PutBucketPolicy sends, then reads the policy on every later object request of the bucket (its
own access check) and fails each one with a 500: one bad policy bricks the bucket. S3 refuses such a policy with 400
MalformedPolicy, in its own words, and keeps the one it had.
"""

from __future__ import annotations

import json

from emulator.s3.errors import S3Error

__all__ = ["check_bucket_policy"]

_EFFECTS = ("Allow", "Deny")
_PRINCIPAL = ("Principal", "NotPrincipal")
_LISTS = (
    (("Action", "NotAction"), "Policy has invalid action"),
    (("Resource", "NotResource"), "Policy has invalid resource"),
)


def _malformed(message: str) -> S3Error:
    return S3Error("MalformedPolicy", message, status=400)


def check_bucket_policy(policy: bytes | str) -> None:
    """Raise S3's MalformedPolicy for a policy document S3 would not store."""
    try:
        document = json.loads(policy)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise _malformed("Policies must be valid JSON and the first byte must be '{'")
    if "Statement" not in document:
        raise _malformed("Missing required field Statement")
    statements = document["Statement"]
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            raise _malformed("Statement is not an object")
        if "Effect" not in statement:
            raise _malformed("Missing required field Effect")
        if statement["Effect"] not in _EFFECTS:
            raise _malformed(f"Invalid effect: {statement['Effect']}")
        if not any(name in statement for name in _PRINCIPAL):
            raise _malformed("Missing required field Principal")
        for names, invalid in _LISTS:
            present = [statement[name] for name in names if name in statement]
            if not present:
                raise _malformed(f"Missing required field {names[0]}")
            if not all(_strings(value) for value in present):
                raise _malformed(invalid)


def _strings(value: object) -> bool:
    """A string, or a non-empty list of strings: the shapes an Action or Resource takes."""
    return isinstance(value, str) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
    )
