"""The dev server: one long-lived process that loads the app, serves its Apis and keeps its workers fresh.

How it works: `DevServer.start()` loads `sst.config.py` (binding a loopback socket per Api as the config asks
for `api.url`), starts a uvicorn server per Api in this event loop, writes `.sst/outputs.json` and
`.sst/dev.json`, and starts watching the sources. Handlers run in worker processes owned by the `WorkerPool`;
the server itself never imports user handler code. Every event source (the gateways, S3 notifications, the Console,
`sst-dev invoke`) invokes through one `FunctionInvoker`, which adds bindings and waits for the emulator. On a change,
the `Reloader` (`devserver.reload`) decides: a config change calls `reload_config`, which re-loads the config and
re-mounts the routes in place (a bad edit keeps the last good app and prints the error); a handler change retires
the affected warm workers so the next request cold-starts the new code.
The app's `Auth`s (`devserver.auth`) answer under `/_sst/auth/` on every listener and check the JWT authorizers of
routes; their users live under `.sst/state/auth/<stage>/` (in memory when `persist` is off).
`stop()` stops the watcher, the listeners and every worker, and removes `dev.json`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from devserver.apigw.gateway import ApiGateway
from devserver.apigw.iam_authorizer import EmulatorIamAuthorizer
from devserver.apigw.websocket.gateway import WebSocketGateway
from devserver.apigw.websocket.management import ManagementApi
from devserver.app.binding import ssm_fallback_path, ssm_path
from devserver.app.loader import CONFIG_FILE, AppConfigError, load_app
from devserver.app.model import ApiSpec, AppSpec, FunctionSpec, RouteSpec, WebSocketApiSpec
from devserver.app.naming import ACCOUNT_ID, WEBSOCKET_LISTENER_PREFIX, websocket_listener
from devserver.aws.local_aws import LocalAws
from devserver.console.on_demand import ASGIApp, ConsoleOnDemand
from devserver.debug.debugger import Debugger
from devserver.debug.settings import DebugSettings, DebugSettingsError
from devserver.errors import StartError
from devserver.http.dispatch import DevApp
from devserver.http.listeners import Listeners
from devserver.http.tls import LocalTls, bundle_path, issue_local_tls, own_folder, remove_stale
from devserver.invocations import InvocationLog
from devserver.reload.reloader import Reloader
from devserver.runtime.invocation import Invocation
from devserver.runtime.invoker import FunctionInvoker
from devserver.runtime.pool import WorkerPool
from devserver.state.files import (
    dev_file,
    emulator_state_dir,
    outputs_document,
    remove_dev_file,
    state_dir,
    write_json,
)
from devserver.state.secrets import SecretsStore, SecretValues
from devserver.state.types import write_types
from devserver.terminal import Terminal
from devserver.triggers.deliveries import TriggerDelivery
from devserver.triggers.s3_notifications import Delivery

if TYPE_CHECKING:
    from devserver.auth.service import AuthService
    from devserver.cloud.cloud_aws import CloudAws
    from emulator.process import EmulatorProcess

__all__ = ["DevServer", "ServerOptions"]

T = TypeVar("T")

CONSOLE_LISTENER = "_console"


@dataclass(frozen=True)
class ServerOptions:
    app_dir: Path
    stage: str
    host: str = "127.0.0.1"
    port: int = 3000
    emulator_port: int = 0
    enforce_iam: bool = True
    debug: DebugSettings = field(default_factory=DebugSettings)
    persist: bool = True
    """Keep the emulator's data under `.sst/state/emulator/<stage>/` across restarts. Off for the pytest fixture,
    whose every test starts from empty buckets anyway."""
    publish: bool = True
    """Write `.sst/outputs.json` and `.sst/dev.json`. Off for servers that must not pose as `sst-dev start`: the
    pytest fixture's and `sst-dev invoke`'s embedded ones (their URLs are ephemeral)."""
    max_workers_per_function: int = 8
    watch: bool = True
    cloud: bool = False
    """The app's resources in the AWS account of the standard credential chain, not in the emulator (`--cloud`)."""
    allow_prod: bool = False
    """Let `cloud` use a stage named like production."""


@dataclass
class _Running:
    app: AppSpec
    gateways: dict[str, ApiGateway] = field(default_factory=dict)
    websocket_gateways: dict[str, WebSocketGateway] = field(default_factory=dict)


