"""S3's data-integrity rules for one body, pure: the checksum algorithms, what a request's checksum headers ask for,
and whether the body matches them.

Why: S3 refuses a body that does not match its `Content-MD5` or its `x-amz-checksum-*` value (header or aws-chunked
trailer) and stores nothing; it keeps the checksum with the object and returns it when asked (`ChecksumMode`,
`GetObjectAttributes`); and since 2025 it gives every new object a CRC64NVME checksum when the client sent none. SDKs
rely on all of it: they send CRC32 by default and check what comes back. moto verifies nothing and computes CRC32C
and CRC64NVME wrongly without optional libraries, so the emulator checks here, with AWS's error codes and messages.

`verify_request_checksums(headers, body)` is the whole check for one body (PutObject, UploadPart, a form POST's file).
In steps: `ChecksumRequest.parse(headers)` refuses malformed headers before the body is read, `digester()` hashes the
body as it arrives, `verify(digests, trailers)` compares. Multipart uploads' rules are in
`emulator.s3.multipart_checksums`. No I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from awscrt import checksums as crt
from awscrt.checksums import XXHash

from emulator.s3.errors import S3Error

__all__ = [
    "ALGORITHMS",
    "COMPOSITE",
    "CRC_ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "FULL_OBJECT",
    "UNSUPPORTED_ALGORITHM",
    "ChecksumRequest",
    "ChecksumResult",
    "Digester",
    "algorithm_of",
    "bad_digest",
    "checksum_of",
    "header_name",
    "invalid_request",
    "is_checksum_value",
    "stated_checksum_header",
    "verify_request_checksums",
]

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128")
"""The algorithms S3 supports, in the spelling of its `ChecksumAlgorithm` enum (the last five came in late 2025)."""
DEFAULT_ALGORITHM = "CRC64NVME"
"""What S3 computes for a new object whose client sent no checksum."""
FULL_OBJECT = "FULL_OBJECT"
COMPOSITE = "COMPOSITE"
CRC_ALGORITHMS = frozenset({"CRC32", "CRC32C", "CRC64NVME"})
_DIGEST_SIZES = {
    "CRC32": 4,
    "CRC32C": 4,
    "CRC64NVME": 8,
    "SHA1": 20,
    "SHA256": 32,
    "SHA512": 64,
    "MD5": 16,
    "XXHASH64": 8,
    "XXHASH3": 8,
    "XXHASH128": 16,
}
_XXHASHES = {"XXHASH64": XXHash.new_xxhash64, "XXHASH3": XXHash.new_xxhash3_64, "XXHASH128": XXHash.new_xxhash3_128}
_HEADER_PREFIX = "x-amz-checksum-"
_NOT_VALUES = frozenset({"x-amz-checksum-algorithm", "x-amz-checksum-type", "x-amz-checksum-mode"})
UNSUPPORTED_ALGORITHM = (
    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
    f"[{', '.join(ALGORITHMS)}]"
)
_SINGLE_CHECKSUM = "Expecting a single x-amz-checksum- header"


def header_name(algorithm: str) -> str:
    """The header (and trailer) that carries `algorithm`'s value: ``x-amz-checksum-crc32``."""
    return _HEADER_PREFIX + algorithm.lower()


def invalid_request(message: str) -> S3Error:
    return S3Error("InvalidRequest", message, status=400)


def bad_digest(message: str) -> S3Error:
    return S3Error("BadDigest", message, status=400)


