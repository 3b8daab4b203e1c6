"""Bucket and object ACLs as S3 applies them to the public: what moto's state grants everyone, and private new objects.

- `public_grants(bucket, key, version_id)` answers `S3Lookups.lookup_public_grants` for the request guard
  (`emulator.s3.public_access`): the ``AllUsers`` grants of the bucket's ACL and of the addressed object version's,
  and the bucket policy. As on S3, a bucket's Block Public Access settings apply first (``IgnorePublicAcls`` drops
  the ACL grants, ``RestrictPublicBuckets`` the policy), and so does ``BucketOwnerEnforced`` object ownership
  (ACLs disabled). It reads moto's in-memory objects only, so it may run on the event loop.
- `install()` changes two things in moto, once per process:
  - moto gives an object written without an ACL (PutObject, CopyObject, CreateMultipartUpload, PutObjectAcl without
    one) its bucket's ACL; S3 makes it private — an object in a public-read bucket is not public unless its own ACL
    says so. moto hands the bucket's very ACL object to `FakeKey.set_acl` then, which is how it is told apart from an
    ACL the request gave;
  - moto refuses an unsigned request for an object whose own ACL is not public-read with an empty 403, whatever the
    request — a delete or an overwrite in a public-read-write bucket too, which S3 allows by the bucket's WRITE. The
    request guard has decided every unsigned request as S3 does before moto sees it, so that check is turned off:
    `FakeAcl.public_read`, which moto reads for that check alone, says yes.
"""

from __future__ import annotations

from moto.s3.models import ALL_USERS_GRANTEE, FakeAcl, FakeBucket, FakeKey, get_canned_acl

from emulator.moto.app import find_bucket
from emulator.s3.public_access import PublicGrants

__all__ = ["install", "public_grants"]

_ACLS_DISABLED = "BucketOwnerEnforced"


def public_grants(bucket_name: str, key: str | None, version_id: str | None) -> PublicGrants | None:
    """What the bucket and the addressed object version grant everyone; None when there is no such bucket."""
    bucket = find_bucket(bucket_name)
    if bucket is None:
        return None
    block = bucket.public_access_block
    acls_apply = bucket.ownership_rule != _ACLS_DISABLED and not (block is not None and block.ignore_public_acls)
    policy = bucket.policy if not (block is not None and block.restrict_public_buckets) else None
    version = None if key is None else _version(bucket, key, version_id)
    return PublicGrants(
        bucket_acl=_everyone(bucket.acl) if acls_apply else frozenset(),
        object_acl=None if version is None else (_everyone(version.acl) if acls_apply else frozenset()),
        policy=policy.decode("utf-8", "replace") if isinstance(policy, bytes) else policy or None,
    )


def _version(bucket: FakeBucket, key: str, version_id: str | None) -> FakeKey | None:
    """The object version a read of `key` would get (a delete marker is none)."""
    if version_id is None:
        found = bucket.keys.get(key)
    else:
        found = next((v for v in bucket.keys.getlist(key, []) if str(v.version_id) == version_id), None)
    return found if isinstance(found, FakeKey) else None


def _everyone(acl: FakeAcl | None) -> frozenset[str]:
    if acl is None:
        return frozenset()
    return frozenset(
        permission
        for grant in acl.grants
        if any(grantee.uri == ALL_USERS_GRANTEE.uri for grantee in grant.grantees)
        for permission in grant.permissions
    )


def install() -> None:
    """Make objects written without an ACL private and leave unsigned requests to the guard (see the module
    docstring); once per process."""
    if getattr(FakeKey.set_acl, "__sst_dev_private__", False):
        raise RuntimeError("moto's ACLs are already adjusted in this process")
    original = FakeKey.set_acl

    def set_acl(key: FakeKey, acl: FakeAcl | None) -> None:
        bucket = None if key.bucket_name is None else find_bucket(key.bucket_name)
        if acl is not None and bucket is not None and acl is bucket.acl:
            acl = get_canned_acl("private")
        original(key, acl)

    set_acl.__sst_dev_private__ = True  # type: ignore[attr-defined]
    FakeKey.set_acl = set_acl  # type: ignore[method-assign,assignment]
    FakeAcl.public_read = property(lambda acl: True)  # type: ignore[method-assign,assignment]
