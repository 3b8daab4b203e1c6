"""The Console's pages: `/_sst/` is one static page; its script and styles come from `static/` in this package.

No build step and no CDN: the files ship inside the package, so the Console works offline right after install.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC_DIR", "mount_pages"]

STATIC_DIR = Path(__file__).parent / "static"
# The files change with the package, not per request; revalidating keeps an upgraded Console from looking stale.
_HEADERS = {"cache-control": "no-cache"}


def mount_pages(app: FastAPI) -> None:
    """`/_sst/` (the page), `/_sst` (a redirect to it) and `/_sst/static/*`."""

    @app.get("/_sst", include_in_schema=False)
    def console_root() -> RedirectResponse:
        return RedirectResponse("/_sst/")

    @app.get("/_sst/", include_in_schema=False)
    def console_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=_HEADERS)

    app.mount("/_sst/static", StaticFiles(directory=STATIC_DIR), name="console-static")
