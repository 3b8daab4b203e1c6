"""A browser form POST upload's body is read as S3 reads it: fields up to the file, `${filename}` expanded."""

from __future__ import annotations

import httpx
import pytest

from emulator.s3.errors import S3Error
from emulator.s3.post_form import MAX_PRE_DATA_BYTES, PostForm, check_object_fields, parse_post_form

BOUNDARY = "b0und"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(name: str, value: str, filename: str | None = None) -> str:
    disposition = f'form-data; name="{name}"' + ("" if filename is None else f'; filename="{filename}"')
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n"


def raw_form(*parts: str, end: str = f"--{BOUNDARY}--\r\n") -> PostForm:
    return parse_post_form(("".join(parts) + end).encode(), CONTENT_TYPE)


def httpx_form(fields: dict[str, str], content: bytes = b"data", file_name: str = "cat.png") -> PostForm:
    request = httpx.Request("POST", "http://x/", data=fields, files={"file": (file_name, content, "image/png")})
    return parse_post_form(request.read(), request.headers["content-type"])


def rejection(body: bytes, content_type: str = CONTENT_TYPE) -> S3Error:
    with pytest.raises(S3Error) as caught:
        parse_post_form(body, content_type)
    return caught.value


def test_the_fields_before_the_file_in_order_with_names_as_sent_and_the_files_content() -> None:
    form = httpx_form({"key": "k", "Content-Type": "image/png"}, content=b"x" * 1000)

    assert form.fields == (("key", "k"), ("Content-Type", "image/png"))
    assert form.file == b"x" * 1000
    assert form.field("content-type") == form.field("CONTENT-TYPE") == "image/png"
    assert form.field("acl") is None


def test_parts_after_the_file_are_ignored_even_malformed_ones() -> None:
    form = raw_form(part("key", "k"), part("file", "hello", "a.txt"), part("late", "x"), end="garbage")

    assert (form.fields, form.file) == ((("key", "k"),), b"hello")


def test_the_file_is_the_part_named_file_in_any_case_with_or_without_a_filename() -> None:
    assert raw_form(part("key", "k"), part("FILE", "hello")).file == b"hello"
    # requests' `files=` gives every part a filename: the others are still fields.
    form = raw_form(part("key", "k", filename="key"), part("file", "hi", filename="file"))
    assert (form.field("key"), form.file) == ("k", b"hi")


def test_a_repeated_field_is_its_values_joined_with_commas() -> None:
    form = raw_form(part("x-amz-meta-tag", "Ninja"), part("X-Amz-Meta-Tag", "Stallman"), part("file", ""))

    assert form.field("x-amz-meta-tag") == "Ninja,Stallman"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("cat.png", "uploads/cat.png"), ("C:\\Users\\me\\cat.png", "uploads/cat.png"), ("dir/cat.png", "uploads/cat.png")],
)
def test_filename_is_replaced_by_the_files_name_without_its_path_in_every_field(filename: str, expected: str) -> None:
    form = raw_form(
        part("key", "uploads/${filename}"), part("x-amz-meta-name", "${filename}"), part("file", "", filename)
    )

    assert form.field("key") == expected
    assert form.field("x-amz-meta-name") == expected.removeprefix("uploads/")


def test_filename_stays_as_written_when_the_file_part_has_no_filename_and_is_empty_for_an_empty_one() -> None:
    assert raw_form(part("key", "a-${filename}"), part("file", "x")).field("key") == "a-${filename}"
    assert raw_form(part("key", "a-${filename}"), part("file", "x", filename="")).field("key") == "a-"


def test_a_post_that_is_not_a_multipart_form_is_a_failed_precondition() -> None:
    error = rejection(b"key=k", "application/x-www-form-urlencoded")

    assert (error.status, error.code) == (412, "PreconditionFailed")
    assert error.details == {"Condition": "Bucket POST must be of the enclosure-type multipart/form-data"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'--b0und\r\nContent-Disposition: form-data; name="key"\r\n\r\nk', CONTENT_TYPE),
        (b"key=k", "multipart/form-data"),
        (b"--b0und\r\nContent-Disposition: form-data\r\n\r\nk\r\n--b0und--\r\n", CONTENT_TYPE),
        (b"--b0und\r\nX-Other: 1\r\n\r\nk\r\n--b0und--\r\n", CONTENT_TYPE),
        (b'--b0und\r\nContent-Disposition: attachment; name="file"\r\n\r\nk\r\n--b0und--\r\n', CONTENT_TYPE),
        (b'--b0und\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\nk\r\n--b0und--\r\n', CONTENT_TYPE),
    ],
    ids=["truncated", "no-boundary", "no-name", "no-disposition", "not-form-data", "undecodable-header"],
)
def test_a_body_that_is_no_multipart_form_is_malformed(body: bytes, content_type: str) -> None:
    error = rejection(body, content_type)

    assert (error.status, error.code) == (400, "MalformedPOSTRequest")
    assert error.message == "The body of your POST request is not well-formed multipart/form-data."


def test_fields_before_the_file_may_not_pass_20_kb() -> None:
    assert raw_form(part("key", "k" * (MAX_PRE_DATA_BYTES - 3)), part("file", "x")).file == b"x"

    error = rejection((part("key", "k" * (MAX_PRE_DATA_BYTES - 2)) + part("file", "x")).encode())

    assert (error.status, error.code) == (400, "MaxPostPreDataLengthExceeded")
    assert error.details == {"MaxPostPreDataLengthBytes": "20480"}


def test_the_key_and_the_file_are_required() -> None:
    assert check_object_fields(httpx_form({"key": "k"}, content=b"abc")) == ("k", b"abc")
    for form in (httpx_form({}), httpx_form({"key": ""}), raw_form(part("file", "x"), part("key", "late"))):
        with pytest.raises(S3Error) as caught:
            check_object_fields(form)
        assert (caught.value.code, caught.value.details) == (
            "InvalidArgument",
            {"ArgumentName": "key", "ArgumentValue": ""},
        )
        assert caught.value.message == (
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields."
        )
    with pytest.raises(S3Error) as caught:
        check_object_fields(raw_form(part("key", "k")))
    assert (caught.value.message, caught.value.details) == (
        "POST requires exactly one file upload per request.",
        {"ArgumentName": "file", "ArgumentValue": "0"},
    )
