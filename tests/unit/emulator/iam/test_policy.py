"""Identity-policy evaluation: explicit deny wins, then any allow, else the implicit deny."""

from __future__ import annotations

import pytest

from emulator.iam.policy import evaluate, statements_of

BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::files", "arn:aws:s3:::files/*"]},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::files/locked/*"},
    ],
}


@pytest.mark.parametrize(
    ("action", "resource", "decision"),
    [
        ("s3:GetObject", "arn:aws:s3:::files/a.txt", "allow"),
        ("S3:getobject", "arn:aws:s3:::files/a.txt", "allow"),  # actions match case-insensitively
        ("s3:ListBucket", "arn:aws:s3:::files", "allow"),
        ("s3:GetObject", "arn:aws:s3:::FILES/a.txt", "implicit_deny"),  # resources do not
        ("s3:GetObject", "arn:aws:s3:::other/a.txt", "implicit_deny"),
        ("s3:DeleteObject", "arn:aws:s3:::files/locked/x", "explicit_deny"),
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/t", "implicit_deny"),
    ],
)
def test_bucket_policy_decisions(action: str, resource: str, decision: str) -> None:
    assert evaluate(statements_of(BUCKET_POLICY), action, [resource]) == decision


def test_every_resource_of_a_request_must_be_allowed() -> None:
    statements = statements_of(BUCKET_POLICY)
    assert evaluate(statements, "s3:GetObject", ["arn:aws:s3:::files/a", "arn:aws:s3:::other/b"]) == "implicit_deny"


def test_not_action_and_wildcards() -> None:
    statements = statements_of(
        {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:ssm:*:*:parameter/sst/app/?ev/*"}}
    )
    assert evaluate(statements, "ssm:GetParameter", ["arn:aws:ssm:us-east-1:1:parameter/sst/app/dev/x"]) == "allow"
    assert evaluate(statements, "iam:CreateUser", ["arn:aws:ssm:us-east-1:1:parameter/sst/app/dev/x"]) != "allow"


def test_a_conditional_allow_is_not_enough_but_a_conditional_deny_still_denies() -> None:
    allow = statements_of({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}]})
    assert evaluate(allow, "s3:GetObject", ["x"]) == "implicit_deny"
    deny = statements_of(
        {"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Deny", "Action": "*", "Condition": {}}]}
    )
    assert evaluate(deny, "s3:GetObject", ["x"]) == "explicit_deny"


def test_a_malformed_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="Effect"):
        statements_of({"Statement": [{"Action": "*"}]})
