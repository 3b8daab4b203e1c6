"""Names derived from an app: Lambda function names, bucket names, API ids and ARNs (as SST and AWS name them).

Pure functions. The names of binding variables and SSM paths are in `devserver.app.binding`. `ACCOUNT_ID` is the
emulator's (`emulator.account`), re-exported for the dev server.
"""

from __future__ import annotations

import re

from emulator.account import ACCOUNT_ID

_BUCKET_NAME = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_NOT_BUCKET_CHARS = re.compile(r"[^a-z0-9-]+")
_NOT_FUNCTION_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
_FUNCTION_NAME_MAX = 64
_RESOURCE_NAME_MAX = 80


def _sha256_hex(text: str) -> str:
    # hashlib is imported here, not with the module: it loads OpenSSL (~3.7 MB resident), and every function worker
    # imports this module for `ACCOUNT_ID` alone.
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _short_hash(*parts: str) -> str:
    return _sha256_hex("\0".join(parts))[:8]


def is_valid_bucket_name(name: str) -> bool:
    """S3's general-purpose bucket naming rules: 3–63 chars of a-z 0-9 . -, alphanumeric at both ends."""
    return bool(_BUCKET_NAME.match(name)) and not _IP_ADDRESS.match(name)


def bucket_name(stage: str, app: str, construct_id: str) -> str:
    """A deterministic, S3-valid bucket name for a `Bucket` without `name=`.

    The readable part is lower-cased (S3 forbids capitals); the hash of the exact stage, app and id keeps
    `myFiles` and `myfiles` apart and makes the name unique per stage, as CDK's generated names are.
    """
    suffix = _short_hash(stage, app, construct_id)
    readable = _NOT_BUCKET_CHARS.sub("-", f"{stage}-{app}-{construct_id}".lower()).strip("-")
    readable = readable[: 63 - len(suffix) - 1].rstrip("-")
    return f"{readable}-{suffix}" if readable else f"bucket-{suffix}"


def function_name(stage: str, app: str, *path: str) -> str:
    """A Lambda function name (64 chars of A-Z a-z 0-9 _ -) for a construct path such as ("api", "GET /files")."""
    return _resource_name(_FUNCTION_NAME_MAX, stage, app, *path)


def resource_name(stage: str, app: str, construct_id: str) -> str:
    """The name of a queue, topic, event bus or table: `{stage}-{app}-{id}`, as a CDK app's would read, within the
    80 characters of A-Z a-z 0-9 _ - that SQS, SNS and EventBridge all accept."""
    return _resource_name(_RESOURCE_NAME_MAX, stage, app, construct_id)


def _resource_name(limit: int, *parts: str) -> str:
    raw = "-".join(parts)
    name = _NOT_FUNCTION_CHARS.sub("_", raw).strip("_")
    if len(name) <= limit:
        return name
    suffix = _short_hash(raw)
    return f"{name[: limit - len(suffix) - 1]}-{suffix}"


def queue_url(region: str, name: str, account: str = ACCOUNT_ID) -> str:
    """The queue's URL as SQS gives it. SDKs send to their endpoint (`AWS_ENDPOINT_URL` locally) and pass the URL
    along, so the AWS form works against the emulator too and stays the same across restarts."""
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def queue_arn(region: str, name: str, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def topic_arn(region: str, name: str, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def event_bus_arn(region: str, name: str, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def table_arn(region: str, name: str) -> str:
    return f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"


def api_id_for(app: str, stage: str, api_id: str) -> str:
    """A stable 10-character API id, shaped like API Gateway's (`a1b2c3d4e5`)."""
    return _sha256_hex(f"{app}/{stage}/{api_id}")[:10]


def execute_api_arn(region: str, gateway_id: str, method: str = "*", path: str = "*") -> str:
    """The ARN IAM checks `execute-api:Invoke` on: `arn:aws:execute-api:<region>:<account>:<api id>/$default/GET/pets`
    for a request, `.../<api id>/*` (with the defaults, any stage, method and path) for a grant."""
    if method == "*" and path == "*":
        return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{gateway_id}/*"
    return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{gateway_id}/$default/{method}/{path.lstrip('/')}"


WEBSOCKET_LISTENER_PREFIX = "WebSocketApi."
"""The dev server names a `WebSocketApi`'s listener `WebSocketApi.<id>`, apart from the Apis' listeners (their ids)."""


def websocket_listener(api_id: str) -> str:
    return WEBSOCKET_LISTENER_PREFIX + api_id


def websocket_api_id(app: str, stage: str, api_id: str) -> str:
    """The `apiId` of a `WebSocketApi`: stable like an `Api`'s, never equal to the id of an `Api` of the same name."""
    return api_id_for(app, stage, websocket_listener(api_id))


def websocket_url(listener_url: str, stage: str) -> str:
    """`ws://127.0.0.1:3001/<stage>` for the listener at `http://127.0.0.1:3001`: as on AWS
    (`wss://<api id>.execute-api.<region>.amazonaws.com/<stage>`), the stage is the URL's path."""
    return "ws" + listener_url.removeprefix("http") + "/" + stage


def connections_arn(region: str, gateway_id: str, stage: str, method: str = "*", connection_id: str = "*") -> str:
    """The ARN IAM checks `execute-api:ManageConnections` on: `.../<api id>/<stage>/POST/@connections/<id>` for one
    call of the management API, `.../<api id>/<stage>/*/@connections/*` (the defaults) for a grant."""
    return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{gateway_id}/{stage}/{method}/@connections/{connection_id}"
