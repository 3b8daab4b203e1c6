"""Which IAM action and resources an AWS request needs, as AWS authorises it: S3 (REST), SSM, DynamoDB, SQS and
EventBridge (JSON), SNS (query).

Pure functions. S3 follows the documented mapping of operations to actions (HeadBucket needs `s3:ListBucket`,
CreateMultipartUpload and UploadPart need `s3:PutObject`, a copy needs `s3:GetObject` on its source, ...). For the
JSON services the action is the operation named in `X-Amz-Target` (for query services, the `Action` parameter) and
the resources come from the request body; batch calls authorise as their single form (SendMessageBatch needs
`sqs:SendMessage`, PublishBatch `sns:Publish`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = [
    "RequiredPermission",
    "dynamodb_permissions",
    "events_permissions",
    "s3_permissions",
    "sns_permissions",
    "sqs_permissions",
    "ssm_permissions",
]


@dataclass(frozen=True)
class RequiredPermission:
    action: str
    resources: tuple[str, ...]


_BUCKET_SUBRESOURCES = {
    # query parameter: (GET, PUT, DELETE) action suffixes
    "cors": ("GetBucketCORS", "PutBucketCORS", "PutBucketCORS"),
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", None),
    "notification": ("GetBucketNotification", "PutBucketNotification", None),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "PutBucketTagging"),
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "acl": ("GetBucketAcl", "PutBucketAcl", None),
    "location": ("GetBucketLocation", None, None),
    "uploads": ("ListBucketMultipartUploads", None, None),
    "versions": ("ListBucketVersions", None, None),
    "lifecycle": ("GetLifecycleConfiguration", "PutLifecycleConfiguration", "PutLifecycleConfiguration"),
}
_OBJECT_SUBRESOURCES = {
    "tagging": ("GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging"),
    "acl": ("GetObjectAcl", "PutObjectAcl", None),
}
_METHOD_INDEX = {"GET": 0, "HEAD": 0, "PUT": 1, "DELETE": 2}


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def s3_permissions(
    method: str, bucket: str | None, key: str | None, query: Mapping[str, str], headers: Mapping[str, str]
) -> list[RequiredPermission]:
    """What an S3 request needs. `query` and `headers` are single-valued, header names lower-case."""
    if not bucket:
        return [RequiredPermission("s3:ListAllMyBuckets", ("*",))]
    if not key:
        return [_bucket_permission(method, bucket, query)]
    arn = f"{bucket_arn(bucket)}/{key}"
    subresource = next((name for name in _OBJECT_SUBRESOURCES if name in query), None)
    if subresource is not None and method in _METHOD_INDEX:
        action = _OBJECT_SUBRESOURCES[subresource][_METHOD_INDEX[method]]
        if action is not None:
            return [RequiredPermission(f"s3:{action}", (arn,))]
    versioned = "versionId" in query
    if method in ("GET", "HEAD"):
        if "uploadId" in query:
            return [RequiredPermission("s3:ListMultipartUploadParts", (arn,))]
        return [RequiredPermission("s3:GetObjectVersion" if versioned else "s3:GetObject", (arn,))]
    if method == "DELETE":
        if "uploadId" in query:
            return [RequiredPermission("s3:AbortMultipartUpload", (arn,))]
        return [RequiredPermission("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject", (arn,))]
    needed = [RequiredPermission("s3:PutObject", (arn,))]  # PUT, UploadPart, Create/CompleteMultipartUpload
    source = headers.get("x-amz-copy-source")
    if method == "PUT" and source:
        source_path = unquote(source.split("?", 1)[0]).lstrip("/")
        needed.append(RequiredPermission("s3:GetObject", (f"arn:aws:s3:::{source_path}",)))
    return needed


def _bucket_permission(method: str, bucket: str, query: Mapping[str, str]) -> RequiredPermission:
    arn = bucket_arn(bucket)
    if method == "POST":
        # DeleteObjects (`?delete`) needs s3:DeleteObject on each key; a form POST upload, s3:PutObject on its key.
        return RequiredPermission("s3:DeleteObject" if "delete" in query else "s3:PutObject", (f"{arn}/*",))
    subresource = next((name for name in _BUCKET_SUBRESOURCES if name in query), None)
    if subresource is not None and method in _METHOD_INDEX:
        action = _BUCKET_SUBRESOURCES[subresource][_METHOD_INDEX[method]]
        if action is not None:
            return RequiredPermission(f"s3:{action}", (arn,))
    action = {"PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, "ListBucket")
    return RequiredPermission(f"s3:{action}", (arn,))


def _parameter_arn(region: str, account: str, name: str) -> str:
    # A parameter's ARN drops the name's leading slash: /sst/app → ...:parameter/sst/app.
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def ssm_permissions(operation: str, body: Mapping[str, object], *, region: str, account: str) -> RequiredPermission:
    """What an SSM call (`X-Amz-Target: AmazonSSM.<operation>`) needs."""
    names: list[str] = []
    for field in ("Name", "Path"):
        if isinstance(body.get(field), str):
            names.append(str(body[field]))
    listed = body.get("Names")
    if isinstance(listed, list):
        names.extend(str(name) for name in listed)
    resources = tuple(_parameter_arn(region, account, name) for name in names) or ("*",)
    return RequiredPermission(f"ssm:{operation}", resources)


def dynamodb_permissions(
    operation: str, body: Mapping[str, object], *, region: str, account: str
) -> RequiredPermission:
    """What a DynamoDB call (`X-Amz-Target: DynamoDB_20120810.<operation>`) needs."""
    tables: list[str] = []
    if isinstance(body.get("TableName"), str):
        tables.append(str(body["TableName"]))
    batch = body.get("RequestItems")
    if isinstance(batch, Mapping):
        tables.extend(str(name) for name in batch)
    resources = tuple(f"arn:aws:dynamodb:{region}:{account}:table/{table}" for table in tables) or ("*",)
    return RequiredPermission(f"dynamodb:{operation}", resources)


_BATCH_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    "PublishBatch": "Publish",
}


def sqs_permissions(operation: str, body: Mapping[str, object], *, region: str, account: str) -> RequiredPermission:
    """What an SQS call (`AmazonSQS.<operation>`, or the query API's `Action`) needs: the queue named by its URL
    (the name is the URL's last segment) or by `QueueName`."""
    url = body.get("QueueUrl")
    name = str(url).rstrip("/").rsplit("/", 1)[-1] if isinstance(url, str) else body.get("QueueName")
    resources = (f"arn:aws:sqs:{region}:{account}:{name}",) if isinstance(name, str) and name else ("*",)
    return RequiredPermission(f"sqs:{_BATCH_ACTIONS.get(operation, operation)}", resources)


def sns_permissions(operation: str, body: Mapping[str, object], *, region: str, account: str) -> RequiredPermission:
    """What an SNS call (query API: `Action=Publish&TopicArn=...`) needs: the topic (or target) it names."""
    arn = body.get("TopicArn") or body.get("TargetArn")
    if not isinstance(arn, str) and isinstance(body.get("Name"), str):  # CreateTopic
        arn = f"arn:aws:sns:{region}:{account}:{body['Name']}"
    return RequiredPermission(
        f"sns:{_BATCH_ACTIONS.get(operation, operation)}", (arn,) if isinstance(arn, str) else ("*",)
    )


def events_permissions(operation: str, body: Mapping[str, object], *, region: str, account: str) -> RequiredPermission:
    """What an EventBridge call (`AWSEvents.<operation>`) needs: for PutEvents, every bus its entries name (an entry
    without `EventBusName` goes to the `default` bus)."""
    buses: list[str] = []
    entries = body.get("Entries")
    if operation == "PutEvents" and isinstance(entries, list):
        buses = [str(entry.get("EventBusName") or "default") for entry in entries if isinstance(entry, Mapping)]
    elif isinstance(body.get("EventBusName"), str):
        buses = [str(body["EventBusName"])]
    resources = tuple(
        dict.fromkeys(
            bus if bus.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{bus}" for bus in buses
        )
    )
    return RequiredPermission(f"events:{operation}", resources or ("*",))
