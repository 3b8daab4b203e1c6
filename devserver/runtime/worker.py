"""The sst-dev worker: one process serving one function, one invocation at a time, like a Lambda sandbox.

How it works: the pool starts `python -m devserver.runtime.worker IN_FD OUT_FD` in the function's task root with the
function's environment (see `environment.py`). The worker resolves `_HANDLER` once (the cold start) and reports
`next` with the source files imported so far, or `init/error` and exits 1, as `awslambdaric/bootstrap.py` does.
Then it loops: read an `invocation` frame, call the handler, answer `response` or `error` (see `protocol.py`).
EOF on IN_FD means the pool is done with it. stdout and stderr are a pipe the pool reads; the root logger writes
there in the Lambda runtime's format, so `logging` output looks as it does in CloudWatch.

SystemExit and signals are deliberately not caught: on Lambda they end the runtime, and the pool reports them as
`Runtime.ExitError`.

Debugging (`devserver.debug`): with `SST_DEV_DEBUGPY=1` the worker first listens for an editor with debugpy on a
free loopback port and reports it in `next` (`debugPort`). A pdb session opened by `breakpoint()` ends with its
invocation, and the context's clock leaves out the time spent at the pdb prompt, so
`get_remaining_time_in_millis()` still counts only the time the handler ran.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

from devserver.runtime import worker_pdb
from devserver.runtime.context import LambdaContext
from devserver.runtime.handler import (
    Handler,
    HandlerError,
    error_from_exception,
    json_default,
    marshal_error,
    resolve_handler,
)
from devserver.runtime.invocation import LambdaError
from devserver.runtime.protocol import (
    ERROR,
    INIT_ERROR,
    INVOCATION,
    NEXT,
    RESPONSE,
    FrameReader,
    Message,
    encode_frame,
    write_frame,
)
from devserver.runtime.sources import SourceTracker, default_excluded_roots

_THIS_FILE = (__file__,)
_DEBUGPY_ENV = "SST_DEV_DEBUGPY"
_current_request_id = ""


class _RequestIdFilter(logging.Filter):
    """Stamps each record with the request in flight, for the `%(aws_request_id)s` of Lambda's log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current_request_id
        return True


def _install_lambda_logging() -> None:
    # The same root handler and format as the AWS runtime; like there, the root level stays WARNING until the
    # handler sets one, so `logger.info` is silent by default locally exactly as it is when deployed.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _error_message(error: LambdaError, request_id: str | None = None) -> Message:
    message: Message = {
        "type": ERROR if request_id else INIT_ERROR,
        "errorType": error.error_type,
        "errorMessage": error.error_message,
        "stackTrace": list(error.stack_trace),
    }
    if request_id:
        message["requestId"] = request_id
    return message


def _with_sources(message: Message, tracker: SourceTracker) -> Message:
    sources = tracker.new_sources(sys.modules)
    if sources:
        message["sources"] = sources
    return message


def _running_clock(paused_before: float) -> Callable[[], float]:
    """Wall-clock time minus this invocation's pauses at a pdb prompt: the parent's timeout stands still then too."""
    return lambda: time.time() - (worker_pdb.paused_seconds() - paused_before)


def _invoke(handler: Handler, invocation: Message, tracker: SourceTracker) -> bytes:
    global _current_request_id
    request_id: str = invocation["requestId"]
    _current_request_id = request_id
    context = LambdaContext(
        aws_request_id=request_id,
        invoked_function_arn=invocation["invokedFunctionArn"],
        deadline_ms=invocation["deadlineMs"],
        environ=os.environ,
        clock=_running_clock(worker_pdb.paused_seconds()),
    )
    error: LambdaError | None = None
    try:
        result = handler(invocation["event"], context)
    except Exception as raised:
        # `raised` (and the memory its frames hold, after a MemoryError) is released when this block ends.
        error = error_from_exception(raised, skip_files=_THIS_FILE)
    finally:
        worker_pdb.end_session()
    frame = b""
    if error is None:
        try:
            frame = encode_frame(
                _with_sources({"type": RESPONSE, "requestId": request_id, "result": result}, tracker), json_default
            )
        except (TypeError, ValueError) as unencodable:
            error = marshal_error(unencodable)
    if error is not None:
        frame = encode_frame(_with_sources(_error_message(error, request_id), tracker))
    sys.stdout.flush()
    sys.stderr.flush()
    return frame


def serve(in_fd: int, out_fd: int, handler_name: str) -> int:
    """Initialise `handler_name`, then answer invocations from `in_fd` until it closes; the exit status."""
    # Children the handler starts must not hold our pipe ends, or the pool would miss this process's death.
    os.set_inheritable(in_fd, False)
    os.set_inheritable(out_fd, False)
    _install_lambda_logging()
    ready: Message = {"type": NEXT}
    if os.environ.pop(_DEBUGPY_ENV, None):
        ready["debugPort"] = _listen_for_debugger()
    tracker = SourceTracker(default_excluded_roots())
    try:
        handler = resolve_handler(handler_name)
    except HandlerError as fault:
        write_frame(out_fd, encode_frame(_with_sources(_error_message(fault.error), tracker)))
        return 1
    except Exception as raised:
        write_frame(
            out_fd, encode_frame(_with_sources(_error_message(error_from_exception(raised, _THIS_FILE)), tracker))
        )
        return 1
    write_frame(out_fd, encode_frame(_with_sources(ready, tracker)))
    invocations = FrameReader(in_fd)
    while (invocation := invocations.next_message()) is not None:
        if invocation.get("type") == INVOCATION:
            write_frame(out_fd, _invoke(handler, invocation, tracker))
    return 0


def _listen_for_debugger() -> int:
    """Start debugpy's adapter on a free loopback port (the dev server relays editors to it); the port."""
    import debugpy

    _, port = debugpy.listen(("127.0.0.1", 0))
    return int(port)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(
            "usage: python -m devserver.runtime.worker IN_FD OUT_FD (started by the sst-dev worker pool)",
            file=sys.stderr,
        )
        return 2
    return serve(int(argv[1]), int(argv[2]), os.environ["_HANDLER"])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
