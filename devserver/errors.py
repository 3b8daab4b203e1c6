"""Errors the CLI turns into one line on stderr and a non-zero exit (anything else is a bug: it gets a traceback)."""

from __future__ import annotations

__all__ = ["StartError", "UserError"]


class UserError(Exception):
    """Bad input or a bad environment the user can fix; the message is one line that says how."""


class StartError(UserError):
    """`sst-dev start` cannot start: a port is taken, the app folder is missing, state is not writable, ..."""
