"""The parent's handle on the emulator process: start it, talk to it with boto3, receive its S3 events, stop it.

How it works: `start()` binds the endpoint's listening socket here (so a taken port is a clear error at once and
port 0 resolves before anything else starts), opens a channel pipe and a lifeline pipe, and runs
`python -m emulator.server` (see its docstring) with the socket and both pipes inherited. It waits for `ready` on
the channel, then a reader thread turns every following line into an `on_s3_event(event)` call. The child runs in
its own session, so a Ctrl-C in the terminal reaches only the dev server, which stops the emulator in order; if the
dev server dies instead, the child sees its lifeline close and exits.
Without a state folder, the child keeps S3 bodies in a scratch folder made here and removed by `stop()` once the
child has exited (or by the child when its lifeline closes, if the parent died): not by an exit hook of the child,
since uvicorn ends it by re-raising SIGTERM, which skips them.

Why a separate process, and what it costs (figures from `make bench`, 2026-12-03, `benchmarks.emulator_s3` and
`benchmarks.emulator_memory`):
- It is not for the speed of a lone sequential client: our exact app on a thread of the client's process, on the
  same kind of event loop, served 245 PUT/s and 300 GET/s of 1 KiB, in its own process 214 and 292 (`ours_in_thread`
  vs `ours`; the process was ahead in an earlier run that day, and on 2026-12-02 the thread by 13–19 %).
- It keeps moto's work off the dev server's GIL: every S3 call a function makes would otherwise hold the GIL the
  event loop serving the app's routes, WebSockets and the Console needs. (Not benchmarked as such: the route and
  notification latency benchmarks run with the emulator in its own process, as `start` does.)
- It keeps moto's memory apart (peak 100.4 MB during a 100 MiB multipart upload, 103.2 MB during 1 GiB), where the
  dev server and its workers do not pay for it, and lets the dev server outlive an emulator crash.
`spawn()` returns at once so the dev server can do its own start-up meanwhile and call `wait_ready()` last; the socket
already listens, so early requests wait in the backlog. Most of the child's start-up is importing moto (its SSM
models would also import the EC2 tables: see `emulator.moto.deferred_ec2`).
"""

from __future__ import annotations

import errno
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from emulator.channel import ChannelError, Ready, S3EventMessage, ServiceEventMessage, decode_message
from emulator.s3.events import RawS3Event
from emulator.store.state_lock import StateDirError, lock_state_dir, s3_root

if TYPE_CHECKING:
    import boto3.session
    from botocore.client import BaseClient
    from botocore.config import Config

__all__ = ["EmulatorCredentials", "EmulatorProcess", "EmulatorStartError"]

logger = logging.getLogger(__name__)

Spawner = Callable[..., "subprocess.Popen[bytes]"]
STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class EmulatorCredentials:
    """The emulator account's credentials; `test`/`test` by default, as LocalStack."""

    access_key_id: str = "test"
    secret_access_key: str = "test"


