"""Handler strings to callables, and handler faults to Lambda errors, with the AWS Python runtime's codes and wording.

The messages are the ones `awslambdaric/bootstrap.py` produces, so an error seen locally reads exactly like the one
CloudWatch would show: `Runtime.ImportModuleError: Unable to import module 'functions/hello': No module named ...`.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType, TracebackType

from devserver.runtime.invocation import LambdaError

__all__ = [
    "Handler",
    "HandlerError",
    "error_from_exception",
    "json_default",
    "marshal_error",
    "resolve_handler",
]

Handler = Callable[[object, object], object]


class HandlerError(Exception):
    """A fault the runtime reports with a `Runtime.*` error type instead of the user's exception class."""

    def __init__(self, error_type: str, message: str, stack_trace: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.error = LambdaError(error_type, message, stack_trace)


def resolve_handler(handler: str, import_module: Callable[[str], ModuleType] = importlib.import_module) -> Handler:
    """Import the module of `handler` ("dir/module.func") and return its function.

    Raises HandlerError for the faults Lambda names (malformed name, import failure, syntax error, missing
    function); any other exception raised while importing the module propagates unchanged, as in Lambda, where
    it is reported with its own class name.
    """
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise HandlerError("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}") from None
    if module_name.split("/")[0].split(".")[0] in sys.builtin_module_names:
        raise HandlerError(
            "Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module"
        )
    try:
        module = import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise HandlerError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from None
    except SyntaxError as error:
        trace = (f'  File "{error.filename}" Line {error.lineno}\n    {error.text}',)
        raise HandlerError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", trace
        ) from None
    try:
        function: Handler = getattr(module, function_name)
    except AttributeError:
        raise HandlerError(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        ) from None
    return function


def error_from_exception(error: BaseException, skip_files: tuple[str, ...] = ()) -> LambdaError:
    """The Lambda error for an exception escaping user code: its class name, message and stack trace.

    Like the AWS runtime, leading frames of the runtime itself (this module, and files ending with one of
    `skip_files`) are cut, so the trace starts in the user's code, or in importlib for an import-time error.
    """
    if isinstance(error, HandlerError):
        return error.error
    frames = traceback.extract_tb(_user_traceback(error.__traceback__, (__file__, *skip_files)))
    return LambdaError(type(error).__name__, str(error), tuple(traceback.format_list(frames)))


def marshal_error(error: Exception) -> LambdaError:
    """The error for a return value JSON cannot encode (`error` is what the encoder raised)."""
    return LambdaError("Runtime.MarshalError", f"Unable to marshal response: {error}")


def json_default(value: object) -> object:
    """`json.dumps` fallback: Decimals are numbers, as the AWS runtime writes them (DynamoDB returns Decimals)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _user_traceback(tb: TracebackType | None, skip_files: tuple[str, ...]) -> TracebackType | None:
    while tb is not None and tb.tb_frame.f_code.co_filename.endswith(skip_files):
        tb = tb.tb_next
    return tb
