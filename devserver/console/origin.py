"""The Console's guard for state-changing calls: only pages from the dev server's own origins may make them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["same_origin_only"]


def same_origin_only(host: ConsoleHost) -> Callable[[Request], None]:
    """A dependency refusing state changes from other origins' scripts: a page elsewhere must not drive the server.

    Browsers send `Origin` with cross-origin requests and with every same-origin one that is not a GET or HEAD; tools
    such as `sst-dev secrets` send none. A present `Origin` must be one of the server's own (`host.console_origins`,
    from its listeners) — not merely the request's `Host`: a page whose name its author points at 127.0.0.1 (DNS
    rebinding) sends `Host: evil.example:3000` and `Origin: http://evil.example:3000`, which agree.
    """

    def refuse_other_origins(request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and origin not in host.console_origins:
            raise HTTPException(status_code=403, detail=f"cross-origin request from {origin} refused")

    return refuse_other_origins
