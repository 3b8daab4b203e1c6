"""RS256 JSON Web Tokens as a Cognito user pool issues them: id and access tokens, their JWKS, and verification.

Pure logic over an RSA key and an injected clock (no I/O). Claims follow Cognito's: both tokens carry `sub`, `iss`,
`token_use`, `auth_time`, `iat`, `exp` and `jti`; the id token has `aud` (the app client id) and
`cognito:username`; the access token has `client_id`, `username` and `scope`. The issuer is where the pool's JWKS
is served, so `{iss}/.well-known/jwks.json` finds the keys, as with Cognito.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from devserver.app.model import TokenValidity
from devserver.auth.errors import AuthError

__all__ = ["ACCESS_TOKEN_SCOPE", "Clock", "IssuedTokens", "SigningKey", "TokenIssuer", "TokenSubject"]

ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"
"""The scope Cognito puts in access tokens from its own sign-in API."""
_ALGORITHM = "RS256"

Clock = Callable[[], float]


class SigningKey:
    """An RSA key pair with its JWKS key id (a digest of the public key, so it is stable for a stored key)."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        public_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = hashlib.sha256(public_der).hexdigest()[:32]

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the stored signing key is not an RSA key")
        return cls(key)

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWKS entry, with the fields Cognito's JWKS has (`alg`, `e`, `kid`, `kty`, `n`, `use`)."""
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        public.pop("key_ops", None)  # Cognito's JWKS entries have no key_ops
        return {**public, "kid": self.kid, "alg": _ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class TokenSubject:
    """Who a token is for: the user's `sub` (a UUID, as Cognito's) and username."""

    sub: str
    username: str


@dataclass(frozen=True)
class IssuedTokens:
    id_token: str
    access_token: str
    expires_in: int


class TokenIssuer:
    """Issues and verifies one user pool's tokens. `issuer()` is called per token: the URL may be known late."""

    def __init__(
        self,
        key: SigningKey,
        *,
        issuer: Callable[[], str],
        client_id: str,
        validity: TokenValidity,
        clock: Clock = time.time,
    ) -> None:
        self.key = key
        self.issuer = issuer
        self.client_id = client_id
        self.validity = validity
        self.clock = clock

    def issue(self, subject: TokenSubject, *, auth_time: int | None = None) -> IssuedTokens:
        now = int(self.clock())
        common = {"sub": subject.sub, "iss": self.issuer(), "auth_time": auth_time or now, "iat": now}
        id_claims = {
            **common,
            "aud": self.client_id,
            "token_use": "id",
            "cognito:username": subject.username,
            "event_id": str(uuid.uuid4()),
            "exp": now + int(self.validity.id_token),
            "jti": str(uuid.uuid4()),
        }
        access_claims = {
            **common,
            "client_id": self.client_id,
            "token_use": "access",
            "scope": ACCESS_TOKEN_SCOPE,
            "username": subject.username,
            "exp": now + int(self.validity.access_token),
            "jti": str(uuid.uuid4()),
        }
        return IssuedTokens(self._sign(id_claims), self._sign(access_claims), int(self.validity.access_token))

    def _sign(self, claims: Mapping[str, object]) -> str:
        return jwt.encode(dict(claims), self.key.private_key, algorithm=_ALGORITHM, headers={"kid": self.key.kid})

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [self.key.jwk()]}

    def verify(
        self, token: str, *, client_ids: Sequence[str] | None = None, token_use: str | None = None
    ) -> dict[str, Any]:
        """The claims of a token this pool signed, unexpired, from the right issuer, for one of `client_ids` (its
        `aud`, or `client_id` for access tokens, as API Gateway checks), else `AuthError` NotAuthorizedException."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self.key.kid or header.get("alg") != _ALGORITHM:
                raise AuthError("NotAuthorizedException", "Invalid token: unknown signing key", status=401)
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key.private_key.public_key(),
                algorithms=[_ALGORITHM],
                issuer=self.issuer(),
                options={"verify_aud": False, "verify_exp": False, "require": ["exp", "iss", "sub", "token_use"]},
            )
        except jwt.InvalidTokenError as error:
            raise AuthError("NotAuthorizedException", f"Invalid token: {error}", status=401) from None
        # Expiry against the injected clock, so tests can move time instead of sleeping.
        if int(claims["exp"]) <= self.clock():
            raise AuthError("NotAuthorizedException", "Token has expired.", status=401)
        audience = claims.get("aud") if claims.get("token_use") == "id" else claims.get("client_id")
        if audience not in (client_ids if client_ids is not None else [self.client_id]):
            raise AuthError("NotAuthorizedException", "Invalid token: wrong audience", status=401)
        if token_use is not None and claims.get("token_use") != token_use:
            raise AuthError("NotAuthorizedException", f"Invalid token: not an {token_use} token", status=401)
        return claims
