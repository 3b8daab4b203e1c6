"""HTTP listeners: one loopback socket and embedded uvicorn server per `Api`, sharing the dev server's event loop.

How it works: `url_for(api_id)` binds a socket the first time an Api asks for its URL (while `sst.config.py`
loads, so `api.url` is real), at `--port` for the first Api and the next free ports after it for the other Apis and
the WebSocketApis, whatever order they are defined in (ephemeral ports when `--port 0`). `serve()` starts a
uvicorn server on each socket inside the running loop. uvicorn's own signal handling is switched off: sst-dev owns
Ctrl-C and SIGTERM and stops every server itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import uvicorn

from devserver.errors import StartError
from devserver.http.protocol import CoalescingHttpProtocol
from emulator.quiet_server import QuietServer

if TYPE_CHECKING:
    from devserver.http.tls import LocalTls

__all__ = ["EmbeddedServer", "Listener", "Listeners", "PortInUse", "bind_socket"]

ASGIApp = Callable[..., object]

_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"})
_MAX_WEBSOCKET_MESSAGE = 128 * 1024
"""API Gateway's limit on a WebSocket message: a bigger one closes the connection (1009, message too big)."""
_PORTS_TRIED = 100
"""How many ports from `--port` on a listener other than the first Api's may try before giving up."""


class EmbeddedServer(QuietServer):
    """A uvicorn server inside the dev server's loop: sst-dev, which runs several of them in one loop, owns SIGINT
    and SIGTERM and stops each server itself. It sleeps while idle (`emulator.quiet_server`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class PortInUse(StartError):
    """The port asked for is taken by another process."""


def bind_socket(host: str, port: int, flag: str) -> socket.socket:
    """A listening TCP socket; a taken port becomes a one-line error naming the port and the flag to change
    (`PortInUse`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they are TCP, and with
    # Nagle on, a keep-alive client's delayed ACKs stall every response for ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {host} is already in use: pass {flag} PORT to use another") from None
        raise StartError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


@dataclass
class Listener:
    name: str
    sock: socket.socket
    ephemeral: bool = False
    app: ASGIApp | None = None
    server: EmbeddedServer | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])


class Listeners:
    """The dev server's sockets, by name (an Api id, or `console`)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.first_port = port
        self._by_name: dict[str, Listener] = {}

    def url_for(self, name: str, *, ephemeral: bool = False, may_take_first: bool = True) -> str:
        """`http://host:port` of the listener `name`, bound on first use: at the first free one of `--port` and
        the ports after it (after it only, unless `may_take_first`: `--port` is kept for the first Api), or at any
        free port when `ephemeral` (for endpoints nobody types, found in the events that name them)."""
        listener = self._by_name.get(name) or self._bind(name, ephemeral=ephemeral, may_take_first=may_take_first)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{listener.port}"

    def origins(self) -> frozenset[str]:
        """The origins a browser gives the pages these listeners serve: ``http://host:port`` of each, and for a
        loopback (or every-interface) host the port under each name of the loopback, which all reach it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        names = _LOOPBACK_NAMES if self.host in _LOOPBACK_HOSTS else (host,)
        return frozenset(
            f"http://{name}:{listener.port}" for listener in self if not listener.ephemeral for name in names
        )

    def _bind(self, name: str, *, ephemeral: bool, may_take_first: bool) -> Listener:
        if not self.first_port or ephemeral:
            sock = bind_socket(self.host, 0, "--port")
        else:
            sock = self._bind_next_free(self.first_port + (0 if may_take_first else 1))
        listener = Listener(name, sock, ephemeral=ephemeral)
        self._by_name[name] = listener
        return listener

    def _bind_next_free(self, port: int) -> socket.socket:
        """`--port` itself when `port` is it (taken by another process: the error says so); else the first port from
        `port` on that no listener of ours and no other process holds."""
        ours = {listener.port for listener in self._by_name.values()}
        candidates = [candidate for candidate in range(port, min(port + _PORTS_TRIED, 65536)) if candidate not in ours]
        for candidate in candidates:
            try:
                return bind_socket(self.host, candidate, "--port")
            except PortInUse:
                if candidate == self.first_port:
                    raise
        raise StartError(
            f"no free port on {self.host} among the {_PORTS_TRIED} after {self.first_port}: pass --port PORT to use "
            "another"
        )

    def get(self, name: str) -> Listener | None:
        return self._by_name.get(name)

    def __iter__(self) -> Iterator[Listener]:
        return iter(list(self._by_name.values()))

    async def serve(self, name: str, app: ASGIApp, *, tls: LocalTls | None = None) -> None:
        """Start serving `app` on the listener `name` (binding it if needed), over HTTPS with `tls`'s certificate
        when given; no-op when already serving."""
        self.url_for(name)
        listener = self._by_name[name]
        if listener.server is not None:
            return
        config = uvicorn.Config(
            app,
            http=CoalescingHttpProtocol,
            lifespan="off",
            proxy_headers=False,  # API Gateway's sourceIp is the peer, whatever X-Forwarded-For claims
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=1,
            ws_max_size=_MAX_WEBSOCKET_MESSAGE,
        )
        if tls is not None:
            config.ssl_certfile, config.ssl_keyfile = str(tls.certificate), str(tls.key)
        listener.app = app
        listener.server = EmbeddedServer(config)
        listener.task = asyncio.create_task(listener.server.serve(sockets=[listener.sock]))
        while not listener.server.started and not listener.task.done():
            await asyncio.sleep(0.002)
        if listener.task.done():
            listener.task.result()

    async def aclose(self) -> None:
        for listener in self:
            if listener.server is not None:
                listener.server.should_exit = True
        await asyncio.gather(*(listener.task for listener in self if listener.task is not None), return_exceptions=True)
        for listener in self:
            listener.sock.close()
        self._by_name.clear()
