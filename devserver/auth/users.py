"""Local user pools on disk: users, refresh tokens and the signing key, under `.sst/state/auth/<stage>/`.

`users.json` (mode 0600, in a 0700 folder) holds every `Auth`'s users by pool: username, `sub`, identity id,
password hash (scrypt, never the password) and the hashes of live refresh tokens. `signing-key.pem` (0600) is the
RSA key tokens are signed with, so tokens survive a restart as Cognito's survive a deploy. Files are rewritten
atomically under a lock. With no folder (the pytest fixture's servers), everything lives in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from devserver.app.auth_ids import identity_id
from devserver.auth.errors import AuthError
from devserver.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from devserver.auth.tokens import Clock, SigningKey
from devserver.state.files import state_dir, write_json

__all__ = ["User", "UserStore", "auth_state_dir"]

_USERNAME = re.compile(r"^\S{1,128}$")  # Cognito: 1-128 characters, no whitespace
_PRIVATE = 0o600


def auth_state_dir(app_dir: Path, stage: str) -> Path:
    """`<app>/.sst/state/auth/<stage>/`, beside the emulator's and the secrets' state."""
    return state_dir(app_dir) / "state" / "auth" / stage


@dataclass(frozen=True)
class User:
    """A local user: what the Console lists and tokens are made from."""

    username: str
    sub: str
    identity_id: str
    created: float
    password_hash: str

    def public(self) -> dict[str, object]:
        """The user without the password hash, as the Console shows it."""
        return {"username": self.username, "sub": self.sub, "identityId": self.identity_id, "created": self.created}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserStore:
    """Every pool's users and refresh tokens, and the signing key (see the module docstring)."""

    def __init__(self, folder: Path | None, *, region: str, clock: Clock = time.time) -> None:
        self.folder = folder
        self.region = region
        self.clock = clock
        self._lock = threading.Lock()
        self._pools: dict[str, dict[str, Any]] = self._load()
        self._key: SigningKey | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self.folder is None or not (self.folder / "users.json").is_file():
            return {}
        try:
            document = json.loads((self.folder / "users.json").read_text())
        except (OSError, ValueError) as error:
            raise AuthError("Auth.Store", f"cannot read {self.folder / 'users.json'}: {error}") from None
        pools: dict[str, dict[str, Any]] = document.get("pools", {})
        return pools

    def _save(self) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_json(self.folder / "users.json", {"version": 1, "pools": self._pools}, mode=_PRIVATE)

    def _pool(self, pool_id: str) -> dict[str, Any]:
        return self._pools.setdefault(pool_id, {"users": {}, "refreshTokens": {}})

    def signing_key(self) -> SigningKey:
        """The stored RSA key, created (and stored) on first use."""
        with self._lock:
            if self._key is None:
                folder = self.folder
                path = None if folder is None else folder / "signing-key.pem"
                if path is not None and path.is_file():
                    self._key = SigningKey.from_pem(path.read_bytes())
                else:
                    self._key = SigningKey.generate()
                    if folder is not None and path is not None:
                        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                        path.touch(mode=_PRIVATE)
                        path.write_bytes(self._key.to_pem())
            return self._key

    def sign_up(self, pool_id: str, username: str, password: str) -> User:
        """A new confirmed user (local pools need no confirmation code)."""
        if not isinstance(username, str) or not _USERNAME.match(username):
            raise AuthError("InvalidParameterException", "Username must be 1-128 characters without spaces", username)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AuthError(
                "InvalidPasswordException",
                f"Password did not conform with policy: Password not long enough (minimum {MIN_PASSWORD_LENGTH})",
                username,
            )
        password_hash = hash_password(password)
        with self._lock:
            users = self._pool(pool_id)["users"]
            if username.lower() in users:
                raise AuthError("UsernameExistsException", "User already exists", username)
            user = User(username, str(uuid.uuid4()), identity_id(self.region), self.clock(), password_hash)
            users[username.lower()] = asdict(user)
            self._save()
        return user

    def authenticate(self, pool_id: str, username: str, password: str) -> User:
        """The user if the password is theirs; Cognito's one answer for a wrong name or password otherwise."""
        user = self.user(pool_id, username)
        if user is None or not verify_password(password, user.password_hash):
            raise AuthError("NotAuthorizedException", "Incorrect username or password.", username)
        return user

    def user(self, pool_id: str, username: str) -> User | None:
        with self._lock:
            record = self._pool(pool_id)["users"].get(username.lower())
        return None if record is None else User(**record)

    def user_by_sub(self, pool_id: str, sub: str) -> User | None:
        with self._lock:
            records = list(self._pool(pool_id)["users"].values())
        return next((User(**r) for r in records if r["sub"] == sub), None)

    def users(self, pool_id: str) -> list[User]:
        with self._lock:
            records = list(self._pool(pool_id)["users"].values())
        return sorted((User(**r) for r in records), key=lambda u: u.username.lower())

    def delete(self, pool_id: str, username: str) -> User | None:
        """Remove a user and their refresh tokens; the removed user, or None if there was none."""
        with self._lock:
            pool = self._pool(pool_id)
            record = pool["users"].pop(username.lower(), None)
            if record is None:
                return None
            tokens = pool["refreshTokens"]
            for digest in [d for d, t in tokens.items() if t["sub"] == record["sub"]]:
                del tokens[digest]
            self._save()
        return User(**record)

    def add_refresh_token(self, pool_id: str, user: User, lifetime: float) -> str:
        """A new opaque refresh token for `user`; only its hash is stored."""
        token = secrets.token_urlsafe(48)
        now = self.clock()
        with self._lock:
            tokens = self._pool(pool_id)["refreshTokens"]
            for digest in [d for d, t in tokens.items() if t["expires"] <= now]:
                del tokens[digest]  # drop expired ones as we go, so the file does not grow forever
            tokens[_token_hash(token)] = {"sub": user.sub, "expires": now + lifetime}
            self._save()
        return token

    def redeem_refresh_token(self, pool_id: str, token: str) -> User:
        """The user a live refresh token belongs to, else NotAuthorizedException as Cognito answers."""
        with self._lock:
            record = self._pool(pool_id)["refreshTokens"].get(_token_hash(token))
        if record is None or record["expires"] <= self.clock():
            raise AuthError("NotAuthorizedException", "Invalid Refresh Token", status=400)
        user = self.user_by_sub(pool_id, record["sub"])
        if user is None:
            raise AuthError("NotAuthorizedException", "Invalid Refresh Token", status=400)
        return user
