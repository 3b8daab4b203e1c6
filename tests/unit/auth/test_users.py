"""Local users on disk: sign-up rules, passwords, refresh tokens, deletion, and the private file they live in."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devserver.auth.errors import AuthError
from devserver.auth.passwords import hash_password, verify_password
from devserver.auth.users import UserStore

POOL = "us-east-1_pool1"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_passwords_are_stored_hashed_and_verified() -> None:
    encoded = hash_password("correct horse")
    assert "correct horse" not in encoded and encoded.startswith("scrypt$")
    assert verify_password("correct horse", encoded)
    assert not verify_password("wrong horse", encoded)
    assert not verify_password("correct horse", "garbage")


def test_users_sign_up_and_sign_in(tmp_path: Path) -> None:
    store = UserStore(tmp_path, region="us-east-1")
    alice = store.sign_up(POOL, "alice", "password1")
    assert alice.identity_id.startswith("us-east-1:") and alice.sub
    assert store.authenticate(POOL, "alice", "password1") == alice
    assert store.authenticate(POOL, "ALICE", "password1") == alice  # usernames are case-insensitive, as Cognito's


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [
        ("bob", "short", "InvalidPasswordException"),
        ("has space", "password1", "InvalidParameterException"),
        ("", "password1", "InvalidParameterException"),
        ("alice", "password2", "UsernameExistsException"),
    ],
)
def test_sign_up_refuses_bad_input_with_cognitos_codes(tmp_path: Path, username: str, password: str, code: str) -> None:
    store = UserStore(tmp_path, region="us-east-1")
    store.sign_up(POOL, "alice", "password1")
    with pytest.raises(AuthError) as refused:
        store.sign_up(POOL, username, password)
    assert refused.value.code == code
    assert refused.value.value == username


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong-password"), ("nobody", "password1")])
def test_a_wrong_name_or_password_gets_one_answer(tmp_path: Path, username: str, password: str) -> None:
    store = UserStore(tmp_path, region="us-east-1")
    store.sign_up(POOL, "alice", "password1")
    with pytest.raises(AuthError, match="Incorrect username or password.") as refused:
        store.authenticate(POOL, username, password)
    assert refused.value.code == "NotAuthorizedException"


def test_users_survive_a_restart_in_a_private_file(tmp_path: Path) -> None:
    folder = tmp_path / "auth" / "test"
    alice = UserStore(folder, region="us-east-1").sign_up(POOL, "alice", "password1")
    key = UserStore(folder, region="us-east-1").signing_key()
    assert stat.S_IMODE((folder / "users.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "signing-key.pem").stat().st_mode) == 0o600
    assert "password1" not in (folder / "users.json").read_text()
    reopened = UserStore(folder, region="us-east-1")
    assert reopened.authenticate(POOL, "alice", "password1") == alice
    assert reopened.signing_key().kid == key.kid


def test_pools_keep_their_users_apart(tmp_path: Path) -> None:
    store = UserStore(None, region="us-east-1")
    store.sign_up(POOL, "alice", "password1")
    assert store.users("us-east-1_other") == []
    with pytest.raises(AuthError):
        store.authenticate("us-east-1_other", "alice", "password1")


def test_refresh_tokens_expire_and_die_with_their_user() -> None:
    clock = FakeClock()
    store = UserStore(None, region="us-east-1", clock=clock)
    alice = store.sign_up(POOL, "alice", "password1")
    token = store.add_refresh_token(POOL, alice, lifetime=600)
    assert store.redeem_refresh_token(POOL, token) == alice
    clock.now += 600
    with pytest.raises(AuthError, match="Invalid Refresh Token"):
        store.redeem_refresh_token(POOL, token)
    clock.now -= 600
    store.delete(POOL, "alice")
    with pytest.raises(AuthError, match="Invalid Refresh Token"):
        store.redeem_refresh_token(POOL, token)
    with pytest.raises(AuthError, match="Invalid Refresh Token"):
        store.redeem_refresh_token(POOL, "made-up")


def test_deleting_a_user_removes_them(tmp_path: Path) -> None:
    store = UserStore(tmp_path, region="us-east-1")
    store.sign_up(POOL, "alice", "password1")
    store.sign_up(POOL, "bob", "password1")
    assert [u.username for u in store.users(POOL)] == ["alice", "bob"]
    assert store.delete(POOL, "alice") is not None
    assert store.delete(POOL, "alice") is None
    assert [u.username for u in UserStore(tmp_path, region="us-east-1").users(POOL)] == ["bob"]
