"""The Console's guard for state-changing calls: only pages from the dev server's own origin may make them."""

from __future__ import annotations

from fastapi import HTTPException, Request

__all__ = ["same_origin_only"]


def same_origin_only(request: Request) -> None:
    """Refuse state changes from other origins' scripts: a page elsewhere must not drive the dev server.

    Browsers send `Origin` with cross-origin (and same-origin POST) requests; tools such as `sst-dev secrets`
    send none. A present `Origin` must be this server's own.
    """
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status_code=403, detail=f"cross-origin request from {origin} refused")
