"""Secret names, the strict dotenv reader, and the per-stage store on disk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devserver.state.secrets import (
    DotenvError,
    SecretNameError,
    SecretsStore,
    SecretsStoreError,
    SecretValueError,
    check_secret_name,
    parse_dotenv,
)


@pytest.mark.parametrize("name", ["STRIPE_KEY", "_private", "key2", "apiToken"])
def test_identifiers_are_valid_secret_names(name: str) -> None:
    assert check_secret_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("stripe-key", "is not a valid identifier"),
        ("2FA", "is not a valid identifier"),
        ("", "is not a valid identifier"),
        ("class", "is a Python keyword"),
        ("APP", "is reserved"),
    ],
)
def test_names_config_could_not_read_are_refused_with_the_name(name: str, reason: str) -> None:
    with pytest.raises(SecretNameError) as raised:
        check_secret_name(name)
    assert str(raised.value).startswith(f"secret name {name!r} {reason}")
    assert raised.value.code == "Secrets.InvalidName"


def test_dotenv_reads_plain_quoted_exported_and_commented_lines() -> None:
    text = """
# Stripe
STRIPE_KEY=sk_test_123
export DB_PASSWORD = "p@ss word\\n2"   # the db
LITERAL='no \\n escapes'
URL=https://x.test/a#b  # a comment
STRIPE_KEY=sk_test_456
"""
    assert parse_dotenv(text, ".env") == {
        "STRIPE_KEY": "sk_test_456",
        "DB_PASSWORD": "p@ss word\n2",
        "LITERAL": "no \\n escapes",
        "URL": "https://x.test/a#b",
    }


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("A=1\njust-a-value\n", 2, "expected NAME=value (this line has no '=')"),
        ("A=1\n\nstripe-key=1\n", 3, "secret name 'stripe-key' is not a valid identifier"),
        ('A="unterminated\n', 1, 'A: unterminated " quote'),
        ("A='x' y\n", 1, "A: unexpected text after the closing ' quote"),
        ("A=\n", 1, "A: the value is empty"),
    ],
)
def test_a_malformed_dotenv_line_is_named_by_file_and_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(DotenvError) as raised:
        parse_dotenv(text, "secrets.env")
    assert str(raised.value).startswith(f"secrets.env:{line}: {reason}")
    assert "\n" not in str(raised.value)


def test_a_dotenv_error_never_shows_the_value() -> None:
    with pytest.raises(DotenvError) as raised:
        parse_dotenv("sk_live_SECRET\n", ".env")
    assert "sk_live_SECRET" not in str(raised.value)


def test_values_persist_per_stage_with_a_separate_fallback(tmp_path: Path) -> None:
    SecretsStore(tmp_path, "dev").set({"STRIPE_KEY": "sk_dev"})
    SecretsStore(tmp_path, "prod").set({"STRIPE_KEY": "sk_prod"})
    SecretsStore(tmp_path, "dev").set({"STRIPE_KEY": "sk_shared"}, fallback=True)
    dev = SecretsStore(tmp_path, "dev")
    assert dev.get("STRIPE_KEY") == "sk_dev"
    assert SecretsStore(tmp_path, "prod").get("STRIPE_KEY") == "sk_prod"
    assert SecretsStore(tmp_path, "qa").get("STRIPE_KEY", fallback=True) == "sk_shared"
    assert dev.path() == tmp_path / ".sst" / "state" / "secrets" / "stages" / "dev.json"


def test_store_files_are_private_to_the_user(tmp_path: Path) -> None:
    store = SecretsStore(tmp_path, "dev")
    store.set({"STRIPE_KEY": "sk"})
    assert stat.S_IMODE(store.path().stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path().parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700


def test_a_bad_name_among_several_writes_nothing(tmp_path: Path) -> None:
    store = SecretsStore(tmp_path, "dev")
    store.set({"A": "1"})
    with pytest.raises(SecretNameError):
        store.set({"B": "2", "bad-name": "3"})
    with pytest.raises(SecretValueError):
        store.set({"C": ""})
    assert store.values() == {"A": "1"}


def test_remove_reports_whether_there_was_a_value(tmp_path: Path) -> None:
    store = SecretsStore(tmp_path, "dev")
    store.set({"A": "1", "B": "2"})
    assert store.remove("A") is True
    assert store.remove("A") is False
    assert store.values() == {"B": "2"}


def test_stored_values_become_secure_ssm_parameters_for_the_stage_and_fallback(tmp_path: Path) -> None:
    store = SecretsStore(tmp_path, "dev")
    store.set({"A": "stage"})
    store.set({"B": "shared"}, fallback=True)
    assert store.parameters("sample-app") == {
        "/sst/sample-app/dev/Secret/A/value": ("stage", True),
        "/sst/sample-app/.fallback/Secret/B/value": ("shared", True),
    }


def test_a_stage_that_cannot_name_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretsStoreError, match="stage name '../x'"):
        SecretsStore(tmp_path, "../x")


def test_a_corrupt_store_file_is_named(tmp_path: Path) -> None:
    store = SecretsStore(tmp_path, "dev")
    store.path().parent.mkdir(parents=True)
    store.path().write_text("{not json")
    with pytest.raises(SecretsStoreError, match="cannot read .*dev.json"):
        store.values()
