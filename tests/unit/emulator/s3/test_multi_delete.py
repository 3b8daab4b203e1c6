"""DeleteObjects bodies are read as S3 reads them: 1 to 1,000 objects, each with a key, and the quiet flag."""

from __future__ import annotations

import pytest

from emulator.s3.errors import S3Error
from emulator.s3.multi_delete import delete_request


def body(*objects: str, quiet: str | None = None) -> bytes:
    flag = "" if quiet is None else f"<Quiet>{quiet}</Quiet>"
    return f'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{flag}{"".join(objects)}</Delete>'.encode()


def test_objects_with_and_without_versions_and_the_quiet_flag_are_read() -> None:
    request = delete_request(
        body("<Object><Key>a</Key></Object>", "<Object><Key>b</Key><VersionId>v</VersionId></Object>", quiet="true")
    )
    assert (request.objects, request.quiet) == ([("a", None), ("b", "v")], True)
    assert delete_request(body("<Object><Key>a</Key></Object>")).quiet is False


@pytest.mark.parametrize(
    "sent",
    [
        b"not xml",
        body(),
        body("<Object><VersionId>v</VersionId></Object>"),
        body(*["<Object><Key>k</Key></Object>"] * 1001),
        b"<Other><Object><Key>a</Key></Object></Other>",
    ],
)
def test_a_body_naming_no_object_more_than_1000_or_one_without_a_key_is_malformed(sent: bytes) -> None:
    with pytest.raises(S3Error) as caught:
        delete_request(sent)
    assert (caught.value.code, caught.value.status) == ("MalformedXML", 400)


def test_a_thousand_objects_are_allowed() -> None:
    assert len(delete_request(body(*["<Object><Key>k</Key></Object>"] * 1000)).objects) == 1000
