"""The emulator process: moto's WSGI app served by uvicorn on a listening socket its parent bound.

How it works: `emulator.process.EmulatorProcess` binds the endpoint's socket, opens two pipes and starts
`python -m emulator.server --socket-fd N --channel-fd M --lifeline-fd L ...` with those descriptors inherited.
This process builds moto's app, warms its services, installs the S3 event hooks, and serves the app with
uvicorn (through `emulator.wsgi_bridge`: each request on a worker thread, or on the loop when it is small and waits
for nothing) on the inherited socket. When uvicorn has started it writes `ready` on the channel; every S3 write or
delete then goes onto the channel as one JSON line (`emulator.channel_writer`: written at once when the pipe has
room, else by a writer thread), so an S3 response never waits for the parent. If the parent dies, the lifeline
pipe reads EOF and the process shuts itself down: no orphan outlives the dev server.

S3 object bodies live in files, never in moto's memory (`emulator.moto.bodies`), under `--state-dir` when given —
there buckets and objects are restored at start and every change is committed before its response leaves
(`emulator.moto.persistence`), and SQS queues and DynamoDB tables are restored at start and written shortly after
each change and at stop (`emulator.moto.service_persistence`); the folder's lock (`emulator.store.state_lock`)
arrives as `--state-lock-fd` and stays open for the process's life. Without a state folder the files go to the
`--scratch-dir` the parent made, where nothing is committed. The parent removes that folder once this process has
exited; this process removes it itself when the lifeline closes, for a parent that died. No exit hook would do:
uvicorn ends the process by re-raising SIGTERM.

The ASGI app handed to uvicorn is moto wrapped by the `--middleware MODULE:ATTR` factories, outermost first (see
`emulator.middleware`); they are named by import path because they are chosen in the parent and built here.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from emulator.channel import encode_ready
from emulator.channel_writer import ChannelWriter
from emulator.inline_requests import InlinePolicy
from emulator.middleware import ASGIApp, MiddlewareFactory, S3Lookups, wrap_with_middleware
from emulator.moto import content_encoding as moto_content_encoding
from emulator.moto import hot_paths as moto_hot_paths
from emulator.moto import listing as moto_listing
from emulator.moto import multipart as moto_multipart
from emulator.moto import request_errors as moto_request_errors
from emulator.moto import service_models as moto_service_models
from emulator.moto import tagging as moto_tagging
from emulator.moto import versioning as moto_versioning
from emulator.moto.acls import install as install_acls
from emulator.moto.acls import public_grants
from emulator.moto.app import MotoState, build_moto_wsgi_app, warm_up
from emulator.moto.bodies import DiskBackedValues
from emulator.moto.checksum_verification import ChecksumVerification
from emulator.moto.checksum_verification import install as install_checksums
from emulator.moto.footprint import with_partition_regions, without_flask_debug
from emulator.moto.object_puts import ObjectPuts
from emulator.moto.object_reads import ObjectReads
from emulator.moto.persistence import S3Persistence, WSGIApp
from emulator.moto.provisioning import plan_applier
from emulator.moto.s3_hooks import S3EventHooks
from emulator.moto.service_events import ServiceEventHooks
from emulator.moto.service_persistence import ServicePersistence
from emulator.process import EmulatorCredentials
from emulator.provisioning.endpoint import ProvisioningEndpoint
from emulator.quiet_server import QuietServer, event_loop_factory
from emulator.request_context import CurrentRequest, RequestContextMiddleware
from emulator.s3.events import RawS3Event
from emulator.s3.raw_events import Sequencer
from emulator.store.object_store import ObjectStore
from emulator.wsgi_bridge import WSGIBridge

__all__ = ["build_app", "load_middleware", "main"]

WSGI_THREADS = 8
"""moto requests are served on this many threads; moto is CPU-bound under the GIL, so more buys nothing."""


def build_app(
    region: str,
    credentials: EmulatorCredentials,
    channel: ChannelWriter,
    middleware: Sequence[MiddlewareFactory],
    store: ObjectStore,
    services: ServicePersistence | None = None,
    *,
    hold_until_provisioned: bool = False,
) -> ASGIApp:
    """moto with its services warmed, S3 events going to `channel`, behind `middleware`.

    S3 bodies live in files under `store` either way; a durable store also persists buckets and objects (restored
    here, every change committed). A store with `durable=False` only keeps bodies out of RAM: no record, no fsync.
    `services`, when given, restores SQS and DynamoDB here and is told of every change to them; the caller starts
    and closes it. In front of everything sits the provisioning endpoint (`emulator.provisioning.endpoint`), which
    holds every other request until the first plan is applied when `hold_until_provisioned`.
    """
    moto_app = build_moto_wsgi_app()
    without_flask_debug(moto_app)
    with_partition_regions()
    moto_hot_paths.install()
    moto_service_models.install()
    install_acls()
    moto_content_encoding.install()
    warm_up(moto_app, region)
    state = MotoState(credentials)
    current_request = CurrentRequest()
    moto_request_errors.install(current_request)
    store.open()
    DiskBackedValues(store).install()
    moto_listing.install()
    moto_multipart.install()
    moto_versioning.install()
    moto_tagging.install()
    install_checksums()
    emit: Callable[[RawS3Event], None] = channel.send_s3_event
    wsgi_app: WSGIApp = ChecksumVerification(ObjectPuts(moto_app), current_request, store)
    if store.durable:
        persistence = S3Persistence(store)
        persistence.restore()
        persistence.install()
        emit = persistence.after_commit(emit)
        wsgi_app = persistence.middleware(wsgi_app)
    S3EventHooks(emit, current_request, state.principal_for, Sequencer(time.time_ns)).install()
    if services is not None:
        services.restore()  # before the hooks: restored messages and items are not news to report
        wsgi_app = services.middleware(wsgi_app)
    ServiceEventHooks(channel.send_service_event).install()
    wsgi_app = RequestContextMiddleware(wsgi_app, current_request)
    asgi_app: ASGIApp = ObjectReads(
        WSGIBridge(wsgi_app, workers=WSGI_THREADS, inline=InlinePolicy(durable=store.durable))
    )
    lookups = S3Lookups(
        lookup_bucket_cors=state.lookup_bucket_cors,
        lookup_secret_key=state.lookup_secret_key,
        lookup_public_grants=public_grants,
        lookup_identity=state.lookup_identity,
        region=region,
    )
    provisioned = plan_applier(region, services.mark_changed if services is not None else lambda changed: None)
    return ProvisioningEndpoint(
        wrap_with_middleware(asgi_app, middleware, lookups),
        apply=provisioned,
        account_access_key_id=credentials.access_key_id,
        lookup_secret_key=state.lookup_secret_key,
        region=region,
        hold=hold_until_provisioned,
    )


def load_middleware(reference: str) -> MiddlewareFactory:
    """The factory named `package.module:attribute`."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise SystemExit(f"--middleware expects MODULE:ATTRIBUTE, got {reference!r}")
    factory: MiddlewareFactory = getattr(importlib.import_module(module_name), attribute)
    return factory


