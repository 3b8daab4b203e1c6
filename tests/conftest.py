"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.servers import ServerThread


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (`pytest.mark.anyio`) run on asyncio, the loop the dev server itself uses."""
    return "asyncio"


@pytest.fixture
def client(server: ServerThread) -> Iterator[httpx.Client]:
    """An httpx client on the dev server of the module's own `server` fixture (a `ServerThread`)."""
    with server.client() as http:
        yield http
