"""Errors the runtime itself reports for an invocation (not the handler), worded as Lambda words them."""

from __future__ import annotations

import signal

from devserver.runtime.invocation import LambdaError

__all__ = ["exit_error", "init_timeout_error", "out_of_memory_error", "timeout_error"]


def timeout_error(timeout: float) -> LambdaError:
    """The invocation outlived the function's `timeout`; Lambda prints the seconds with two decimals."""
    return LambdaError("Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds")


def init_timeout_error(timeout: float) -> LambdaError:
    """Loading the handler outlived Lambda's init-phase limit."""
    return LambdaError("Sandbox.Timedout", f"Init phase timed out after {timeout:.2f} seconds")


def exit_error(request_id: str, returncode: int) -> LambdaError:
    """The worker process ended while it owed an answer.

    Lambda's runtime reports Go's `exec.ExitError` text: `exit status 1`, `signal: segmentation fault`; a clean
    exit gets its own sentence.
    """
    if returncode == 0:
        return LambdaError(
            "Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited without providing a reason"
        )
    return LambdaError(
        "Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: {_exit_reason(returncode)}"
    )


def out_of_memory_error(request_id: str, memory_size: int) -> LambdaError:
    """The handler allocated past `memory_size` (Lambda's sandbox is killed then; ours raised MemoryError)."""
    return LambdaError(
        "Runtime.OutOfMemory",
        f"RequestId: {request_id} Error: Runtime exited with error: memory_size of {memory_size} MB exceeded",
    )


def _exit_reason(returncode: int) -> str:
    if returncode > 0:
        return f"exit status {returncode}"
    try:
        name = signal.strsignal(-returncode) or f"signal {-returncode}"
    except ValueError:
        name = f"signal {-returncode}"
    return f"signal: {name.lower()}"