def _watch_lifeline(fd: int, scratch_dir: Path | None) -> None:
    """Block until the parent's end of the lifeline closes, then ask uvicorn to shut down.

    The parent closes the lifeline when it stops this process, or the kernel does when the parent died; then nobody
    else may remove the scratch folder, so it goes first (open bodies stay readable until their requests end).
    """
    with open(fd, "rb", buffering=0) as lifeline:
        lifeline.read()
    if scratch_dir is not None:
        shutil.rmtree(scratch_dir, ignore_errors=True)
    os.kill(os.getpid(), signal.SIGTERM)


class _Server(QuietServer):
    """uvicorn's server (sleeping while idle), calling `on_stopped` once it has stopped serving. uvicorn then
    re-raises the signal that stopped it, which ends the process before anything after `serve()` would run."""

    def __init__(self, config: uvicorn.Config, on_stopped: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_stopped = on_stopped

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        self._on_stopped()


async def _serve(server: uvicorn.Server, listener: socket.socket, channel: ChannelWriter) -> None:
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.002)
    if server.started:
        channel.send(encode_ready())
    await serving


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket-fd", type=int, required=True, help="inherited listening socket")
    parser.add_argument("--channel-fd", type=int, required=True, help="inherited pipe for ready and S3 events")
    parser.add_argument("--lifeline-fd", type=int, required=True, help="inherited pipe; EOF means the parent died")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key-id", default=EmulatorCredentials.access_key_id)
    parser.add_argument("--secret-access-key", default=EmulatorCredentials.secret_access_key)
    parser.add_argument(
        "--middleware", action="append", default=[], metavar="MODULE:ATTR", help="ASGI middleware factory; repeatable"
    )
    storage = parser.add_mutually_exclusive_group(required=True)
    storage.add_argument("--state-dir", type=Path, help="where S3 buckets and objects persist")
    storage.add_argument(
        "--scratch-dir", type=Path, help="where S3 bodies are kept, not persisted; the caller removes the folder"
    )
    parser.add_argument("--state-lock-fd", type=int, help="inherited descriptor holding the state folder's lock")
    parser.add_argument(
        "--hold-until-provisioned", action="store_true", help="hold every request until the first provisioning plan"
    )
    args = parser.parse_args(argv)

    # Flask/werkzeug would otherwise log every request moto serves.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    channel = ChannelWriter(args.channel_fd)
    threading.Thread(
        target=_watch_lifeline, args=(args.lifeline_fd, args.scratch_dir), name="emulator-lifeline", daemon=True
    ).start()
    credentials = EmulatorCredentials(args.access_key_id, args.secret_access_key)
    middleware = [load_middleware(reference) for reference in args.middleware]
    services: ServicePersistence | None = None
    try:
        store = ObjectStore(args.state_dir) if args.state_dir else ObjectStore(args.scratch_dir, durable=False)
        services = ServicePersistence(store) if store.durable else None
        app = build_app(
            args.region,
            credentials,
            channel,
            middleware,
            store,
            services,
            hold_until_provisioned=args.hold_until_provisioned,
        )
        if services is not None:
            services.start()
        # No proxy-header rewriting: clients reach the emulator directly, and S3 events name the real peer. No
        # WebSocket protocol either: no AWS API the emulator serves is one, and uvicorn's would load the `websockets`
        # library at start-up (about 10 ms and 0.6 MB after the emulator's other imports).
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            proxy_headers=False,
            ws="none",
        )
        listener = socket.socket(fileno=args.socket_fd)
        on_stopped = services.close if services is not None else lambda: None
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            runner.run(_serve(_Server(config, on_stopped), listener, channel))
    finally:
        if services is not None:
            services.close()
        channel.close()
        if args.state_lock_fd is not None:
            os.close(args.state_lock_fd)  # the next emulator on this folder may start once everything above is done


if __name__ == "__main__":
    main()
