"""Debian's chromium driven by Playwright: where it is, how it is launched, and what to do when it is missing.

Playwright's own browser download needs the internet; Debian's `chromium` package works offline once installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = (
    f"{CHROMIUM} is missing: the Console's browser tests need Debian's chromium "
    "(as root: apt-get update && apt-get install -y chromium)"
)


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when chromium is installed."""
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return None
    found = shutil.which("chromium")
    return None if found == str(CHROMIUM) else MISSING


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
