"""Who signed a request, read from every kind of signature AWS clients send."""

from __future__ import annotations

from emulator.iam.signer import access_key_of

SIGV4_S3 = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"


def test_who_signed_is_read_from_every_kind_of_signature() -> None:
    assert access_key_of({"authorization": SIGV4_S3.replace("/s3/", "/ssm/")}, {}).service == "ssm"  # type: ignore[union-attr]
    assert access_key_of({"authorization": "AWS AK2:sig"}, {}).access_key_id == "AK2"  # type: ignore[union-attr]
    assert access_key_of({}, {"AWSAccessKeyId": "AK3"}).access_key_id == "AK3"  # type: ignore[union-attr]
    assert access_key_of({}, {}) is None


def test_the_service_comes_from_the_credential_scope_of_a_header_or_a_presigned_url() -> None:
    assert access_key_of({"authorization": SIGV4_S3}, {}).service == "s3"  # type: ignore[union-attr]
    presigned = {"X-Amz-Credential": "test/20260101/us-east-1/ssm/aws4_request", "x": "1"}
    assert access_key_of({}, presigned).service == "ssm"  # type: ignore[union-attr]
    assert access_key_of({"authorization": "AWS test:signature"}, {}).service == "s3"  # type: ignore[union-attr]
    assert access_key_of({"authorization": "AWS4-HMAC-SHA256 Credential=garbage"}, {}) is None
