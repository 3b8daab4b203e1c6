"""The multipart/form-data body of a browser form POST upload, read the way S3 reads it. Pure.

S3 takes the form's fields in order up to the part named ``file``, takes that part's content as the object, and
ignores every part after it (AWS: "the file or text content must be the last field in the form"). Field names are
compared case-insensitively, values exactly. A field sent twice counts as its values joined with commas, which is how
the POST policy documentation says to match it. ``${filename}`` in any field is replaced, before the policy is
checked, by the file part's ``filename`` (only what follows its last ``/`` or ``\\``); a file part without a
``filename`` parameter leaves the variable as it is, as S3 was seen to do.

Refusals are S3's: 412 PreconditionFailed for a POST that is not multipart/form-data, 400 MalformedPOSTRequest for a
body that does not parse, 400 MaxPostPreDataLengthExceeded when the fields before the file pass 20 KB, and 400
InvalidArgument for a form without a key or a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Event, Field, File, MultipartDecoder, NeedData

from emulator.s3.errors import S3Error

__all__ = [
    "MAX_PRE_DATA_BYTES",
    "PostForm",
    "check_enclosure_type",
    "check_object_fields",
    "missing_field",
    "parse_post_form",
]

MAX_PRE_DATA_BYTES = 20480
"""S3 refuses a form whose fields before the file exceed 20 KB (counted here as their names and values)."""

_FILE_FIELD = "file"
_FEED_BYTES = 64 * 1024
# The filename parameter as browsers send it: quoted, no backslash escapes (WHATWG encodes `"` as %22).
_FILENAME = re.compile(r';\s*filename\s*=\s*(?:"([^"]*)"|([^;\s]*))', re.IGNORECASE)
_FILENAME_VARIABLE = "${filename}"
_MALFORMED = "The body of your POST request is not well-formed multipart/form-data."


@dataclass(frozen=True)
class PostForm:
    """A form POST upload: the fields before the file, in order, names as sent, ``${filename}`` already expanded;
    and the file's content (None when the form has no ``file`` part)."""

    fields: tuple[tuple[str, str], ...]
    file: bytes | None

    def field(self, name: str) -> str | None:
        """The value of field `name`, any case; a repeated field's values joined with ``,``; None when absent."""
        wanted = name.lower()
        values = [value for field, value in self.fields if field.lower() == wanted]
        return ",".join(values) if values else None


def check_enclosure_type(content_type: str) -> None:
    """Refuse, as S3 does with 412, a bucket POST whose body is not multipart/form-data."""
    mimetype, _ = parse_options_header(content_type)
    if mimetype.lower() != "multipart/form-data":
        raise S3Error(
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
            status=412,
            details={"Condition": "Bucket POST must be of the enclosure-type multipart/form-data"},
        )


def _malformed() -> S3Error:
    return S3Error("MalformedPOSTRequest", _MALFORMED, status=400)


def parse_post_form(body: bytes, content_type: str) -> PostForm:
    """Read a form POST upload's body; raises `S3Error` as S3 refuses one (see the module docstring)."""
    check_enclosure_type(content_type)
    _, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise _malformed()
    try:
        fields, file, filename = _decode(body, boundary.encode("latin-1", "replace"))
    except S3Error:
        raise
    except Exception as error:  # werkzeug's parser fails in many ways on bytes that are no form: all are malformed
        raise _malformed() from error
    if filename is not None:
        basename = re.split(r"[/\\]", filename)[-1]
        fields = [(name, value.replace(_FILENAME_VARIABLE, basename)) for name, value in fields]
    return PostForm(tuple(fields), file)


def _events(body: bytes, boundary: bytes) -> Iterator[Event]:
    """werkzeug's parse of `body`, fed a piece at a time so that its buffer never holds the whole upload."""
    decoder = MultipartDecoder(boundary)
    for start in range(0, len(body), _FEED_BYTES):
        decoder.receive_data(body[start : start + _FEED_BYTES])
        while not isinstance(event := decoder.next_event(), NeedData):
            yield event
    decoder.receive_data(None)
    while True:  # the decoder raises ValueError for a body that ends before its close delimiter
        yield (event := decoder.next_event())
        if isinstance(event, Epilogue):
            return


def _decode(body: bytes, boundary: bytes) -> tuple[list[tuple[str, str]], bytes | None, str | None]:
    """The fields before the file part, its content (or None) and its filename parameter (or None)."""
    fields: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    part: Field | File | None = None
    pre_data = 0
    for event in _events(body, boundary):
        if isinstance(event, Field | File):
            if not event.name or not event.headers.get("content-disposition", "").lower().startswith("form-data"):
                raise _malformed()
            part = event
            pre_data += len(event.name.encode())
        elif isinstance(event, Data) and part is not None:
            chunks.append(event.data)
            is_file = part.name.lower() == _FILE_FIELD
            if not is_file:
                pre_data += len(event.data)
                _check_pre_data(pre_data)
            if not event.more_data:
                content = b"".join(chunks)
                chunks.clear()
                if is_file:
                    # S3 ignores whatever follows the file, so neither read nor checked here.
                    return fields, content, _filename(part.headers.get("content-disposition", ""))
                fields.append((part.name, content.decode("utf-8", "replace")))
    return fields, None, None


def _filename(disposition: str) -> str | None:
    found = _FILENAME.search(disposition)
    return None if found is None else found.group(1) if found.group(1) is not None else found.group(2)


def _check_pre_data(size: int) -> None:
    if size > MAX_PRE_DATA_BYTES:
        raise S3Error(
            "MaxPostPreDataLengthExceeded",
            "Your POST request fields preceeding the upload file was too large.",
            status=400,
            details={"MaxPostPreDataLengthBytes": str(MAX_PRE_DATA_BYTES)},
        )


def missing_field(name: str) -> S3Error:
    """S3's answer to a form without field `name` (named as S3 names it; a field after the file counts as missing)."""
    return S3Error(
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        status=400,
        details={"ArgumentName": name, "ArgumentValue": ""},
    )


def check_object_fields(form: PostForm) -> tuple[str, bytes]:
    """The object's key and content; raises `S3Error` InvalidArgument for a form without a key or without a file."""
    key = form.field("key")
    if not key:
        raise missing_field("key")
    if form.file is None:
        raise S3Error(
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
            status=400,
            details={"ArgumentName": "file", "ArgumentValue": "0"},
        )
    return key, form.file
