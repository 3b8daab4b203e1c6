"""The errors local Auth answers with, named by Cognito's own exception codes so client code handles them alike."""

from __future__ import annotations

from devserver.errors import UserError

__all__ = ["AuthError"]


class AuthError(UserError):
    """A refused auth request: `code` is Cognito's (`NotAuthorizedException`, `UsernameExistsException`, ...),
    `value` the offending input (a username, never a password or token)."""

    def __init__(self, code: str, message: str, value: str | None = None, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value
        self.status = status

    def payload(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "value": self.value}
