"""Tokens as a Cognito user pool issues them: claims, JWKS, and every way verification refuses a token."""

from __future__ import annotations

import jwt
import pytest

from devserver.app.model import TokenValidity
from devserver.auth.errors import AuthError
from devserver.auth.tokens import ACCESS_TOKEN_SCOPE, SigningKey, TokenIssuer, TokenSubject

ISSUER = "http://127.0.0.1:3000/_sst/auth/auth"
KEY = SigningKey.generate()


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def issuer(clock: FakeClock, key: SigningKey = KEY, client_id: str = "client1") -> TokenIssuer:
    return TokenIssuer(
        key, issuer=lambda: ISSUER, client_id=client_id, validity=TokenValidity(60, 120, 600), clock=clock
    )


ALICE = TokenSubject("7d1c0a52-0000-4000-8000-000000000001", "alice")


def test_id_and_access_tokens_carry_cognitos_claims() -> None:
    tokens = issuer(FakeClock()).issue(ALICE)
    id_claims = jwt.decode(tokens.id_token, options={"verify_signature": False})
    access_claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    assert id_claims["token_use"] == "id" and id_claims["aud"] == "client1"
    assert id_claims["cognito:username"] == "alice" and id_claims["sub"] == ALICE.sub
    assert id_claims["exp"] - id_claims["iat"] == 60
    assert access_claims["token_use"] == "access" and access_claims["client_id"] == "client1"
    assert access_claims["scope"] == ACCESS_TOKEN_SCOPE and access_claims["exp"] - access_claims["iat"] == 120
    assert tokens.expires_in == 120
    assert jwt.get_unverified_header(tokens.id_token) == {"alg": "RS256", "kid": KEY.kid, "typ": "JWT"}


def test_the_jwks_verifies_the_tokens_with_a_standard_library() -> None:
    pool = issuer(FakeClock())
    token = pool.issue(ALICE).id_token
    (entry,) = pool.jwks()["keys"]
    assert entry["kid"] == KEY.kid and entry["alg"] == "RS256" and entry["use"] == "sig" and entry["kty"] == "RSA"
    public = jwt.PyJWK(entry).key
    claims = jwt.decode(token, public, algorithms=["RS256"], audience="client1", options={"verify_exp": False})
    assert claims["iss"] == ISSUER


def test_a_valid_token_verifies_until_it_expires() -> None:
    clock = FakeClock()
    pool = issuer(clock)
    token = pool.issue(ALICE).id_token
    assert pool.verify(token)["sub"] == ALICE.sub
    clock.now += 60
    with pytest.raises(AuthError, match="expired") as refused:
        pool.verify(token)
    assert refused.value.code == "NotAuthorizedException" and refused.value.status == 401


@pytest.mark.parametrize("client_ids", [["other-client"], []])
def test_a_token_for_another_client_is_refused(client_ids: list[str]) -> None:
    pool = issuer(FakeClock())
    with pytest.raises(AuthError, match="audience"):
        pool.verify(pool.issue(ALICE).access_token, client_ids=client_ids)


def test_a_token_signed_with_another_key_or_tampered_with_is_refused() -> None:
    clock = FakeClock()
    foreign = issuer(clock, key=SigningKey.generate()).issue(ALICE).id_token
    with pytest.raises(AuthError, match="unknown signing key"):
        issuer(clock).verify(foreign)
    header, payload, signature = issuer(clock).issue(ALICE).id_token.split(".")
    forged = jwt.encode({"sub": "mallory"}, "a-secret-long-enough-for-hmac-sha256!", algorithm="HS256").split(".")[1]
    with pytest.raises(AuthError):
        issuer(clock).verify(f"{header}.{forged}.{signature}")
    with pytest.raises(AuthError):
        issuer(clock).verify("not-a-token")


def test_a_token_from_another_issuer_is_refused() -> None:
    clock = FakeClock()
    other = TokenIssuer(
        KEY, issuer=lambda: "http://elsewhere", client_id="client1", validity=TokenValidity(), clock=clock
    )
    with pytest.raises(AuthError, match="issuer"):
        issuer(clock).verify(other.issue(ALICE).id_token)


def test_a_stored_key_keeps_its_key_id() -> None:
    assert SigningKey.from_pem(KEY.to_pem()).kid == KEY.kid