class DevServer:
    """`sst-dev start`, as an object tests can start and stop in-process."""

    def __init__(self, options: ServerOptions, *, terminal: Terminal | None = None) -> None:
        self.options = options
        self.app_dir = options.app_dir.resolve()
        self.terminal = terminal or Terminal()
        self.listeners = Listeners(options.host, options.port)
        self._console_app = ConsoleOnDemand(self._build_console, self.health)
        self._auth: AuthService | None = None
        self._auth_lock = threading.Lock()  # the service is built on first use, from the loop or a request thread
        self._running: _Running | None = None
        self._aws: LocalAws | CloudAws | None = None
        self._pool: WorkerPool | None = None
        self._debugger: Debugger | None = None
        self._invoker = FunctionInvoker(app=lambda: self.app, warn=self.terminal.warning)
        self.invocations = InvocationLog()
        self._reloader: Reloader | None = None
        self._tls: asyncio.Task[LocalTls] | None = None
        self._dev_file_task: asyncio.Task[None] | None = None
        self._authorize_iam = EmulatorIamAuthorizer(
            lambda: self.emulator.endpoint, enforce_policies=options.enforce_iam
        )

    @property
    def aws(self) -> LocalAws | CloudAws:
        """Where the app's resources live (the emulator, or the account with `--cloud`) and notification delivery
        (once started)."""
        if self._aws is None:
            raise RuntimeError("the dev server is not started")
        return self._aws

    @property
    def local_aws(self) -> LocalAws:
        """The emulator's side; there is none with `--cloud` (`check_cloud_app` refuses what would need it)."""
        aws = self.aws
        if not isinstance(aws, LocalAws):
            raise RuntimeError("there is no emulator with --cloud")
        return aws

    @property
    def emulator(self) -> EmulatorProcess:
        return self.local_aws.emulator

    @property
    def auth(self) -> AuthService:
        """The app's local user pools and identity pools (once started), built on first use: an app that never
        signs anyone in never loads the JWT, crypto and boto3 libraries they need."""
        with self._auth_lock:
            if self._auth is None:
                self._auth = self._auth_service(self.app)
            return self._auth

    @property
    def pool(self) -> WorkerPool:
        return _started(self._pool)

    @property
    def debugger(self) -> Debugger:
        return _started(self._debugger)

    @property
    def app(self) -> AppSpec:
        assert self._running is not None, "the server is not started"
        return self._running.app

    @property
    def stage(self) -> str:
        return self.options.stage

    def api_url(self, listener: str) -> str:
        """The URL of an Api's listener, or of a WebSocketApi's (which never takes `--port`, kept for the first Api)."""
        return self.listeners.url_for(listener, may_take_first=not listener.startswith(WEBSOCKET_LISTENER_PREFIX))

    def websocket_gateway(self, api_id: str) -> WebSocketGateway:
        """The gateway serving the app's WebSocketApi `api_id` (its open connections); KeyError when none is served."""
        assert self._running is not None, "the server is not started"
        return self._running.websocket_gateways[api_id]

    @property
    def console_origins(self) -> frozenset[str]:
        return self.listeners.origins()

    @property
    def console_url(self) -> str:
        return self.listeners.url_for(self._console_listener()) + "/_sst/"

    def health(self) -> dict[str, object]:
        """What `GET /_sst/api/health` answers: how tools tell that a server in `.sst/dev.json` is alive, and
        which app it serves."""
        app = self.app
        return {"status": "ok", "app": app.name, "stage": app.stage, "pid": os.getpid()}

    def _build_console(self) -> ASGIApp:
        from devserver.console.app import create_console_app  # FastAPI loads here, on the Console's first use

        return create_console_app(self)

    def _console_listener(self) -> str:
        apis = self._running.app.apis if self._running else ()
        return apis[0].id if apis else CONSOLE_LISTENER

    async def start(self) -> None:
        """Start everything; on any failure stop what already started, so nothing is left behind."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        began = time.perf_counter()
        self._check_state_dir()
        account = await self._cloud_account() if self.options.cloud else ACCOUNT_ID
        try:
            app = load_app(self.app_dir, stage=self.options.stage, api_url=self.api_url, account=account)
        except AppConfigError as error:
            raise StartError(str(error)) from None
        self._running = _Running(app)
        self._aws = self._cloud_aws(app, account) if self.options.cloud else self._local_aws(app)
        self.aws.spawn()
        self._debugger = Debugger(self.options.debug, announce=self.terminal.info)
        try:
            unknown = self.options.debug.unknown_functions(app.all_functions())
            if unknown:
                raise StartError(f"--debug names no function of the app: {unknown[0]}")
            await self.debugger.start()
            await self.debugger.expose(app.all_functions())
        except (DebugSettingsError, OSError) as error:
            raise StartError(f"cannot start the debugger: {error}") from None
        self._pool = WorkerPool(
            max_workers_per_function=self.options.max_workers_per_function,
            log_sink=self.terminal.log,
            base_environment=self.aws.endpoint.environment(),
            debug=self.debugger,
        )
        self._invoker.attach(self.pool, self.aws)
        if app.websocket_apis:
            self._start_local_tls()  # a child makes it, the first time, while the emulator starts
        await self.aws.start(app, secrets=self.secrets.parameters(app.name))
        await self._mount(app)
        self._write_app_files(app)
        if self.options.publish:
            self._dev_file_task = asyncio.create_task(self._write_dev_file_when_ready())
        if self.options.watch:
            self._reloader = Reloader(
                self.app_dir,
                app=lambda: self.app,
                pool=self.pool,
                reload_config=self.reload_config,
                warn=self.terminal.warning,
            )
            self.pool.on_sources = self._reloader.watch_sources
            self._reloader.start()
        self.terminal.ready(
            app=app.name,
            stage=app.stage,
            apis=[(api.id, self.api_url(api.id)) for api in app.apis],
            websocket_apis=[(api.id, str(app.resources["WebSocketApi"][api.id]["url"])) for api in app.websocket_apis],
            console_url=self.console_url,
            emulator=self.emulator.endpoint if isinstance(self.aws, LocalAws) else None,
            routes=[(route.key, route.function.handler) for api in app.apis for route in api.routes],
            seconds=time.perf_counter() - began,
        )

    def _local_aws(self, app: AppSpec) -> LocalAws:
        return LocalAws(
            host=self.options.host,
            port=self.options.emulator_port,
            region=app.region,
            invoke=self._invoker.invoke,
            terminal=self.terminal,
            on_delivery=self._record_delivery,
            on_trigger_delivery=self._record_trigger_delivery,
            enforce_iam=self.options.enforce_iam,
            state_dir=emulator_state_dir(self.app_dir, self.options.stage) if self.options.persist else None,
        )

    async def _cloud_account(self) -> str:
        """With `--cloud`: the stage is allowed, and the account id the credential chain names."""
        from devserver.cloud.start import account_id, check_cloud_stage  # `--cloud` only: keeps botocore out

        check_cloud_stage(self.options.stage, allow_prod=self.options.allow_prod)
        return await asyncio.to_thread(account_id, None)

    def _cloud_aws(self, app: AppSpec, account: str) -> CloudAws:
        from devserver.cloud.account import CloudAccount
        from devserver.cloud.cloud_aws import CloudAws
        from devserver.cloud.start import check_cloud_app

        check_cloud_app(app)
        return CloudAws(
            account=CloudAccount(app.region),
            account_id=account,
            region=app.region,
            invoke=self._invoker.invoke,
            terminal=self.terminal,
            on_delivery=self._record_delivery,
            on_trigger_delivery=self._record_trigger_delivery,
        )

    def _auth_service(self, app: AppSpec) -> AuthService:
        from devserver.auth.identity_pool import IdentityPool
        from devserver.auth.service import AuthService
        from devserver.auth.users import UserStore, auth_state_dir

        folder = auth_state_dir(self.app_dir, self.options.stage) if self.options.persist else None
        service = AuthService(
            UserStore(folder, region=app.region),
            IdentityPool(lambda: self.emulator.client("iam")),
            base_url=lambda: self.listeners.url_for(self._console_listener()),
        )
        service.configure(app.auths)
        return service

    def _check_state_dir(self) -> None:
        SecretsStore(self.app_dir, self.options.stage)  # a stage name must be safe to use as a folder name
        if not self.app_dir.is_dir():
            raise StartError(f"app folder {self.app_dir} does not exist (pass --app DIR)")
        if not (self.app_dir / CONFIG_FILE).is_file():
            raise StartError(f"{self.app_dir} has no {CONFIG_FILE} (pass --app DIR pointing at your app folder)")
        folder = state_dir(self.app_dir)
        try:
            folder.mkdir(exist_ok=True)
            probe = folder / f".write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise StartError(f"state folder {folder} is not writable ({error.strerror}): fix its permissions") from None

    async def _mount(self, app: AppSpec) -> None:
        running = self._running
        assert running is not None
        for api in app.apis:
            gateway = running.gateways.get(api.id)
            if gateway is None:
                gateway = running.gateways[api.id] = self._gateway(api)
                await self.listeners.serve(api.id, DevApp(gateway, self._console_app))
            else:
                gateway.mount(api)
        for api_id in set(running.gateways) - {api.id for api in app.apis}:
            running.gateways[api_id].mount(ApiSpec(api_id, ()))  # removed from the config: every path is a 404
        if not app.apis:
            await self.listeners.serve(CONSOLE_LISTENER, DevApp(None, self._console_app))
        for websocket_api in app.websocket_apis:
            websocket_gateway = running.websocket_gateways.get(websocket_api.id)
            if websocket_gateway is None:
                running.websocket_gateways[websocket_api.id] = await self._serve_websocket_api(websocket_api)
            else:
                websocket_gateway.mount(websocket_api)
        for api_id in set(running.websocket_gateways) - {api.id for api in app.websocket_apis}:
            running.websocket_gateways[api_id].mount(None)  # removed from the config: handshakes are refused

    async def _serve_websocket_api(self, api: WebSocketApiSpec) -> WebSocketGateway:
        """Serve a WebSocket API on its listener, and its management API over TLS on a port of its own."""
        listener = websocket_listener(api.id)
        management = listener + ".management"
        gateway = WebSocketGateway(
            api,
            app=self.app.name,
            stage=self.app.stage,
            invoke=self._invoker.invoke,
            terminal=self.terminal,
            domain_name=lambda: self._domain_name(management),
        )
        gateway.observers.append(self._record_websocket)
        self._start_local_tls()
        assert self._tls is not None
        self.listeners.url_for(management, ephemeral=True)
        manager = ManagementApi(gateway, region=self.app.region, authorize=self._authorize_iam)
        await self.listeners.serve(management, manager, tls=await self._tls)
        await self.listeners.serve(listener, gateway)
        return gateway

    def _start_local_tls(self) -> None:
        """Start getting the management APIs' certificate (once; kept across runs, made by a child when missing:
        `devserver.http.tls`); new workers trust it through `AWS_CA_BUNDLE`, whose file exists before any
        WebSocketApi serves a connection."""
        if self._tls is None:
            remove_stale(self._tls_root())
            self._tls = asyncio.create_task(issue_local_tls(self._tls_root(), self.options.host))
            self.pool.add_base_environment({"AWS_CA_BUNDLE": str(bundle_path(self._tls_root()))})

    def _tls_root(self) -> Path:
        return state_dir(self.app_dir) / "tls"

    def _domain_name(self, listener: str) -> str:
        """The `host:port` functions reach a management API at (a loopback address when listening on all)."""
        netloc = self.listeners.url_for(listener).removeprefix("http://")
        return netloc.replace("0.0.0.0", "127.0.0.1", 1).replace("[::]", "[::1]", 1)

    def _gateway(self, api: ApiSpec) -> ApiGateway:
        gateway = ApiGateway(
            api,
            app=self.app.name,
            stage=self.app.stage,
            invoke=self._invoker.invoke,
            terminal=self.terminal,
            region=self.app.region,
            verify_token=lambda auth_id, token, client_ids: self.auth.verify(auth_id, token, client_ids=client_ids),
            authorize_iam=self._authorize_iam,
        )
        gateway.observers.append(self._record_request)
        return gateway

    def _record_request(self, trigger: str, route: RouteSpec, event: Mapping[str, object], outcome: Invocation) -> None:
        self.invocations.record(trigger, route.key, route.function, event, outcome)

    def _record_websocket(
        self, detail: str, function: FunctionSpec, event: Mapping[str, object], outcome: Invocation
    ) -> None:
        self.invocations.record("websocket", detail, function, event, outcome)

    def _record_delivery(self, delivery: Delivery) -> None:
        function = self.function_named(delivery.function_name)
        if function is not None:
            detail = f"{delivery.bucket}/{delivery.key} {delivery.event_name}"
            self.invocations.record("s3", detail, function, delivery.event, delivery.invocation)

    def _record_trigger_delivery(self, delivery: TriggerDelivery) -> None:
        function = self.function_named(delivery.function_name)
        if function is not None:
            self.invocations.record(delivery.source, delivery.detail, function, delivery.event, delivery.invocation)

    def function_named(self, name: str) -> FunctionSpec | None:
        return next((spec for spec in self.app.all_functions() if spec.name == name), None)

    async def invoke(self, function: FunctionSpec, event: object, *, request_id: str | None = None) -> Invocation:
        """Run one event through `function` with its bindings, once the emulator holds the app's resources."""
        return await self._invoker.invoke(function, event, request_id=request_id)

    def _write_app_files(self, app: AppSpec) -> None:
        """The typed resource stubs, `outputs.json` and (once the emulator holds the app) `dev.json`, rewritten
        whenever the stacks load."""
        write_types(app, self.app_dir)
        if self.options.publish:
            write_json(state_dir(self.app_dir) / "outputs.json", outputs_document(app))
            if self.aws.is_ready:
                write_json(dev_file(self.app_dir), self.dev_document())

    @property
    def secrets(self) -> SecretValues:
        """The stage's secret values: on disk, or with `--cloud` in the account's SSM."""
        if self._aws is not None and not isinstance(self._aws, LocalAws):
            from devserver.cloud.secrets import CloudSecrets

            return CloudSecrets(self._aws.client("ssm"), self.app_dir, self.app.name, self.options.stage)
        return SecretsStore(self.app_dir, self.options.stage)

    async def secrets_changed(self, names: list[str]) -> int:
        """After `sst-dev secrets set/remove`: update SSM and retire the warm workers of functions bound to `names`.

        Returns how many workers were retired; their next invocation reads the new values at its cold start.
        """
        await self.aws.ready()
        app = self.app
        present = self.secrets.parameters(app.name)
        stale = [
            path
            for name in names
            for path in (
                ssm_path(app.name, app.stage, "Secret", name, "value"),
                ssm_fallback_path(app.name, "Secret", name, "value"),
            )
            if path not in present
        ]
        await self.aws.update_secrets(present, stale)
        bound = {f"Secret.{name}" for name in names}
        return self.pool.retire(lambda spec: not bound.isdisjoint(spec.bind))

    async def _write_dev_file_when_ready(self) -> None:
        # Tools that find the server through dev.json (sst-dev bind, invoke) expect its emulator to hold the app.
        await self.aws.ready()
        write_json(dev_file(self.app_dir), self.dev_document())

    def dev_document(self) -> dict[str, object]:
        """The contents of `.sst/dev.json`."""
        app, aws = self.app, self.aws
        return {
            "app": app.name,
            "stage": app.stage,
            "pid": os.getpid(),
            "api": {api.id: {"url": self.api_url(api.id)} for api in app.apis},
            "console": {"url": self.console_url},
            "emulator": aws.endpoint.dev_document(),
            **({} if isinstance(aws, LocalAws) else {"cloud": aws.dev_document()}),
            "resources": {
                kind: {cid: dict(props) for cid, props in ids.items()} for kind, ids in app.resources.items()
            },
        }

    async def reload_config(self) -> None:
        """Re-load `sst.config.py`; on error keep serving the last good app and print why."""
        try:
            app = load_app(self.app_dir, stage=self.options.stage, api_url=self.api_url)
        except AppConfigError as error:
            self.terminal.warning(f"{error} (still serving the last good config)")
            return
        assert self._running is not None
        try:
            await self.aws.apply(app, secrets=self.secrets.parameters(app.name))
        except Exception as error:
            self.terminal.warning(f"could not create the new config's resources in the emulator: {error}")
        self._running.app = app
        await asyncio.to_thread(self._reconfigure_auth, app)
        self._invoker.forget_bindings()
        await self.debugger.expose(app.all_functions())
        self.pool.retire(lambda spec: True)
        await self._mount(app)
        self._write_app_files(app)
        self.terminal.info(f"reloaded {CONFIG_FILE}: {sum(len(api.routes) for api in app.apis)} routes mounted")

    def _reconfigure_auth(self, app: AppSpec) -> None:
        with self._auth_lock:  # a service being built meanwhile reads the new app, or is done and is told here
            if self._auth is not None:
                self._auth.configure(app.auths)

    async def stop(self) -> None:
        """Stop whatever is running (also after a failed start): no worker, emulator or socket is left behind."""
        if self._dev_file_task is not None:  # dev.json describes a running server, and is made from its listeners
            self._dev_file_task.cancel()
            await asyncio.gather(self._dev_file_task, return_exceptions=True)
        # Notifications in flight still need the workers, so the dispatcher (in aws) closes before the pool.
        if self._reloader is not None:
            await self._reloader.aclose()
        if self._running is not None:  # clients are told first, and each $disconnect runs while workers are up
            await asyncio.gather(*(gateway.aclose() for gateway in self._running.websocket_gateways.values()))
        await self.listeners.aclose()
        await self._authorize_iam.aclose()
        if self._aws is not None:
            await self._aws.aclose()
        if self._pool is not None:
            await self._pool.aclose()
        if self._debugger is not None:
            await self._debugger.aclose()
        if self._tls is not None:
            await asyncio.gather(self._tls, return_exceptions=True)  # its child is short-lived: let it finish
            shutil.rmtree(own_folder(self._tls_root()), ignore_errors=True)
        if self.options.publish:
            remove_dev_file(self.app_dir, os.getpid())

    async def serve_forever(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()


def _started(part: T | None) -> T:
    if part is None:
        raise RuntimeError("the dev server is not started")
    return part
