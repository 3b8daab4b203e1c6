"""A local Cognito identity pool: identity ids and temporary AWS credentials scoped by the app's policies.

How it works: each identity (a signed-in user's stable identity id, or a guest's) gets an IAM user in the emulator
named after it, holding the identity policy (the `Auth`'s statements with `${cognito-identity.amazonaws.com:sub}`
replaced by the identity id, as IAM substitutes that variable for Cognito roles). The credentials handed out are
that user's access key plus a fresh session token with an expiry, recorded on the user as tags
(`emulator.iam.identity_tags`): the emulator's IAM guard checks every request signed with the key against exactly that
policy, and refuses it when its token is missing, unknown or expired, as AWS refuses stale temporary credentials.
"""

from __future__ import annotations

import datetime
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devserver.app.model import PermissionSpec
from devserver.app.permissions import POLICY_VERSION
from devserver.auth.tokens import Clock
from devserver.aws.provision import put_function_users
from emulator.iam.identity_tags import CognitoIdentity, identity_tags, session_tag, stale_session_tags

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = ["IDENTITY_SUB_VARIABLE", "IdentityCredentials", "IdentityPool", "identity_policy", "identity_user_name"]

IDENTITY_SUB_VARIABLE = "${cognito-identity.amazonaws.com:sub}"
"""The IAM policy variable for the caller's identity id in policies of Cognito identity pool roles."""


def identity_policy(permissions: Iterable[PermissionSpec], identity_id: str) -> dict[str, object]:
    """The policy for one identity: each statement with the identity variable replaced by `identity_id`."""
    statements = []
    for permission in permissions:
        statement = permission.to_statement()
        statement["Resource"] = [r.replace(IDENTITY_SUB_VARIABLE, identity_id) for r in permission.resources]
        statements.append(statement)
    return {"Version": POLICY_VERSION, "Statement": statements}


def identity_user_name(identity_id: str) -> str:
    """The emulator IAM user standing in for an identity's role session (IAM names take no `:`)."""
    return "sst-dev-identity-" + identity_id.split(":", 1)[-1]


@dataclass(frozen=True)
class IdentityCredentials:
    """What Cognito's GetCredentialsForIdentity returns, in its JSON names."""

    identity_id: str
    access_key_id: str
    secret_key: str
    session_token: str
    expiration: float

    def document(self) -> dict[str, object]:
        expires = datetime.datetime.fromtimestamp(self.expiration, datetime.UTC)
        return {
            "IdentityId": self.identity_id,
            "Credentials": {
                "AccessKeyId": self.access_key_id,
                "SecretKey": self.secret_key,
                "SessionToken": self.session_token,
                "Expiration": expires.isoformat().replace("+00:00", "Z"),
            },
        }


class IdentityPool:
    """Issues credentials per identity through the emulator's IAM (`iam()` gives a client with account keys).

    Blocking (it calls the emulator): run it in a thread from async code.
    """

    def __init__(self, iam: Callable[[], BaseClient], *, clock: Clock = time.time) -> None:
        self._make_iam = iam
        self._iam_client: BaseClient | None = None
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, str]] = {}
        self._issued: set[str] = set()

    def _iam(self) -> BaseClient:
        # One client for the pool's life (made on first use, when the emulator runs): clients are thread-safe.
        if self._iam_client is None:
            self._iam_client = self._make_iam()
        return self._iam_client

    def credentials(
        self, identity: CognitoIdentity, policy: Mapping[str, object], *, lifetime: float
    ) -> IdentityCredentials:
        """Credentials for `identity` valid for `lifetime` seconds, its IAM user holding `policy` (rewritten every
        time: reloads apply)."""
        name = identity_user_name(identity.identity_id)
        token = secrets.token_urlsafe(48)
        with self._lock:
            iam = self._iam()
            self._keys = put_function_users(iam, {name: policy}, self._keys)
            self._issued.add(identity.identity_id)
            access_key, secret_key = self._keys[name]
            tags = {tag["Key"]: tag["Value"] for tag in iam.list_user_tags(UserName=name)["Tags"]}
            now = self._clock()  # after the user is ready: the lifetime counts from the hand-over
            expires_at = now + lifetime
            stale = stale_session_tags(tags, now)
            if stale:
                iam.untag_user(UserName=name, TagKeys=stale)
            fresh = {**identity_tags(identity), **dict([session_tag(token, expires_at)])}
            iam.tag_user(UserName=name, Tags=[{"Key": key, "Value": value} for key, value in fresh.items()])
        return IdentityCredentials(identity.identity_id, access_key, secret_key, token, expires_at)

    def update_policies(self, policy_for: Callable[[str], Mapping[str, object] | None]) -> None:
        """After a config change: give every identity that got credentials its new policy (`policy_for(identity
        id)`; None leaves that identity's policy as it is)."""
        with self._lock:
            policies = {identity_user_name(i): p for i in self._issued if (p := policy_for(i)) is not None}
            if policies:
                self._keys = put_function_users(self._iam(), policies, self._keys)

    def revoke(self, identity_id: str) -> None:
        """Take every permission from an identity that got credentials (its user was deleted)."""
        with self._lock:
            if identity_id in self._issued:
                empty: dict[str, object] = {"Version": POLICY_VERSION, "Statement": []}
                self._keys = put_function_users(self._iam(), {identity_user_name(identity_id): empty}, self._keys)
