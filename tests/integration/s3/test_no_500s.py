"""Malformed S3 requests against the emulator as `sst-dev start` runs it: whatever a client sends, the answer is S3's
4xx (or a success), never a 500, and the emulator keeps serving.

The requests are signed with the account's key most of the time, so they get past the signature checks into moto:
random methods, bucket and key names (unicode, dots, percent signs), sub-resources with odd values, the headers S3
reads (ranges, conditions, dates, ACLs, copy sources, checksums, locks) with bad values, and bodies of broken XML,
JSON or aws-chunked framing. The rest carry a malformed Authorization header, a signature (in the header or a
presigned query) that is any latin-1 text, or nothing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from botocore.client import BaseClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.process import EmulatorProcess
from tests.integration.s3.raw_requests import SIGNED_STREAM, UNSIGNED_STREAM, send, signed_headers

SEEDED_KEY = "seeded.txt"

printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=24)
odd_numbers = st.sampled_from(["", "-1", "0", "1", "2", "10000", "99999999999999999999", "1e3", "0x10", "abc", " 5"])
odd_dates = st.sampled_from(
    ["", "yesterday", "Mon, 32 Foo 2020 25:61:61 GMT", "Tue, 07 Jul 1950 21:53:04 GMT", "99990707T215304Z"]
    + ["2020-13-45T99:99:99Z", "Thu, 01 Jan 1970 00:00:00 GMT", "0", "-1"]
)
odd_values = st.one_of(odd_numbers, odd_dates, printable)

SUBRESOURCES = (
    "acl cors tagging versioning versions uploads uploadId partNumber versionId delete list-type max-keys prefix "
    "delimiter marker continuation-token start-after encoding-type fetch-owner location policy policyStatus "
    "lifecycle notification website logging object-lock retention legal-hold attributes restore select select-type "
    "key-marker version-id-marker max-parts part-number-marker max-uploads upload-id-marker ownershipControls "
    "publicAccessBlock encryption accelerate requestPayment replication torrent analytics metrics inventory id "
    "response-content-type response-expires x-id"
).split()
HEADERS = {
    "Range": st.sampled_from(["bytes=5-1", "bytes=-0", "bytes=abc", "bytes=0-0,2-3", "bytes=99999999999999999999-"]),
    "If-Match": printable,
    "If-None-Match": printable,
    "If-Modified-Since": odd_dates,
    "If-Unmodified-Since": odd_dates,
    "Content-MD5": st.sampled_from(["", "AWS HAHAHA", "YWJyYWNhZGFicmE=", "rL0Y20xC+Fzt72VPzMSk2A==", "%%%"]),
    "Content-Type": printable,
    "Content-Encoding": st.sampled_from(["aws-chunked", "gzip, aws-chunked", "AWS-CHUNKED", "", "x"]),
    "x-amz-acl": st.sampled_from(["public-ready", "private", "public-read-write", "", "bucket-owner-full-control"]),
    "x-amz-grant-read": st.sampled_from(['uri="x"', "id=", "nonsense", 'emailAddress="a@b"', ""]),
    "x-amz-grant-bogus": printable,
    "x-amz-copy-source": st.sampled_from(["", "/", "nobucket/k", f"%2F%2F{SEEDED_KEY}", "a?versionId=", "x/%"]),
    "x-amz-copy-source-range": odd_values,
    "x-amz-metadata-directive": st.sampled_from(["COPY", "REPLACE", "MOVE", ""]),
    "x-amz-tagging": st.sampled_from(["a=b&c", "=", "%", "k=" + "v" * 300, "&&"]),
    "x-amz-tagging-directive": printable,
    "x-amz-storage-class": st.sampled_from(["GLACIER", "BOGUS", "", "DEEP_ARCHIVE"]),
    "x-amz-server-side-encryption": st.sampled_from(["AES256", "aws:kms", "rot13", ""]),
    "x-amz-server-side-encryption-customer-algorithm": printable,
    "x-amz-website-redirect-location": printable,
    "x-amz-object-lock-mode": st.sampled_from(["GOVERNANCE", "COMPLIANCE", "NONE", ""]),
    "x-amz-object-lock-retain-until-date": odd_dates,
    "x-amz-object-lock-legal-hold": printable,
    "x-amz-checksum-crc32": printable,
    "x-amz-sdk-checksum-algorithm": st.sampled_from(["CRC32", "MD4", "", "sha256"]),
    "x-amz-checksum-algorithm": st.sampled_from(["CRC32", "MD4", "", "sha256"]),
    "x-amz-trailer": st.sampled_from(["x-amz-checksum-crc32", "x-amz-checksum-bogus", ""]),
    "x-amz-decoded-content-length": odd_numbers,
    "x-amz-expected-bucket-owner": odd_values,
    "x-amz-bypass-governance-retention": printable,
    "x-amz-object-attributes": st.sampled_from(["ETag,Bogus", "", "ObjectSize"]),
    "x-amz-max-parts": odd_numbers,
    "x-amz-part-number-marker": odd_numbers,
    "x-amz-bucket-object-lock-enabled": printable,
    "x-amz-object-ownership": st.sampled_from(["BucketOwnerEnforced", "Nobody", ""]),
    "x-amz-meta-a": printable,
    "Expect": st.sampled_from(["100-continue", "200", ""]),
}
XML_NAMES = (
    "CORSConfiguration CORSRule AllowedOrigin AllowedMethod Tagging TagSet Tag Key Value Delete Object VersionId "
    "Quiet VersioningConfiguration Status MfaDelete CompleteMultipartUpload Part PartNumber ETag "
    "CreateBucketConfiguration LocationConstraint AccessControlPolicy Owner ID AccessControlList Grant Grantee "
    "Permission LifecycleConfiguration Rule Expiration Days Filter Prefix ObjectLockConfiguration Retention Mode "
    "RetainUntilDate LegalHold PublicAccessBlockConfiguration OwnershipControls ObjectOwnership "
    "NotificationConfiguration QueueConfiguration Event RestoreRequest ServerSideEncryptionConfiguration"
).split()


@st.composite
def xml_bodies(draw: st.DrawFn) -> bytes:
    def element(depth: int) -> str:
        name = draw(st.sampled_from(XML_NAMES))
        if depth == 0 or draw(st.booleans()):
            return f"<{name}>{draw(odd_values).replace('<', '')}</{name}>"
        children = "".join(element(depth - 1) for _ in range(draw(st.integers(0, 3))))
        return f"<{name}>{children}</{name}>"

    document = element(3)
    if draw(st.booleans()):
        document = document[: draw(st.integers(0, len(document)))]  # cut short: not even well-formed
    return document.encode()


bodies = st.one_of(
    st.just(b""),
    xml_bodies(),
    st.binary(max_size=64),
    st.sampled_from([b"{", b'{"Statement": 5}', b'{"Version": "2012-10-17", "Statement": [{}]}', b"null"]),
    st.sampled_from([b"zz;chunk-signature=x\r\nabc\r\n", b"5\r\nab", b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:!!\r\n"]),
)
names = st.one_of(
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.sampled_from(["..", ".", "a", "UPPER", "x" * 70, "-x-", "%", "?", "#"]),
)


usually = st.integers(0, 9).map(lambda number: number > 0)  # True nine times in ten
forgeries = st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), min_size=1, max_size=70)
MALFORMED_AUTHORIZATIONS = (
    "AWS4-HMAC-SHA256 Credential=test/2/3/s3/aws4_request, x",
    "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
    "AWS4-HMAC-SHA256",
    "AWS test",
    "AWS :",
    "Bearer",
    "AWS4-ECDSA-P256-SHA256 Credential=test/20240101/s3/aws4_request, SignedHeaders=host, Signature=00",
)


@dataclass(frozen=True)
class Drawn:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    auth: str
    forgery: str
    """A signature that is not one (any latin-1 text), for the forged kinds of authorisation."""


@st.composite
def requests(draw: st.DrawFn, bucket: str) -> Drawn:
    method = draw(st.sampled_from(["GET", "GET", "PUT", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"]))
    bucket_part = draw(st.sampled_from([bucket] * 6 + ["no-such-bucket-anywhere", ""]) if draw(usually) else names)
    key_part = draw(st.sampled_from([None, None, SEEDED_KEY, SEEDED_KEY, "missing"]) if draw(usually) else names)
    path = "/" + quote(bucket_part, safe="~") + ("" if key_part is None else "/" + quote(key_part, safe="/~"))
    subresources = st.sampled_from(SUBRESOURCES) | st.sampled_from(["uploads", "uploadId", "restore", "select"])
    query = [(name, draw(odd_values)) for name in draw(st.lists(subresources, max_size=4))]
    target = path + ("?" + urlencode(query, quote_via=quote, safe="-_.~") if query else "")
    headers = {name: draw(HEADERS[name]) for name in draw(st.lists(st.sampled_from(sorted(HEADERS)), max_size=4))}
    if draw(st.integers(0, 19)) == 0:
        headers["Authorization"] = draw(st.sampled_from(MALFORMED_AUTHORIZATIONS) | forgeries)
    auth = draw(st.sampled_from(["signed"] * 4 + ["streaming", "forged", "anonymous", "presigned"]))
    return Drawn(method, target, headers, draw(bodies), auth, draw(forgeries))


def authorised(emulator: EmulatorProcess, drawn: Drawn) -> tuple[str, dict[str, str]]:
    """The target and headers as sent for the drawn kind of authorisation."""
    method, target, headers, body = drawn.method, drawn.target, drawn.headers, drawn.body
    if drawn.auth == "anonymous" or "Authorization" in headers:
        return target, headers
    if drawn.auth == "presigned":
        now = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        query = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"test/{now[:8]}/us-east-1/s3/aws4_request",
            "X-Amz-Date": now,
            "X-Amz-Expires": str(60 * len(drawn.forgery)),  # valid: the forged signature is what gets compared
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": drawn.forgery,
        }
        return target + ("&" if "?" in target else "?") + urlencode(query, quote_via=quote), headers
    payload = {"signed": None, "forged": None}.get(drawn.auth, SIGNED_STREAM if len(body) % 2 else UNSIGNED_STREAM)
    signed = signed_headers(emulator, method, target, headers, body, payload=payload)
    if drawn.auth == "forged":
        signed["Authorization"] = signed["Authorization"].rsplit("Signature=", 1)[0] + "Signature=" + drawn.forgery
    return target, signed


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_request_makes_the_emulator_answer_500(
    emulator: EmulatorProcess, s3: BaseClient, data: st.DataObject
) -> None:
    bucket = f"fuzz-{uuid.uuid4().hex[:12]}"  # each request gets a bucket of its own: one may configure it (lock it)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=SEEDED_KEY, Body=b"seed")
    drawn = data.draw(requests(bucket))
    target, headers = authorised(emulator, drawn)
    answer = send(emulator, drawn.method, target, headers, drawn.body)
    assert answer.status < 500 or answer.status == 501, (answer.status, answer.body[:600])
    assert s3.list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200  # still serving
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
