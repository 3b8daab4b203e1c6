"""The IAM permissions a function gets: SST's grants for what it binds, plus its own `permissions=[...]`.

Pure functions. As in SST, binding a construct grants the function full use of it (`s3:*` on a bucket and its
objects, `dynamodb:*` on a table, reading a parameter's or secret's SSM values); `permissions` entries are `"*"`,
a service (`"s3"` → `s3:*`), an action (`"s3:GetObject"`), a construct (the same grant binding it gives; for an
`Api`, which binding grants nothing, `execute-api:Invoke` on all its routes, as SST's; binding a `WebSocketApi` grants
`execute-api:ManageConnections` on its connections), or a statement
`{"actions": [...], "resources": [...], "effect": "Allow" | "Deny"}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase

from devserver.app.binding import ssm_fallback_path, ssm_path
from devserver.app.model import AppSpec, FunctionSpec, PermissionSpec
from devserver.app.naming import ACCOUNT_ID, api_id_for, connections_arn, execute_api_arn, websocket_api_id

__all__ = [
    "PermissionEntryError",
    "api_invoke_grant",
    "construct_grants",
    "function_policy",
    "missing_permission_hint",
    "permission_from_entry",
]

POLICY_VERSION = "2012-10-17"


class PermissionEntryError(ValueError):
    """A `permissions` entry sst-dev cannot read; the message names it and the forms it can take."""


def _parameter_arn(region: str, name: str) -> str:
    return f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/{name.lstrip('/')}"


QUEUE_ACTIONS = (
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
)
"""What binding a `Queue` grants: sending, receiving and deleting its messages (the batch calls authorize as these)."""


def construct_grants(
    construct_type: str, construct_id: str, exposed: Mapping[str, str], *, app: str, stage: str, region: str
) -> tuple[PermissionSpec, ...]:
    """What binding (or listing in `permissions`) one construct grants, as SST's `bind` does."""
    if construct_type == "Bucket":
        arn = f"arn:aws:s3:::{exposed['bucketName']}"
        return (PermissionSpec(("s3:*",), (arn, f"{arn}/*")),)
    if construct_type == "Table":
        arn = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{exposed['tableName']}"
        return (PermissionSpec(("dynamodb:*",), (arn, f"{arn}/*")),)
    if construct_type == "Queue":
        arn = f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{exposed['queueUrl'].rsplit('/', 1)[-1]}"
        return (PermissionSpec(QUEUE_ACTIONS, (arn,)),)
    if construct_type == "Topic":
        return (PermissionSpec(("sns:Publish",), (exposed["topicArn"],)),)
    if construct_type == "EventBus":
        arn = f"arn:aws:events:{region}:{ACCOUNT_ID}:event-bus/{exposed['eventBusName']}"
        return (PermissionSpec(("events:PutEvents",), (arn,)),)
    if construct_type == "Function":
        arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{exposed['functionName']}"
        return (PermissionSpec(("lambda:InvokeFunction",), (arn,)),)
    if construct_type in ("Parameter", "Secret"):
        paths = [ssm_path(app, stage, construct_type, construct_id, "value")]
        if construct_type == "Secret":
            paths.append(ssm_fallback_path(app, construct_type, construct_id, "value"))
        read = PermissionSpec(
            ("ssm:GetParameter", "ssm:GetParameters"), tuple(_parameter_arn(region, p) for p in paths)
        )
        # SecureString values are decrypted with the account's KMS key when read.
        return (read, PermissionSpec(("kms:Decrypt",))) if construct_type == "Secret" else (read,)
    if construct_type == "WebSocketApi":  # replying to and closing its connections, as SST's binding grants
        grant = connections_arn(region, websocket_api_id(app, stage, construct_id), stage)
        return (PermissionSpec(("execute-api:ManageConnections",), (grant,)),)
    return ()  # an Api's URL needs no AWS permission


def api_invoke_grant(*, app: str, stage: str, region: str, api_id: str) -> PermissionSpec:
    """What listing an `Api` in `permissions` grants: calling any of its routes, which an `iam` authorizer checks."""
    return PermissionSpec(("execute-api:Invoke",), (execute_api_arn(region, api_id_for(app, stage, api_id)),))


def permission_from_entry(entry: object, where: str) -> PermissionSpec:
    """A `permissions` entry that is not a construct: `"*"`, `"s3"`, `"s3:GetObject"` or a statement dict."""
    if isinstance(entry, str) and entry:
        return PermissionSpec((entry if entry == "*" or ":" in entry else f"{entry}:*",))
    if isinstance(entry, Mapping) and set(entry) <= {"actions", "resources", "effect"} and "actions" in entry:
        actions, resources = entry["actions"], entry.get("resources", ["*"])
        effect = str(entry.get("effect", "Allow")).capitalize()
        if (
            isinstance(actions, list | tuple)
            and all(isinstance(a, str) for a in actions)
            and isinstance(resources, list | tuple)
            and all(isinstance(r, str) for r in resources)
            and effect in ("Allow", "Deny")
        ):
            return PermissionSpec(tuple(actions), tuple(resources), effect)
    raise PermissionEntryError(
        f'{where}: permission {entry!r} must be "*", a service ("s3"), an action ("s3:GetObject"), a construct, '
        'or {"actions": [...], "resources": [...], "effect": "Allow"}'
    )


def function_policy(app: AppSpec, function: FunctionSpec) -> dict[str, object]:
    """The identity policy of `function`'s local credentials: its bindings' grants and its own permissions."""
    statements: list[dict[str, object]] = []
    for target in function.bind:
        construct_type, _, construct_id = target.partition(".")
        exposed = app.resources.get(construct_type, {}).get(construct_id, {})
        for grant in construct_grants(
            construct_type, construct_id, exposed, app=app.name, stage=app.stage, region=app.region
        ):
            statements.append(grant.to_statement())
    statements.extend(permission.to_statement() for permission in function.permissions)
    return {"Version": POLICY_VERSION, "Statement": statements}


_DENIED = re.compile(r"is not authorized to perform: (\S+) on resource: (\S+)")


def _construct_of(app: AppSpec, resource: str) -> str | None:
    """`Bucket.myFiles` for an ARN that binding that construct would have granted; likewise tables, secrets, ..."""
    for construct_type, ids in app.resources.items():
        for construct_id, exposed in ids.items():
            grants = construct_grants(
                construct_type, construct_id, exposed, app=app.name, stage=app.stage, region=app.region
            )
            if any(fnmatchcase(resource, arn) for grant in grants for arn in grant.resources if arn != "*"):
                return f"{construct_type}.{construct_id}"
    return None


def missing_permission_hint(app: AppSpec, function: FunctionSpec, error_text: str) -> str | None:
    """One line saying which binding a function lacks, from the AccessDenied message its AWS call got."""
    found = _DENIED.search(error_text)
    if found is None:
        return None
    action, resource = found.groups()
    construct = _construct_of(app, resource)
    if construct is None:
        return f"{function.name} may not {action} on {resource}: add it to the function's permissions=[...]"
    return f"{function.name} may not {action} on {resource}: bind {construct} to it (bind=[...])"
