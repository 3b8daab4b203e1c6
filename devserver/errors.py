"""Errors the CLI turns into one line on stderr and a non-zero exit (anything else is a bug: it gets a traceback).

`CodedError` is the base of the errors an HTTP API of the dev server answers with (the Console's, local Auth's): a
stable code, a message, the offending value and an HTTP status, rendered as `{"code", "message", "value"}`.
"""

from __future__ import annotations

__all__ = ["CodedError", "StartError", "UserError"]


class UserError(Exception):
    """Bad input or a bad environment the user can fix; the message is one line that says how."""


class StartError(UserError):
    """`sst-dev start` cannot start: a port is taken, the app folder is missing, state is not writable, ..."""


class CodedError(UserError):
    """A refused request: `code` is stable (AWS's or Cognito's where one exists), `value` the offending input (a key,
    a username; never a password, token or secret value), `status` the HTTP status it is answered with."""

    def __init__(self, code: str, message: str, value: str | None = None, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value
        self.status = status

    def payload(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "value": self.value}
