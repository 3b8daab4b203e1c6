"""What the `--cloud` flavours of the commands share: the app and account they act on, and their error lines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devserver.app.model import AppSpec
from devserver.cloud.account import CloudAccount
from devserver.cloud.aws_errors import explain
from devserver.cloud.secrets import CloudSecrets
from devserver.errors import UserError
from devserver.state.running_server import load_app_for_tools

__all__ = ["cloud_app", "cloud_errors", "cloud_secrets"]


@contextmanager
def cloud_errors(resource: str) -> Iterator[None]:
    """Turn the account's refusals (credentials, expiry, denial, throttling) into a one-line `UserError`."""
    try:
        yield
    except UserError:
        raise
    except Exception as error:
        line = explain(error, resource)
        if line is None:
            raise
        raise UserError(line) from None


def cloud_app(app_dir: Path, stage: str) -> tuple[AppSpec, CloudAccount]:
    """The app as configured for `stage`, and its region of the account the credential chain names."""
    app = load_app_for_tools(app_dir, stage)
    return app, CloudAccount(app.region)


def cloud_secrets(app_dir: Path, stage: str) -> CloudSecrets:
    app, account = cloud_app(app_dir, stage)
    return CloudSecrets(account.client("ssm"), app_dir, app.name, app.stage)
