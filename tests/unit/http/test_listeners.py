"""Which port each listener gets: `--port` is the first Api's, whatever the config creates first."""

from __future__ import annotations

import socket

import pytest

from devserver.http.listeners import Listeners, PortInUse


def _free_base_port() -> int:
    """A port with the next three free too (checked, then released)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base > 65000:
            continue
        try:
            held = []
            for offset in range(4):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()


def test_a_websocket_listener_created_first_leaves_port_to_the_first_api() -> None:
    base = _free_base_port()
    listeners = Listeners("127.0.0.1", base)
    try:
        websocket = listeners.url_for("WebSocketApi.live", may_take_first=False)
        api = listeners.url_for("api")
        second_api = listeners.url_for("admin")
        management = listeners.url_for("WebSocketApi.live.management", ephemeral=True)
        assert api == f"http://127.0.0.1:{base}"
        assert websocket == f"http://127.0.0.1:{base + 1}"
        assert second_api == f"http://127.0.0.1:{base + 2}"
        assert management.rsplit(":", 1)[1] not in {str(base + offset) for offset in range(3)}
        assert listeners.url_for("api") == api, "a listener keeps its port"
    finally:
        for listener in listeners:
            listener.sock.close()


def test_port_zero_binds_every_listener_anywhere() -> None:
    listeners = Listeners("127.0.0.1", 0)
    try:
        ports = {listeners.url_for(name) for name in ("api", "admin")}
        assert len(ports) == 2
    finally:
        for listener in listeners:
            listener.sock.close()


def test_a_port_after_port_held_by_another_process_is_skipped_but_port_itself_is_an_error() -> None:
    base = _free_base_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", base + 1))  # another program's, as on a busy machine
        other.listen()
        listeners = Listeners("127.0.0.1", base)
        try:
            assert listeners.url_for("WebSocketApi.live", may_take_first=False) == f"http://127.0.0.1:{base + 2}"
            assert listeners.url_for("api") == f"http://127.0.0.1:{base}"
        finally:
            for listener in listeners:
                listener.sock.close()
        held_first = Listeners("127.0.0.1", base + 1)
        with pytest.raises(PortInUse, match=rf"port {base + 1} on 127.0.0.1 is already in use: pass --port PORT"):
            held_first.url_for("api")