class EmulatorStartError(Exception):
    """The emulator could not start; `code` is stable and the message is one line naming the offending value."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class EmulatorProcess:
    """The emulator endpoint (S3, SSM, STS, IAM, KMS, DynamoDB) in a child process. Also a context manager.

    `on_s3_event(event)` is called on a reader thread for every S3 write and delete, after the S3 call answered or while
    it does; `on_service_event(service, event)` likewise for every SQS send, SNS publish, EventBridge event and DynamoDB
    stream record (`emulator.moto.service_events`). `middleware` names ASGI middleware factories (`module:attribute`,
    outermost first) to put in front of moto; see `emulator.middleware`. `spawn` starts the process
    (`subprocess.Popen`'s signature).

    `state_dir` is where S3 buckets and objects persist (under `state_dir/s3/`, see `emulator.moto.persistence`): an
    emulator started on the same folder finds them again, and an acknowledged write survives even `kill -9`. Only
    one emulator may use a folder at a time. Without it, objects live in a temporary folder removed by `stop()`.

    With `hold_until_provisioned`, the emulator answers nothing but a provisioning plan until it has had its first
    one (`emulator.provisioning.endpoint`).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        on_s3_event: Callable[[RawS3Event], None] | None = None,
        on_service_event: Callable[[str, dict[str, object]], None] | None = None,
        credentials: EmulatorCredentials | None = None,
        middleware: Sequence[str] = (),
        state_dir: Path | None = None,
        hold_until_provisioned: bool = False,
        spawn: Spawner = subprocess.Popen,
    ) -> None:
        self.host = host
        self.region = region
        self.credentials = credentials or EmulatorCredentials()
        self._requested_port = port
        self._on_s3_event = on_s3_event
        self._on_service_event = on_service_event
        self._middleware = tuple(middleware)
        self.state_dir = state_dir
        self._hold_until_provisioned = hold_until_provisioned
        self._spawn = spawn
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: IO[bytes] | None = None
        self._lifeline: int | None = None
        self._scratch_dir: Path | None = None
        self._reader: threading.Thread | None = None
        self._session: boto3.session.Session | None = None
        self._session_lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        """`http://127.0.0.1:PORT`: the one endpoint_url for every service."""
        if self._port is None:
            raise RuntimeError("the emulator has not been started")
        return f"http://{self.host}:{self._port}"

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator has not been started")
        return self._port

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, timeout: float = 15.0) -> None:
        """Start the emulator and return once it answers requests; raises `EmulatorStartError`."""
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        """Bind the endpoint and start the process, without waiting for it to be ready."""
        if self._process is not None:
            raise RuntimeError("the emulator is already started")
        state_lock = self._lock_state()
        try:
            listener = self._bind()
        except BaseException:
            if state_lock is not None:
                os.close(state_lock)
            raise
        channel_read, channel_write = os.pipe()
        lifeline_read, lifeline_write = os.pipe()
        command = [
            sys.executable, "-m", "emulator.server",
            "--socket-fd", str(listener.fileno()),
            "--channel-fd", str(channel_write),
            "--lifeline-fd", str(lifeline_read),
            "--region", self.region,
            "--access-key-id", self.credentials.access_key_id,
            "--secret-access-key", self.credentials.secret_access_key,
        ]  # fmt: skip
        for reference in self._middleware:
            command += ["--middleware", reference]
        if self._hold_until_provisioned:
            command.append("--hold-until-provisioned")
        inherited = [listener.fileno(), channel_write, lifeline_read]
        if self.state_dir is not None and state_lock is not None:
            command += ["--state-dir", str(s3_root(self.state_dir)), "--state-lock-fd", str(state_lock)]
            inherited.append(state_lock)
        else:
            self._scratch_dir = Path(tempfile.mkdtemp(prefix="sst-dev-s3-"))
            command += ["--scratch-dir", str(self._scratch_dir)]
        try:
            self._process = self._spawn(
                command, pass_fds=tuple(inherited), start_new_session=True, env=_child_environment(os.environ)
            )
        except OSError as error:
            for fd in (channel_read, channel_write, lifeline_read, lifeline_write):
                os.close(fd)
            self._remove_scratch_dir()
            raise EmulatorStartError("Emulator.SpawnFailed", f"cannot start the emulator process: {error}") from None
        finally:
            listener.close()
            if state_lock is not None:
                os.close(state_lock)  # the child's copy holds the lock from now on
        os.close(channel_write)
        os.close(lifeline_read)
        self._channel = open(channel_read, "rb")  # noqa: SIM115 - closed in stop()
        self._lifeline = lifeline_write

    def _lock_state(self) -> int | None:
        if self.state_dir is None:
            return None
        try:
            return lock_state_dir(self.state_dir)
        except StateDirError as error:
            raise EmulatorStartError(error.code, str(error)) from None

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Wait for the spawned process to report ready; on failure it is stopped and `EmulatorStartError` raised."""
        assert self._channel is not None and self._process is not None, "spawn() first"
        try:
            self._await_ready(self._channel, self._process, time.monotonic() + timeout, timeout)
        except EmulatorStartError:
            self.stop()
            raise
        self._reader = threading.Thread(target=self._read_events, args=(self._channel,), name="emulator-events")
        self._reader.daemon = True
        self._reader.start()

    def client(self, service: str, config: Config | None = None) -> BaseClient:
        """A boto3 client for `service` on the endpoint, with the emulator's credentials and region.

        S3 clients sign with SigV4 (`s3v4`), as production does; botocore may otherwise pick SigV2 for presigned
        URLs against a custom endpoint. Every client comes from one boto3 session, so each service's model is
        loaded once (a fresh session per client cost ~170 ms and ~8 MB that stayed resident); clients are
        thread-safe, creating them from a session is not, hence the lock. boto3 is imported by the first call: the
        dev server makes none unless the Console or an `Auth` needs one.
        """
        import boto3.session
        from botocore.config import Config

        base = Config(signature_version="s3v4") if service == "s3" else Config()
        with self._session_lock:
            if self._session is None:
                self._session = boto3.session.Session()
            client: BaseClient = self._session.client(
                service,
                endpoint_url=self.endpoint,
                region_name=self.region,
                aws_access_key_id=self.credentials.access_key_id,
                aws_secret_access_key=self.credentials.secret_access_key,
                config=base if config is None else base.merge(config),
            )
        return client

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after a grace period) and the reader; safe to call twice."""
        process, self._process = self._process, None
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(STOP_GRACE_SECONDS)
            self._reader = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._remove_scratch_dir()

    def _remove_scratch_dir(self) -> None:
        if self._scratch_dir is not None:
            shutil.rmtree(self._scratch_dir, ignore_errors=True)
            self._scratch_dir = None

    def __enter__(self) -> EmulatorProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the listener says TCP;
        # without it Nagle's algorithm and delayed ACKs add ~40 ms to every response written in two parts.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self._requested_port))
        except OSError as error:
            listener.close()
            if error.errno == errno.EADDRINUSE:
                raise EmulatorStartError(
                    "Emulator.PortInUse",
                    f"emulator port {self._requested_port} on {self.host} is already in use; "
                    "choose another with --emulator-port",
                ) from None
            raise EmulatorStartError(
                "Emulator.BindFailed", f"cannot listen on {self.host}:{self._requested_port}: {error.strerror}"
            ) from None
        listener.listen(socket.SOMAXCONN)
        self._port = listener.getsockname()[1]
        return listener

    @staticmethod
    def _await_ready(channel: IO[bytes], process: subprocess.Popen[bytes], deadline: float, timeout: float) -> None:
        while (remaining := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([channel], [], [], remaining)
            if not readable:
                break
            line = channel.readline()
            if not line:
                code = process.wait()
                raise EmulatorStartError(
                    "Emulator.ProcessExited", f"the emulator process exited with status {code} before it was ready"
                )
            if isinstance(decode_message(line), Ready):
                return
        raise EmulatorStartError("Emulator.StartTimeout", f"the emulator was not ready within {timeout:g} s")

    def _read_events(self, channel: IO[bytes]) -> None:
        for line in _lines(channel):
            try:
                message = decode_message(line)
            except ChannelError as error:
                logger.error("%s", error)
                continue
            if isinstance(message, S3EventMessage) and self._on_s3_event is not None:
                try:
                    self._on_s3_event(message.event)
                except Exception:  # a failing consumer must not stop delivery of later events
                    logger.exception("on_s3_event failed for %s", message.event.get("key"))
            elif isinstance(message, ServiceEventMessage) and self._on_service_event is not None:
                try:
                    self._on_service_event(message.service, message.event)
                except Exception:
                    logger.exception("on_service_event failed for %s", message.service)


def _child_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment, with glibc's malloc told to give large buffers back to the system when freed, and to
    keep the small ones a request makes.

    glibc raises its mmap threshold to the largest block freed (up to 32 MiB), after which moto's multi-MiB request
    bodies are carved from per-thread heaps that never shrink: measured, 200 MiB uploaded in 8 MiB parts left the
    emulator at 440 MB resident for good. A fixed threshold keeps blocks of 4 MiB and more in their own mappings,
    returned when freed. It sits above the pieces of up to 1 MiB every request handles (request bodies kept in
    memory, body chunks read and sent): as mappings, each of those cost a fresh, page-faulted allocation — measured,
    256 KiB made a sequential 1 MiB PutObject take ≈ 3 ms more server CPU (≈ 10.7 ms vs 7.5 ms), while 1 GiB
    uploaded in 8 MiB parts peaked at ≈ 118 MB either way.

    Fixing the mmap threshold also fixes the trim threshold at glibc's 128 KiB: each free at the top of a heap then
    handed the pages back, and the next request faulted them in again. Trimming only beyond 4 MiB keeps them, for
    about 1 MB more resident. `benchmarks.emulator_s3` measures a durable emulator with glibc's threshold beside
    ours in every run (`ours_durable_vs_glibc_trim`); on 2026-12-03, 1 MiB PUTs ran 1.38×, 1.12×, 1.23×, 1.03× and
    1.16× as fast with it in five runs and 0.98× in a sixth (docs/benchmarks.md).
    """
    four_mib = str(4 * 1024 * 1024)
    return {"MALLOC_MMAP_THRESHOLD_": four_mib, "MALLOC_TRIM_THRESHOLD_": four_mib, **parent}


def _lines(channel: IO[bytes]) -> Iterator[bytes]:
    """The channel's lines until EOF (the emulator process ended) or until `stop()` closes it."""
    while True:
        try:
            line = channel.readline()
        except (OSError, ValueError):
            return
        if not line:
            return
        yield line
