"""What S3 lets an anonymous request (no signature of any kind) do: its ACL grants to everyone and its bucket policy.

S3 serves an unsigned request when the public is allowed the action it needs: by the ``AllUsers`` group's grants in
the bucket's ACL (READ lists, WRITE puts and deletes objects, READ_ACP/WRITE_ACP read and write the bucket's ACL) or
the object's (READ gets it, READ_ACP/WRITE_ACP its ACL), or by a bucket policy statement whose Principal is ``*``;
an explicit Deny in the policy wins over both. Buckets are private unless their owner made them otherwise, so with no
such grant the answer is 403 AccessDenied. S3 also hides what the public may not see:
- a bucket that does not exist is 404 NoSuchBucket for anyone (creating one anonymously is 403 AccessDenied);
- a missing object is 404 NoSuchKey only to someone allowed to list the bucket (``s3:ListBucket``); to anyone else
  it is 403 AccessDenied, whatever they may read, so absence cannot be probed.
What the emulator's state says about a bucket reaches this module as `PublicGrants` (see
`emulator.middleware.S3Lookups.lookup_public_grants`), with Block Public Access and disabled ACLs already applied.
Policy conditions are not evaluated, as in `emulator.iam.policy`: a conditional Allow grants nothing, a conditional
Deny applies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from emulator.iam.actions import RequiredPermission, bucket_arn, s3_permissions
from emulator.iam.policy import Decision, PolicyStatement, evaluate, statements_of
from emulator.s3.errors import S3Error

__all__ = ["PRIVATE", "PublicGrants", "check_anonymous_request"]

_EVERYONE = "*"
_FULL_CONTROL = "FULL_CONTROL"

# What each ACL permission allows, on a bucket and on an object (S3's mapping of ACL grants to actions).
_BUCKET_ACL_ACTIONS = {
    "READ": frozenset({"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"}),
    # WRITE also lets the writer list and abort the parts of its multipart uploads.
    "WRITE": frozenset(
        {
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        }
    ),
    "READ_ACP": frozenset({"s3:GetBucketAcl"}),
    "WRITE_ACP": frozenset({"s3:PutBucketAcl"}),
}
_OBJECT_ACL_ACTIONS = {
    "READ": frozenset({"s3:GetObject", "s3:GetObjectVersion"}),
    "READ_ACP": frozenset({"s3:GetObjectAcl"}),
    "WRITE_ACP": frozenset({"s3:PutObjectAcl"}),
}
_OBJECT_ACTIONS = frozenset().union(*_OBJECT_ACL_ACTIONS.values())


@dataclass(frozen=True)
class PublicGrants:
    """What a bucket and the addressed object grant everyone.

    `bucket_acl` and `object_acl` hold the permissions (READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL) the ACLs give
    the ``AllUsers`` group; `object_acl` is None when the request names no object or it does not exist. `policy` is
    the bucket policy's JSON, or None.
    """

    bucket_acl: frozenset[str] = frozenset()
    object_acl: frozenset[str] | None = None
    policy: str | None = None


PRIVATE = PublicGrants()
"""A bucket granting the public nothing, and no object addressed (or none there)."""


def check_anonymous_request(
    grants: PublicGrants | None,
    *,
    method: str,
    bucket: str,
    key: str | None,
    query: Mapping[str, str],
    headers: Mapping[str, str],
) -> None:
    """Raise S3's error for an unsigned request the public may not make; return when it may go on to be served.

    `grants` is None when the bucket does not exist. `query` and `headers` are single-valued, header names
    lower-case.
    """
    if grants is None:
        if method == "PUT" and key is None and not query:
            raise S3Error("AccessDenied", "Access Denied")  # CreateBucket
        raise S3Error("NoSuchBucket", "The specified bucket does not exist", status=404, details={"BucketName": bucket})
    policy = _public_statements(grants.policy)
    addressed = (f"{bucket_arn(bucket)}/{key}",)
    for needed in s3_permissions(method, bucket, key, query, headers):
        acl, acl_actions = grants.bucket_acl, _BUCKET_ACL_ACTIONS
        if needed.action in _OBJECT_ACTIONS:
            if needed.resources != addressed:
                acl = frozenset()  # another object (a copy's source): only the policy can open it
            elif grants.object_acl is None:
                # Reading a missing object: only a caller who may list the bucket (and is not denied the read)
                # learns that it is missing.
                if evaluate(policy, needed.action, needed.resources) == "explicit_deny":
                    raise S3Error("AccessDenied", "Access Denied")
                needed = RequiredPermission("s3:ListBucket", (bucket_arn(bucket),))
            else:
                acl, acl_actions = grants.object_acl, _OBJECT_ACL_ACTIONS
        if not _allowed(needed, acl, acl_actions, policy):
            raise S3Error("AccessDenied", "Access Denied")


def _allowed(
    needed: RequiredPermission,
    acl: frozenset[str],
    acl_actions: Mapping[str, frozenset[str]],
    policy: tuple[PolicyStatement, ...],
) -> bool:
    decision: Decision = evaluate(policy, needed.action, needed.resources)
    if decision != "implicit_deny":
        return decision == "allow"
    return any(
        needed.action in actions and (permission in acl or _FULL_CONTROL in acl)
        for permission, actions in acl_actions.items()
    )


@lru_cache(maxsize=64)
def _public_statements(policy: str | None) -> tuple[PolicyStatement, ...]:
    """The statements of a bucket policy that name everyone as their Principal; none for no or an unreadable policy."""
    if policy is None:
        return ()
    try:
        document = json.loads(policy)
        raw = document.get("Statement", [])
        items = [raw] if isinstance(raw, Mapping) else list(raw)
        public = [item for item in items if isinstance(item, Mapping) and _names_everyone(item.get("Principal"))]
        return tuple(statements_of({"Statement": public}))
    except (ValueError, TypeError, AttributeError):
        return ()  # checked when put (`emulator.s3.bucket_policy`), but one from an older state folder may not be


def _names_everyone(principal: object) -> bool:
    if principal == _EVERYONE:
        return True
    if isinstance(principal, Mapping):
        named = principal.get("AWS")
        return named == _EVERYONE or (isinstance(named, list) and _EVERYONE in named)
    return False
