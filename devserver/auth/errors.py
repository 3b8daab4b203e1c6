"""The errors local Auth answers with, named by Cognito's own exception codes so client code handles them alike."""

from __future__ import annotations

from devserver.errors import CodedError

__all__ = ["AuthError"]


class AuthError(CodedError):
    """A refused auth request: `code` is Cognito's (`NotAuthorizedException`, `UsernameExistsException`, ...),
    `value` the offending input (a username, never a password or token)."""
