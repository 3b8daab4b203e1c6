"""Secret values (`Config.Secret`) per app and stage, kept on disk under `.sst/state/secrets/`.

`stages/<stage>.json` holds one stage's values, `fallback.json` the values every stage without its own uses (SST's
`--fallback`). Files are mode 0600 in 0700 folders and written atomically (temporary file, fsync, rename) under
an exclusive lock, so two `sst-dev secrets set` at once lose nothing and a reader never sees half a file.

Also here: the name rule for secrets and a strict dotenv parser for `sst-dev secrets load`, both pure.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import keyword
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from devserver.app.binding import secret_parameters
from devserver.errors import UserError
from devserver.state.files import state_dir, write_json

__all__ = [
    "DotenvError",
    "SecretNameError",
    "SecretValueError",
    "SecretsStore",
    "SecretsStoreError",
    "check_secret_name",
    "parse_dotenv",
    "secrets_dir",
]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_RESERVED = frozenset({"APP", "STAGE"})  # `Config.APP` and `Config.STAGE` are SST's own
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


class SecretNameError(UserError):
    """A secret name that `Config.<name>` could not read: not an identifier, a keyword, or reserved."""

    code = "Secrets.InvalidName"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"secret name {name!r} {reason}")
        self.name = name


class DotenvError(UserError):
    """A dotenv file `secrets load` cannot read; the message names the file and line, never a value."""

    code = "Secrets.MalformedDotenv"

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line


class SecretValueError(UserError):
    """An empty secret value: SSM rejects empty parameters, so AWS could never hold it either."""

    code = "Secrets.EmptyValue"

    def __init__(self, name: str) -> None:
        super().__init__(f"the value for secret {name} is empty (SSM cannot store an empty parameter)")
        self.name = name


class SecretsStoreError(UserError):
    """The store on disk cannot be read or written, or the stage cannot name a file."""

    code = "Secrets.Store"


def check_secret_name(name: str) -> str:
    """`name` if `Config.<name>` can read it; else `SecretNameError` saying why."""
    if not _NAME.match(name):
        raise SecretNameError(name, "is not a valid identifier (use letters, digits and _, not starting with a digit)")
    if keyword.iskeyword(name):
        raise SecretNameError(name, "is a Python keyword, so Config.<name> could not read it")
    if name in _RESERVED:
        raise SecretNameError(name, "is reserved: Config.APP and Config.STAGE are the app's name and stage")
    return name


def parse_dotenv(text: str, source: str) -> dict[str, str]:
    """`NAME=value` lines (optionally `export NAME=value`), `#` comments, '' or "" quoted values.

    Strict, unlike most dotenv readers: a line that is not one of those raises `DotenvError` naming `source:line`,
    so a typo never silently drops a secret. Double quotes take `\\n \\t \\" \\\\` escapes; single quotes are
    literal; an unquoted value ends at ` #`. Later lines win.
    """
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        name, equals, rest = line.partition("=")
        name = name.strip()
        if not equals:
            raise DotenvError(source, number, "expected NAME=value (this line has no '=')")
        try:
            check_secret_name(name)
        except SecretNameError as error:
            raise DotenvError(source, number, str(error)) from None
        values[name] = _value(rest.strip(), source, number, name)
        if not values[name]:
            raise DotenvError(source, number, f"{name}: the value is empty (SSM cannot store an empty parameter)")
    return values


def _value(text: str, source: str, number: int, name: str) -> str:
    if not text or text[0] not in "\"'":
        return re.split(r"\s+#", text, maxsplit=1)[0].rstrip()
    quote = text[0]
    out: list[str] = []
    index = 1
    while index < len(text) and text[index] != quote:
        char = text[index]
        if quote == '"' and char == "\\" and index + 1 < len(text):
            index += 1
            char = _ESCAPES.get(text[index], "\\" + text[index])
        out.append(char)
        index += 1
    if index >= len(text):
        raise DotenvError(source, number, f"{name}: unterminated {quote} quote (values must be on one line)")
    trailing = text[index + 1 :].strip()
    if trailing and not trailing.startswith("#"):
        raise DotenvError(source, number, f"{name}: unexpected text after the closing {quote} quote")
    return "".join(out)


def secrets_dir(app_dir: Path) -> Path:
    return state_dir(app_dir) / "state" / "secrets"


class SecretValues(Protocol):
    """What the secret commands and the dev server need of a store of secret values: `SecretsStore` (on disk) or,
    with `--cloud`, `devserver.cloud.secrets.CloudSecrets` (the account's SSM). Every method takes `fallback=True`
    to work on the fallback values instead of the stage's."""

    stage: str
    app_dir: Path

    def values(self, *, fallback: bool = False) -> dict[str, str]: ...
    def get(self, name: str, *, fallback: bool = False) -> str | None: ...
    def set(self, values: Mapping[str, str], *, fallback: bool = False) -> None: ...
    def remove(self, name: str, *, fallback: bool = False) -> bool: ...
    def parameters(self, app_name: str) -> dict[str, tuple[str, bool]]:
        """The SSM parameters the emulator must be given for these values (none when they are in SSM already)."""
        ...


class SecretsStore:
    """One app's secret values for one stage, plus its fallback values, on disk.

    Every method takes `fallback=True` to work on the fallback values instead of the stage's.
    """

    def __init__(self, app_dir: Path, stage: str) -> None:
        if not _STAGE.match(stage):
            raise SecretsStoreError(f"stage name {stage!r} must be A-Z a-z 0-9 - and start with a letter or digit")
        self.app_dir = app_dir
        self.stage = stage
        self.root = secrets_dir(app_dir)

    def path(self, *, fallback: bool = False) -> Path:
        return self.root / "fallback.json" if fallback else self.root / "stages" / f"{self.stage}.json"

    def values(self, *, fallback: bool = False) -> dict[str, str]:
        """All values stored for the stage (or the fallback), by name."""
        path = self.path(fallback=fallback)
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise SecretsStoreError(f"cannot read {path}: {error}") from None
        if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
            raise SecretsStoreError(f"{path} is not a JSON object of secret names to string values")
        return document

    def get(self, name: str, *, fallback: bool = False) -> str | None:
        return self.values(fallback=fallback).get(name)

    def set(self, values: Mapping[str, str], *, fallback: bool = False) -> None:
        """Store every value in one write; all names are checked first, so a bad one leaves the file untouched."""
        for name, value in values.items():
            check_secret_name(name)
            if not value:
                raise SecretValueError(name)
        with self._locked():
            self._write(self.values(fallback=fallback) | dict(values), fallback=fallback)

    def remove(self, name: str, *, fallback: bool = False) -> bool:
        """Forget `name`; False if it had no value."""
        with self._locked():
            stored = self.values(fallback=fallback)
            if stored.pop(name, None) is None:
                return False
            self._write(stored, fallback=fallback)
        return True

    def parameters(self, app_name: str) -> dict[str, tuple[str, bool]]:
        """Every stored value as SSM SecureString parameters: the stage's paths and the `.fallback` ones."""
        return secret_parameters(app_name, self.stage, self.values(fallback=True), fallback=True) | secret_parameters(
            app_name, self.stage, self.values()
        )

    def _write(self, values: Mapping[str, str], *, fallback: bool) -> None:
        path = self.path(fallback=fallback)
        self._private_dir(path.parent)
        try:
            write_json(path, dict(sorted(values.items())), mode=0o600)
        except OSError as error:
            raise SecretsStoreError(f"cannot write {path}: {error.strerror}") from None

    def _private_dir(self, folder: Path) -> None:
        # Only the user may list or read secrets: every folder from `.sst/state/secrets` down is 0700.
        try:
            for part in (self.root, folder):
                part.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(part, 0o700)
        except OSError as error:
            raise SecretsStoreError(f"cannot create {folder}: {error.strerror}") from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._private_dir(self.root)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock
