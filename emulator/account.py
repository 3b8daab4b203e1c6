"""The one AWS account everything local lives in."""

from __future__ import annotations

__all__ = ["ACCOUNT_ID"]

ACCOUNT_ID = "123456789012"
"""moto's default account, so the ARNs in events and contexts agree with what the emulator itself reports (STS
GetCallerIdentity, bucket owners, IAM ARNs). The dev server's `devserver.app.naming` re-exports it."""
