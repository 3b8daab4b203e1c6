"""What `sst-dev start --cloud` checks before it touches the account, and who the account is."""

from __future__ import annotations

from devserver.app.model import AppSpec, IamAuthorizer
from devserver.cloud.account import CloudAccount
from devserver.cloud.aws_errors import explain
from devserver.cloud.ownership import looks_like_production
from devserver.errors import StartError

__all__ = ["account_id", "check_cloud_app", "check_cloud_stage"]


def check_cloud_stage(stage: str, *, allow_prod: bool) -> None:
    if looks_like_production(stage) and not allow_prod:
        raise StartError(
            f'stage "{stage}" looks like production: --cloud would create and change resources there. Use another '
            "--stage, or pass --allow-prod if that is what you mean"
        )


def check_cloud_app(app: AppSpec) -> None:
    """What `--cloud` cannot serve yet stops the start, named, rather than half-working."""
    if app.auths:
        raise StartError(f'Auth "{app.auths[0].id}": --cloud does not run Auth yet (its user pools are local); '
                         "start without --cloud")  # fmt: skip
    if app.websocket_apis:
        raise StartError(f'WebSocketApi "{app.websocket_apis[0].id}": --cloud does not serve WebSocket APIs yet (their '
                         "management API is checked by the emulator's IAM); start without --cloud")  # fmt: skip
    for api in app.apis:
        for route in api.routes:
            if isinstance(route.authorizer, IamAuthorizer):
                raise StartError(f'Api "{api.id}" route "{route.key}": --cloud does not check iam authorizers yet; '
                                 "start without --cloud")  # fmt: skip


def account_id(region: str | None) -> str:
    """The account the credential chain names (STS `GetCallerIdentity`), which also proves the credentials work."""
    try:
        identity = CloudAccount(region or "us-east-1").client("sts").get_caller_identity()
    except Exception as error:
        line = explain(error, "the AWS account (sts:GetCallerIdentity)")
        if line is None:
            raise
        raise StartError(line) from None
    return str(identity["Account"])
