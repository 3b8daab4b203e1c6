"""Handler resolution and fault reporting use the AWS Python runtime's error types and wording."""

from __future__ import annotations

import types
from decimal import Decimal

import pytest

from devserver.runtime.handler import HandlerError, error_from_exception, json_default, marshal_error, resolve_handler


def importer(**modules: types.ModuleType | BaseException):
    def import_module(name: str) -> types.ModuleType:
        found = modules[name.replace(".", "_")]
        if isinstance(found, BaseException):
            raise found
        return found

    return import_module


def module_with(**attributes: object) -> types.ModuleType:
    module = types.ModuleType("m")
    module.__dict__.update(attributes)
    return module


def fault(handler: str, import_module) -> HandlerError:
    with pytest.raises(HandlerError) as raised:
        resolve_handler(handler, import_module)
    return raised.value


def test_a_handler_string_names_a_module_path_and_its_function() -> None:
    def main(event: object, context: object) -> object:
        return event

    assert resolve_handler("functions/hello.main", importer(functions_hello=module_with(main=main))) is main


def test_a_handler_without_a_dot_is_malformed() -> None:
    error = fault("hello", importer()).error
    assert error.error_type == "Runtime.MalformedHandlerName"
    assert error.error_message == "Bad handler 'hello': not enough values to unpack (expected 2, got 1)"


def test_a_module_that_cannot_be_imported_is_an_import_module_error() -> None:
    error = fault("functions/nope.main", importer(functions_nope=ModuleNotFoundError("No module named 'x'"))).error
    assert (error.error_type, error.error_message) == (
        "Runtime.ImportModuleError",
        "Unable to import module 'functions/nope': No module named 'x'",
    )


def test_a_syntax_error_names_the_module_and_points_at_the_line() -> None:
    syntax = SyntaxError("expected ':'", ("/app/functions/bad.py", 3, 17, "def main(event)\n"))
    error = fault("functions/bad.main", importer(functions_bad=syntax)).error
    assert error.error_type == "Runtime.UserCodeSyntaxError"
    assert error.error_message == "Syntax error in module 'functions/bad': expected ':' (bad.py, line 3)"
    assert error.stack_trace == ('  File "/app/functions/bad.py" Line 3\n    def main(event)\n',)


def test_a_missing_function_is_handler_not_found() -> None:
    error = fault("functions/hello.nope", importer(functions_hello=module_with())).error
    assert (error.error_type, error.error_message) == (
        "Runtime.HandlerNotFound",
        "Handler 'nope' missing on module 'functions/hello'",
    )


def test_a_module_named_like_a_builtin_conflicts() -> None:
    assert fault("sys.main", importer()).error.error_type == "Runtime.BuiltInModuleConflict"


def test_other_exceptions_at_import_propagate_to_be_reported_with_their_own_class() -> None:
    with pytest.raises(KeyError):
        resolve_handler("functions/hello.main", importer(functions_hello=KeyError("SECRET")))


def test_an_exception_becomes_its_class_name_message_and_user_frames_only() -> None:
    def user_code() -> None:
        raise ValueError("bad input")

    try:
        user_code()
    except ValueError as raised:
        error = error_from_exception(raised, skip_files=(__file__,))
    assert (error.error_type, error.error_message) == ("ValueError", "bad input")
    assert error.stack_trace == ()  # every frame was in a skipped (runtime) file

    try:
        user_code()
    except ValueError as raised:
        error = error_from_exception(raised)
    assert len(error.stack_trace) == 2
    assert error.stack_trace[-1].endswith('raise ValueError("bad input")\n')
    assert error.stack_trace[-1].startswith(f'  File "{__file__}", line ')


def test_decimals_are_encoded_as_numbers_like_the_aws_runtime_does() -> None:
    assert json_default(Decimal("3")) == 3
    assert json_default(Decimal("2.5")) == 2.5
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        json_default(object())


def test_an_unencodable_return_value_is_a_marshal_error() -> None:
    error = marshal_error(TypeError("Object of type set is not JSON serializable"))
    assert error.error_type == "Runtime.MarshalError"
    assert error.error_message == "Unable to marshal response: Object of type set is not JSON serializable"
