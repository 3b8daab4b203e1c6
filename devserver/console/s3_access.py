"""The Console's S3 calls: boto3 against the emulator with the account's full-access credentials.

How it works: every write goes through the emulator's S3 endpoint, exactly like a handler's or the AWS CLI's, so
uploads, folder creations and deletes made in the Console fire the bucket's notifications like any other write.
The calls are blocking boto3 calls: the routers run them with `asyncio.to_thread`, never on the server's event
loop. One client (boto3 clients are thread-safe) is made on first use, after the emulator is ready.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from devserver.console.browse import MAX_PAGE_SIZE, check_expiry, check_key, check_prefix, listing_page
from devserver.console.errors import ConsoleError, from_client_error

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["BucketAccess", "ObjectBody"]

_HEAD_CONCURRENCY = 8
_CHUNK = 64 * 1024
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class ObjectBody:
    """An object being read: its headers and its bytes in chunks (the stream closes when iteration ends)."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.content_type = str(answer.get("ContentType") or "application/octet-stream")
        self.content_length = int(answer.get("ContentLength", 0))
        self.content_range: str | None = answer.get("ContentRange")
        self._body = answer["Body"]

    def chunks(self) -> Iterator[bytes]:
        try:
            yield from self._body.iter_chunks(_CHUNK)
        finally:
            self._body.close()


class BucketAccess:
    """The app's buckets, addressed by construct id (`myFiles`), through the emulator."""

    def __init__(self, server: ConsoleHost) -> None:
        self._server = server
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def s3(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._server.aws.client("s3")
            return self._client

    def bucket_name(self, bucket_id: str) -> str:
        """The S3 name of the app's bucket `bucket_id`; `NoSuchBucket` for an id the app does not declare."""
        for bucket in self._server.app.buckets:
            if bucket.id == bucket_id:
                return bucket.name
        raise ConsoleError(404, "NoSuchBucket", "the app has no bucket with this id", bucket_id)

    def list_folder(self, bucket_id: str, prefix: str, token: str | None, max_keys: int) -> dict[str, object]:
        """One page of the folder `prefix`: its sub-folders and objects (with their content types)."""
        name = self.bucket_name(bucket_id)
        arguments: dict[str, Any] = {
            "Bucket": name,
            "Prefix": check_prefix(prefix),
            "Delimiter": "/",
            "MaxKeys": max(1, min(max_keys, MAX_PAGE_SIZE)),
        }
        if token:
            arguments["ContinuationToken"] = token
        page = self._call(bucket_id, self.s3.list_objects_v2, **arguments)
        keys = [str(entry["Key"]) for entry in page.get("Contents", []) if entry["Key"] != prefix]
        return listing_page(bucket_id, prefix, page, self._content_types(name, keys))

    def _content_types(self, bucket: str, keys: list[str]) -> dict[str, str]:
        # ListObjectsV2 does not return Content-Type; HeadObject does.
        def head(key: str) -> tuple[str, str]:
            try:
                return key, str(self.s3.head_object(Bucket=bucket, Key=key).get("ContentType", ""))
            except ClientError:  # deleted between the listing and the HEAD
                return key, ""

        with ThreadPoolExecutor(_HEAD_CONCURRENCY) as pool:
            return dict(pool.map(head, keys))

    def get(self, bucket_id: str, key: str, byte_range: str | None = None) -> ObjectBody:
        arguments: dict[str, Any] = {"Bucket": self.bucket_name(bucket_id), "Key": check_key(key)}
        if byte_range:
            arguments["Range"] = byte_range
        return ObjectBody(self._call(key, self.s3.get_object, **arguments))

    def put(self, bucket_id: str, key: str, body: bytes, content_type: str) -> dict[str, object]:
        name = self.bucket_name(bucket_id)
        answer = self._call(
            key, self.s3.put_object, Bucket=name, Key=check_key(key), Body=body, ContentType=content_type
        )
        return {"key": key, "size": len(body), "eTag": answer.get("ETag")}

    def create_multipart_upload(self, bucket_id: str, key: str, content_type: str) -> str:
        name = self.bucket_name(bucket_id)
        answer = self._call(
            key, self.s3.create_multipart_upload, Bucket=name, Key=check_key(key), ContentType=content_type
        )
        return str(answer["UploadId"])

    def upload_part(self, bucket_id: str, key: str, upload_id: str, number: int, body: bytes) -> str:
        if not 1 <= number <= 10_000:  # S3's part numbers
            raise ConsoleError(400, "InvalidPartNumber", "part numbers run from 1 to 10000", str(number))
        answer = self._call(
            key,
            self.s3.upload_part,
            Bucket=self.bucket_name(bucket_id),
            Key=check_key(key),
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
        )
        return str(answer["ETag"])

    def complete_multipart_upload(
        self, bucket_id: str, key: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> dict[str, object]:
        answer = self._call(
            key,
            self.s3.complete_multipart_upload,
            Bucket=self.bucket_name(bucket_id),
            Key=check_key(key),
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": number, "ETag": etag} for number, etag in sorted(parts)]},
        )
        return {"key": key, "eTag": answer.get("ETag")}

    def abort_multipart_upload(self, bucket_id: str, key: str, upload_id: str) -> None:
        self._call(
            key,
            self.s3.abort_multipart_upload,
            Bucket=self.bucket_name(bucket_id),
            Key=check_key(key),
            UploadId=upload_id,
        )

    def delete(self, bucket_id: str, keys: list[str], prefixes: list[str]) -> int:
        """Delete `keys` and every object under each of `prefixes` (whole folders); returns how many were deleted."""
        name = self.bucket_name(bucket_id)
        doomed = [check_key(key) for key in keys]
        for prefix in prefixes:
            if not prefix.endswith("/"):
                raise ConsoleError(400, "InvalidPrefix", "a folder to delete ends with '/'", prefix)
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=prefix):
                doomed.extend(str(entry["Key"]) for entry in page.get("Contents", []))
        for start in range(0, len(doomed), _DELETE_BATCH):
            batch = doomed[start : start + _DELETE_BATCH]
            self._call(name, self.s3.delete_objects, Bucket=name, Delete={"Objects": [{"Key": k} for k in batch]})
        return len(doomed)

    def presign_get(self, bucket_id: str, key: str, expires_in: int) -> str:
        """A SigV4 presigned GET for the object, valid `expires_in` seconds, as a handler would generate it."""
        self.head(bucket_id, key)
        url: str = self.s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket_name(bucket_id), "Key": check_key(key)},
            ExpiresIn=check_expiry(expires_in),
        )
        return url

    def head(self, bucket_id: str, key: str) -> dict[str, Any]:
        answer: dict[str, Any] = self._call(key, self.s3.head_object, Bucket=self.bucket_name(bucket_id), Key=key)
        return answer

    @staticmethod
    def _call(value: str, operation: Any, **arguments: Any) -> Any:
        try:
            return operation(**arguments)
        except ClientError as error:
            raise from_client_error(error, value) from None
