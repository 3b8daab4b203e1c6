"""The pytest plugin sst-dev registers through its `pytest11` entry point: `--sst-app` and the `sst_app` ini key."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sst-dev")
    group.addoption("--sst-app", dest="sst_app", default=None, help="folder holding the sst.config.py to emulate")
    parser.addini("sst_app", "folder holding the sst.config.py to emulate", default="")
