"""`AuthService`: the app's local user pools and identity pools, as the dev server runs them.

It answers what the HTTP endpoints (`devserver.auth.router`), the API Gateway's JWT authorizer and the Console ask:
sign-up, sign-in, refresh, token verification, users, and identity credentials. Users and keys live in a
`UserStore`; credentials come from an `IdentityPool` backed by the emulator's IAM. `configure(auths)` takes a new
config's `Auth`s (a reload); a pool keeps its users when its id stays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from devserver.app.auth_ids import identity_id
from devserver.app.model import AuthSpec
from devserver.auth import AUTH_PREFIX
from devserver.auth.errors import AuthError
from devserver.auth.identity_pool import IdentityCredentials, IdentityPool, identity_policy
from devserver.auth.tokens import Clock, IssuedTokens, TokenIssuer, TokenSubject
from devserver.auth.users import User, UserStore
from emulator.iam.identity_tags import CognitoIdentity

__all__ = ["AuthService"]


class AuthService:
    """The app's `Auth`s. `base_url()` is the dev server's URL (issuers are `<base>/_sst/auth/<id>`)."""

    def __init__(
        self,
        store: UserStore,
        identities: IdentityPool,
        *,
        base_url: Callable[[], str],
        clock: Clock = time.time,
    ) -> None:
        self.store = store
        self.identities = identities
        self._base_url = base_url
        self._clock = clock
        self._auths: dict[str, AuthSpec] = {}
        self._issuers: dict[str, TokenIssuer] = {}
        self._guests: dict[str, str] = {}  # guest identity id -> auth id

    def configure(self, auths: Sequence[AuthSpec]) -> None:
        """Serve these `Auth`s from now on, and give identities that hold credentials their new policies."""
        self._auths = {auth.id: auth for auth in auths}
        self._issuers = {auth.id: self._issuer(auth) for auth in auths}
        if self._auths:
            self.identities.update_policies(self._policy_for_identity)

    def _issuer(self, auth: AuthSpec) -> TokenIssuer:
        return TokenIssuer(
            self.store.signing_key(),
            issuer=lambda: self.issuer_url(auth.id),
            client_id=auth.user_pool_client_id,
            validity=auth.token_validity,
            clock=self._clock,
        )

    @property
    def auths(self) -> tuple[AuthSpec, ...]:
        return tuple(self._auths.values())

    def auth(self, auth_id: str) -> AuthSpec:
        spec = self._auths.get(auth_id)
        if spec is None:
            raise AuthError("ResourceNotFoundException", f"the app declares no Auth {auth_id!r}", auth_id, status=404)
        return spec

    def issuer_url(self, auth_id: str) -> str:
        return f"{self._base_url().rstrip('/')}{AUTH_PREFIX}/{auth_id}"

    def jwks(self, auth_id: str) -> dict[str, list[dict[str, Any]]]:
        self.auth(auth_id)
        return self._issuers[auth_id].jwks()

    def sign_up(self, auth_id: str, username: str, password: str) -> User:
        return self.store.sign_up(self.auth(auth_id).user_pool_id, username, password)

    def sign_in(self, auth_id: str, username: str, password: str) -> dict[str, object]:
        """Cognito's `AuthenticationResult` for USER_PASSWORD_AUTH: tokens and a refresh token."""
        auth = self.auth(auth_id)
        user = self.store.authenticate(auth.user_pool_id, username, password)
        tokens = self._issuers[auth_id].issue(TokenSubject(user.sub, user.username))
        refresh = self.store.add_refresh_token(auth.user_pool_id, user, auth.token_validity.refresh_token)
        return {**_authentication_result(tokens), "RefreshToken": refresh}

    def refresh(self, auth_id: str, refresh_token: str) -> dict[str, object]:
        """New id and access tokens for a live refresh token (which stays valid, as Cognito's does)."""
        auth = self.auth(auth_id)
        user = self.store.redeem_refresh_token(auth.user_pool_id, refresh_token)
        return _authentication_result(self._issuers[auth_id].issue(TokenSubject(user.sub, user.username)))

    def verify(self, auth_id: str, token: str, *, client_ids: Sequence[str] | None = None) -> dict[str, Any]:
        """The claims of a valid token of this pool whose user still exists, else NotAuthorizedException."""
        auth = self.auth(auth_id)
        claims = self._issuers[auth_id].verify(token, client_ids=client_ids)
        if self.store.user_by_sub(auth.user_pool_id, str(claims["sub"])) is None:
            raise AuthError("NotAuthorizedException", "User does not exist.", status=401)
        return claims

    def credentials(self, auth_id: str, id_token: str | None, guest_identity: str | None = None) -> IdentityCredentials:
        """Credentials for the signed-in user of `id_token` (their stable identity id), or for a guest identity (a new
        one, or `guest_identity` from an earlier call), as GetId + GetCredentialsForIdentity give."""
        auth = self.auth(auth_id)
        if id_token is not None:
            claims = self.verify(auth_id, id_token)
            if claims.get("token_use") != "id":
                raise AuthError("NotAuthorizedException", "Invalid login token. Not an id token.", status=401)
            user = self.store.user_by_sub(auth.user_pool_id, str(claims["sub"]))
            assert user is not None  # verify() checked it
            identity = CognitoIdentity(user.identity_id, auth.identity_pool_id, authenticated=True)
            policy = identity_policy(auth.auth_permissions, user.identity_id)
            return self.identities.credentials(identity, policy, lifetime=auth.token_validity.credentials)
        if guest_identity is None:
            guest_identity = identity_id(self.store.region)
            self._guests[guest_identity] = auth_id
        elif self._guests.get(guest_identity) != auth_id:
            raise AuthError(
                "NotAuthorizedException", "Unauthenticated access is not supported for this identity.", guest_identity
            )
        policy = identity_policy(auth.unauth_permissions, guest_identity)
        identity = CognitoIdentity(guest_identity, auth.identity_pool_id, authenticated=False)
        return self.identities.credentials(identity, policy, lifetime=auth.token_validity.credentials)

    def _policy_for_identity(self, identity: str) -> Mapping[str, object] | None:
        guest_of = self._guests.get(identity)
        if guest_of is not None:
            auth = self._auths.get(guest_of)
            return None if auth is None else identity_policy(auth.unauth_permissions, identity)
        for auth in self._auths.values():
            if any(user.identity_id == identity for user in self.store.users(auth.user_pool_id)):
                return identity_policy(auth.auth_permissions, identity)
        return None

    def delete_user(self, auth_id: str, username: str) -> User:
        """Remove a user: their tokens stop passing authorizers and their identity loses every permission."""
        auth = self.auth(auth_id)
        user = self.store.delete(auth.user_pool_id, username)
        if user is None:
            raise AuthError("UserNotFoundException", "User does not exist.", username, status=404)
        self.identities.revoke(user.identity_id)
        return user


def _authentication_result(tokens: IssuedTokens) -> dict[str, object]:
    return {
        "IdToken": tokens.id_token,
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "TokenType": "Bearer",
    }
