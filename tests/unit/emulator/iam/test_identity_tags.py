"""Session tokens recorded as IAM user tags: which requests they let through, and which tags are pruned."""

from __future__ import annotations

from emulator.iam.identity_tags import (
    MAX_SESSIONS,
    CognitoIdentity,
    check_session_token,
    cognito_identity_of,
    identity_tags,
    session_tag,
    stale_session_tags,
)

IDENTITY = CognitoIdentity("us-east-1:1111", "us-east-1:pool", authenticated=True)


def tags_with(*sessions: tuple[str, float]) -> dict[str, str]:
    return {**identity_tags(IDENTITY), **dict(session_tag(token, expires) for token, expires in sessions)}


def test_a_live_token_passes_and_others_are_refused_by_kind() -> None:
    tags = tags_with(("live", 100.0), ("old", 50.0))
    assert check_session_token(tags, "live", now=99.0) is None
    assert check_session_token(tags, "old", now=99.0) == "expired"
    assert check_session_token(tags, "live", now=100.0) == "expired"
    assert check_session_token(tags, "never-issued", now=0.0) == "invalid"
    assert check_session_token(tags, None, now=0.0) == "invalid"


def test_a_user_that_is_no_identity_needs_no_token() -> None:
    assert check_session_token({"team": "x"}, None, now=0.0) is None
    assert cognito_identity_of({"team": "x"}) is None


def test_the_identity_is_read_back_from_its_tags() -> None:
    assert cognito_identity_of(tags_with()) == IDENTITY
    assert IDENTITY.document() == {
        "amr": ["authenticated"],
        "identityId": "us-east-1:1111",
        "identityPoolId": "us-east-1:pool",
    }


def test_tokens_are_stored_hashed_never_as_given() -> None:
    key, _ = session_tag("secret-token", 1.0)
    assert "secret-token" not in key


def test_pruning_drops_expired_sessions_then_the_oldest_beyond_the_cap() -> None:
    tags = tags_with(*((f"t{i}", 1000.0 + i) for i in range(MAX_SESSIONS)), ("gone", 10.0))
    stale = stale_session_tags(tags, now=500.0)
    assert stale == [session_tag("gone", 0)[0], session_tag("t0", 0)[0]]
    assert stale_session_tags(tags_with(("a", 10.0)), now=5.0) == []
