"""S3 data survives an emulator restart on the same state folder: buckets, bytes, metadata, ETags, versions, deletes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from emulator.process import EmulatorProcess, EmulatorStartError
from tests.integration.emulator_support import Restartable

MIB = 1024 * 1024
HOSTILE_KEYS = [
    "../../../escaped.txt",
    "/absolute/path.txt",
    "a/../../b.txt",
    "..\\..\\windows\\system32",
    ".",
    "..",
    "./././.",
    "a//b",
    "ключ/数据/🙂 space+plus%percent",
    "k" * 1024,
    "trailing/",
]


def test_objects_come_back_with_bytes_metadata_and_etag(restartable: Restartable) -> None:
    s3 = restartable.start().client("s3")
    s3.create_bucket(Bucket="files")
    put = s3.put_object(
        Bucket="files",
        Key="docs/readme.txt",
        Body=b"hello",
        ContentType="text/plain; charset=utf-8",
        CacheControl="max-age=60",
        ContentDisposition="attachment",
        Metadata={"owner": "ada"},
        Tagging="kind=doc",
    )
    s3.put_object(Bucket="files", Key="large.bin", Body=os.urandom(6 * MIB))
    large_etag = s3.head_object(Bucket="files", Key="large.bin")["ETag"]

    s3 = restartable.start().client("s3")

    got = s3.get_object(Bucket="files", Key="docs/readme.txt")
    assert got["Body"].read() == b"hello" and got["ETag"] == put["ETag"]
    assert got["ContentType"] == "text/plain; charset=utf-8" and got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == "attachment" and got["Metadata"] == {"owner": "ada"}
    assert s3.get_object_tagging(Bucket="files", Key="docs/readme.txt")["TagSet"] == [{"Key": "kind", "Value": "doc"}]
    assert s3.head_object(Bucket="files", Key="large.bin")["ETag"] == large_etag
    assert s3.get_object(Bucket="files", Key="large.bin", Range="bytes=0-3")["ContentLength"] == 4


def test_buckets_come_back_with_their_cors_and_deleted_things_stay_deleted(restartable: Restartable) -> None:
    s3 = restartable.start().client("s3")
    rules = [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 30}]
    s3.create_bucket(Bucket="kept")
    s3.put_bucket_cors(Bucket="kept", CORSConfiguration={"CORSRules": rules})
    s3.create_bucket(Bucket="dropped")
    s3.delete_bucket(Bucket="dropped")
    s3.put_object(Bucket="kept", Key="deleted", Body=b"x")
    s3.put_object(Bucket="kept", Key="batch-deleted", Body=b"x")
    s3.put_object(Bucket="kept", Key="overwritten", Body=b"old")
    s3.delete_object(Bucket="kept", Key="deleted")
    s3.delete_objects(Bucket="kept", Delete={"Objects": [{"Key": "batch-deleted"}]})
    s3.put_object(Bucket="kept", Key="overwritten", Body=b"new")

    s3 = restartable.start().client("s3")

    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["kept"]
    assert s3.get_bucket_cors(Bucket="kept")["CORSRules"] == rules
    assert [obj["Key"] for obj in s3.list_objects_v2(Bucket="kept")["Contents"]] == ["overwritten"]
    assert s3.get_object(Bucket="kept", Key="overwritten")["Body"].read() == b"new"


def test_versions_and_delete_markers_come_back_in_order(restartable: Restartable) -> None:
    s3 = restartable.start().client("s3")
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="versioned", Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket="versioned", Key="k", Body=b"two")["VersionId"]
    marker = s3.delete_object(Bucket="versioned", Key="k")["VersionId"]

    s3 = restartable.start().client("s3")

    listing = s3.list_object_versions(Bucket="versioned")
    assert {v["VersionId"] for v in listing["Versions"]} == {first, second}
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == [marker]
    assert s3.get_object(Bucket="versioned", Key="k", VersionId=first)["Body"].read() == b"one"
    assert s3.get_bucket_versioning(Bucket="versioned")["Status"] == "Enabled"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="versioned", Key="k")


def test_a_multipart_upload_comes_back_whole_with_its_etag(restartable: Restartable) -> None:
    s3 = restartable.start().client("s3")
    s3.create_bucket(Bucket="uploads")
    parts = [os.urandom(5 * MIB), os.urandom(MIB)]
    upload = s3.create_multipart_upload(Bucket="uploads", Key="joined")["UploadId"]
    etags = [
        s3.upload_part(Bucket="uploads", Key="joined", UploadId=upload, PartNumber=n, Body=part)["ETag"]
        for n, part in enumerate(parts, start=1)
    ]
    done = s3.complete_multipart_upload(
        Bucket="uploads",
        Key="joined",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, start=1)]},
    )

    s3 = restartable.start().client("s3")

    got = s3.get_object(Bucket="uploads", Key="joined")
    assert got["ETag"] == done["ETag"] and done["ETag"].endswith('-2"')
    assert got["Body"].read() == b"".join(parts)


def test_keys_that_look_like_paths_are_stored_as_data_inside_the_state_folder(
    restartable: Restartable, tmp_path: Path
) -> None:
    s3 = restartable.start().client("s3")
    s3.create_bucket(Bucket="keys")
    for key in HOSTILE_KEYS:
        s3.put_object(Bucket="keys", Key=key, Body=key.encode())

    s3 = restartable.start().client("s3")

    listed = [obj["Key"] for obj in s3.list_objects_v2(Bucket="keys")["Contents"]]
    assert sorted(listed) == sorted(HOSTILE_KEYS)
    for key in HOSTILE_KEYS:
        assert s3.get_object(Bucket="keys", Key=key)["Body"].read() == key.encode(), key
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written and all(path.is_relative_to(restartable.state_dir) for path in written)


def test_a_second_emulator_on_the_same_state_folder_is_refused(restartable: Restartable) -> None:
    restartable.start()

    with pytest.raises(EmulatorStartError) as raised:
        EmulatorProcess(state_dir=restartable.state_dir).start()

    assert raised.value.code == "Emulator.StateInUse" and str(restartable.state_dir) in str(raised.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any permission")
def test_a_state_folder_that_cannot_be_written_is_a_one_line_error(tmp_path: Path) -> None:
    locked = tmp_path / "readonly"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(EmulatorStartError) as raised:
            EmulatorProcess(state_dir=locked / "state").start()
    finally:
        locked.chmod(stat.S_IRWXU)

    assert raised.value.code == "Emulator.StateNotWritable" and "\n" not in str(raised.value)
