"""Object keys are data, not paths: every (bucket, key) maps to a file name inside the store, distinct per key."""

from __future__ import annotations

import os
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.store.paths import bucket_record_path, parse_version_file_name, service_snapshot_path, version_path
from emulator.store.record import RecordError, decode_footer, decode_record, encode_trailer

ROOT = "/state/s3"
HOSTILE_KEYS = [
    "../../../etc/passwd",
    "/absolute/path",
    "a/../../b",
    "..\\..\\windows\\system32",
    ".",
    "..",
    "./././.",
    "a//b",
    "ключ/数据/🙂",
    "k" * 1024,
    "é" * 512,  # 1,024 bytes of two-byte characters
    "trailing/",
    "\udcff",  # an undecodable byte that reached moto as a surrogate
]

keys = st.text(st.characters(blacklist_characters="\x00"), max_size=300)
buckets = st.from_regex(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", fullmatch=True)


def resolved(relative: PurePosixPath) -> str:
    return os.path.normpath(os.path.join(ROOT, str(relative)))


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_a_hostile_key_maps_to_a_plain_file_inside_its_bucket_folder(key: str) -> None:
    path = version_path("bucket", key, 1)

    assert resolved(path).startswith(ROOT + "/buckets/")
    assert path.parts[0] == "buckets" and all(part not in (".", "..") and "\\" not in part for part in path.parts)
    assert max(len(part) for part in path.parts) <= 255
    assert parse_version_file_name(path.name) is not None


@given(bucket=buckets, key=keys, seq=st.integers(min_value=0, max_value=16**16 - 1))
def test_every_key_stays_inside_the_store(bucket: str, key: str, seq: int) -> None:
    path = version_path(bucket, key, seq)

    assert resolved(path).startswith(ROOT + "/buckets/")
    assert resolved(bucket_record_path(bucket)).startswith(ROOT + "/buckets/")
    assert parse_version_file_name(path.name) == (path.name.split(".")[0], seq)


@given(first=st.tuples(buckets, keys), second=st.tuples(buckets, keys))
def test_distinct_bucket_and_key_pairs_get_distinct_files(first: tuple[str, str], second: tuple[str, str]) -> None:
    if first != second:
        assert version_path(*first, 1) != version_path(*second, 1)


def test_bucket_and_key_boundaries_do_not_collide() -> None:
    assert version_path("abc", "d", 1) != version_path("ab", "cd", 1)


def test_temporary_and_foreign_file_names_are_not_versions() -> None:
    assert parse_version_file_name("0123abcd") is None
    assert parse_version_file_name("a" * 64 + ".000000000000001") is None
    assert parse_version_file_name("a" * 64 + ".0000000000000001.tmp") is None


@given(key=keys, body=st.binary(max_size=64), metadata=st.dictionaries(st.text(max_size=8), st.text(max_size=8)))
def test_a_version_file_gives_back_its_record(key: str, body: bytes, metadata: dict[str, str]) -> None:
    record = {"bucket": "bucket", "key": key, "size": len(body), "metadata": metadata}
    file = body + encode_trailer(record)

    length = decode_footer(file[-16:], len(file), "f")
    assert decode_record(file[-16 - length : -16], len(file), "f") == record


def test_a_file_whose_footer_or_size_does_not_check_out_is_refused() -> None:
    file = b"body" + encode_trailer({"bucket": "b", "key": "k", "size": 4})

    with pytest.raises(RecordError):
        decode_footer(file[-16:-1] + b"?", len(file), "f")
    length = decode_footer(file[-16:], len(file), "f")
    with pytest.raises(RecordError, match="does not match"):
        decode_record(file[-16 - length : -16], len(file) + 1, "f")


def test_service_snapshots_live_in_services_under_fixed_names() -> None:
    assert str(service_snapshot_path("sqs")) == "services/sqs.json"
    for name in ("../sqs", "sqs/x", "", "SQS"):
        with pytest.raises(ValueError, match="not a service name"):
            service_snapshot_path(name)