class Digester:
    """Hashes a body as it arrives with several of `ALGORITHMS` at once (MD5 is one: also `Content-MD5`'s)."""

    def __init__(self, algorithms: Iterable[str]) -> None:
        self._hashes: dict[str, Any] = {}
        self._crcs: dict[str, int] = {}
        for algorithm in algorithms:
            if algorithm in CRC_ALGORITHMS:
                self._crcs[algorithm] = 0
            elif algorithm in _XXHASHES:
                self._hashes[algorithm] = _XXHASHES[algorithm]()
            else:
                self._hashes[algorithm] = hashlib.new(algorithm.lower(), usedforsecurity=False)

    def update(self, chunk: bytes) -> None:
        for algorithm, running in self._crcs.items():
            self._crcs[algorithm] = _crc(algorithm, chunk, running)
        for hashed in self._hashes.values():
            hashed.update(chunk)

    def checksum(self, algorithm: str) -> str:
        """`algorithm`'s digest of everything fed so far, base64, as S3 shows checksums."""
        return base64.b64encode(self.digests()[algorithm]).decode()

    def digests(self) -> dict[str, bytes]:
        """Each algorithm's raw digest of everything fed so far (CRCs big-endian, as S3 encodes them)."""
        found = {name: value.to_bytes(_DIGEST_SIZES[name], "big") for name, value in self._crcs.items()}
        found.update(
            (name, hashed.finalize() if isinstance(hashed, XXHash) else hashed.digest())
            for name, hashed in self._hashes.items()
        )
        return found


def _crc(algorithm: str, chunk: bytes, running: int) -> int:
    if algorithm == "CRC32":
        return zlib.crc32(chunk, running)
    if algorithm == "CRC32C":
        return crt.crc32c(chunk, running)
    return crt.crc64nvme(chunk, running)


def checksum_of(algorithm: str, chunks: Iterable[bytes]) -> str:
    """The base64 checksum S3 gives `chunks` joined, with `algorithm`."""
    digester = Digester([algorithm])
    for chunk in chunks:
        digester.update(chunk)
    return digester.checksum(algorithm)


def _decoded(value: str, size: int) -> bytes | None:
    """The raw bytes of a base64 value of exactly `size` bytes, or None."""
    try:
        raw = binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    return raw if len(raw) == size else None


def is_checksum_value(algorithm: str, value: str) -> bool:
    """Whether `value` is a well-formed base64 checksum for `algorithm`."""
    return _decoded(value, _DIGEST_SIZES[algorithm]) is not None


@dataclass(frozen=True)
class ChecksumResult:
    """The checksum S3 keeps with a body: the one the client sent, or the default S3 computed."""

    algorithm: str
    value: str
    checksum_type: str = FULL_OBJECT

    @property
    def header(self) -> str:
        return header_name(self.algorithm)


@dataclass(frozen=True)
class ChecksumRequest:
    """What a request's headers ask S3 to verify: a `Content-MD5`, and one checksum value given in a header or
    announced (`x-amz-trailer`) to follow the body of an aws-chunked request."""

    content_md5: str | None = None
    algorithm: str | None = None
    value: str | None = None
    in_trailer: bool = False

    @classmethod
    def parse(cls, headers: Mapping[str, str], *, chunked: bool = False) -> ChecksumRequest:
        """The request's checksum headers, checked as S3 checks them before it reads a body (raises `S3Error`).

        `headers` has lower-case names; `chunked` is whether the body is aws-chunked (where trailers can be).
        """
        content_md5 = headers.get("content-md5")
        if content_md5 is not None and _decoded(content_md5.strip(), 16) is None:
            raise S3Error(
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
                status=400,
                details={"Content-MD5": content_md5},
            )
        given = stated_checksum_header(headers)
        trailers = [name.strip().lower() for name in headers.get("x-amz-trailer", "").split(",") if name.strip()]
        if any(algorithm_of(name) is None for name in trailers):
            raise invalid_request("The value specified in the x-amz-trailer header is not supported")
        if len(trailers) > 1:
            raise invalid_request(f"{_SINGLE_CHECKSUM}. Multiple checksum Types are not allowed.")
        if given and trailers:
            raise invalid_request(_SINGLE_CHECKSUM)
        if trailers and not chunked:
            raise _malformed_trailer()
        algorithm = algorithm_of(given or (trailers or [""])[0])
        value = headers[given].strip() if given else None
        if algorithm is not None and value is not None and not is_checksum_value(algorithm, value):
            raise invalid_request(f"Value for {given} header is invalid.")
        sdk_algorithm = headers.get("x-amz-sdk-checksum-algorithm")
        if sdk_algorithm is not None:
            if sdk_algorithm.upper() not in ALGORITHMS:
                raise invalid_request(UNSUPPORTED_ALGORITHM)
            if algorithm is None:
                raise invalid_request(
                    "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer "
                    "headers were found."
                )
            if sdk_algorithm.upper() != algorithm:
                raise invalid_request("Value for x-amz-sdk-checksum-algorithm header is invalid.")
        return cls(content_md5=content_md5, algorithm=algorithm, value=value, in_trailer=bool(trailers))

    def digester(self, default_algorithm: str | None = DEFAULT_ALGORITHM) -> Digester:
        """A `Digester` for what `verify` needs: the stated algorithm (or `default_algorithm`), and MD5 if stated."""
        algorithm = self.algorithm or default_algorithm
        return Digester([*([algorithm] if algorithm else []), *(["MD5"] if self.content_md5 is not None else [])])

    def verify(self, digests: Mapping[str, bytes], trailers: Mapping[str, str] | None = None) -> ChecksumResult | None:
        """The checksum to keep, after comparing the body's `digests` (from `digester()`) with what the request
        stated; raises `S3Error` as S3 does. `trailers` are the aws-chunked body's trailers (lower-case names).
        None when the client stated no checksum and the digester had no default."""
        value = self.value
        if self.in_trailer and self.algorithm is not None:
            name = header_name(self.algorithm)
            value = (trailers or {}).get(name)
            if value is None:
                raise _malformed_trailer()
            value = value.strip()
            if not is_checksum_value(self.algorithm, value):
                raise invalid_request(f"Value for {name} trailing header is invalid.")
        if self.algorithm is not None and value is not None:
            if base64.b64decode(value) != digests[self.algorithm]:
                raise bad_digest(f"The {self.algorithm} you specified did not match the calculated checksum.")
        if self.content_md5 is not None and base64.b64decode(self.content_md5.strip()) != digests["MD5"]:
            raise S3Error(
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
                status=400,
                details={
                    "ExpectedDigest": base64.b64decode(self.content_md5.strip()).hex(),
                    "CalculatedDigest": base64.b64encode(digests["MD5"]).decode(),
                },
            )
        algorithm = self.algorithm or next((name for name in digests if name != "MD5"), None)
        if algorithm is None:
            return None
        return ChecksumResult(algorithm, value or base64.b64encode(digests[algorithm]).decode())


def stated_checksum_header(headers: Mapping[str, str]) -> str | None:
    """The one `x-amz-checksum-<algorithm>` header that carries a value; raises `S3Error` for an unknown algorithm
    or more than one."""
    given = [name for name in headers if name.startswith(_HEADER_PREFIX) and name not in _NOT_VALUES]
    if any(algorithm_of(name) is None for name in given):
        raise invalid_request("The algorithm type you specified in x-amz-checksum- header is invalid.")
    if len(given) > 1:
        raise invalid_request(f"{_SINGLE_CHECKSUM}. Multiple checksum Types are not allowed.")
    return given[0] if given else None


def algorithm_of(header: str) -> str | None:
    algorithm = header.removeprefix(_HEADER_PREFIX).upper()
    return algorithm if header.startswith(_HEADER_PREFIX) and algorithm in ALGORITHMS else None


def _malformed_trailer() -> S3Error:
    return S3Error(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        status=400,
    )


def verify_request_checksums(
    headers: Mapping[str, str],
    body: bytes | Iterable[bytes],
    *,
    trailers: Mapping[str, str] | None = None,
    default_algorithm: str = DEFAULT_ALGORITHM,
) -> ChecksumResult:
    """Check a whole body against the `Content-MD5` and `x-amz-checksum-*` of `headers` (lower-case names), as S3
    does before it stores anything, and give the checksum to keep with it: the one stated, else `default_algorithm`'s
    (CRC64NVME, as S3). Raises `S3Error` with S3's code and message: InvalidDigest, BadDigest, InvalidRequest,
    MalformedTrailerError. `body` is the payload (bytes, or its chunks in order), `trailers` an aws-chunked body's.
    """
    request = ChecksumRequest.parse(headers, chunked=trailers is not None)
    digester = request.digester(default_algorithm)
    for chunk in [body] if isinstance(body, bytes | bytearray | memoryview) else body:
        digester.update(bytes(chunk))
    result = request.verify(digester.digests(), trailers)
    assert result is not None  # the digester always had an algorithm
    return result
