"""The pytest plugin sst-dev registers through its `pytest11` entry point: the `emulator` fixture.

Name the app with `--sst-app DIR` (relative to where pytest runs) or the `sst_app` ini key (relative to the
rootdir), e.g. in `pyproject.toml`:

```toml
[tool.pytest.ini_options]
sst_app = "."
```

The first test that asks for `emulator` starts one dev server for the whole session (stage `test`, ephemeral
ports, no file watching) and binds the app's resources into the test process; every test then starts from empty
buckets, the app's parameters and secrets as stored, and no pending notification deliveries. When a test that
used the fixture fails, the dev server's output during that test (requests, function logs, handler tracebacks)
is added to its report.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported when a test first asks for the fixture: every pytest run loads this plugin
    from devserver.testing.fixture import Emulator
    from devserver.testing.session import TestSession

__all__ = ["emulator", "pytest_addoption", "pytest_runtest_makereport", "sst_dev_session"]

_OUTPUT_START = pytest.StashKey[int]()
_SESSION = pytest.StashKey["TestSession"]()
_REPORT_SECTION = "sst-dev output"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sst-dev")
    group.addoption("--sst-app", dest="sst_app", default=None, help="folder holding the sst.config.py to emulate")
    parser.addini("sst_app", "folder holding the sst.config.py to emulate (relative to the rootdir)", default="")


def _app_dir(config: pytest.Config) -> Path:
    option = config.getoption("sst_app")
    if option:
        return (config.invocation_params.dir / option).resolve()
    ini = str(config.getini("sst_app"))
    if ini:
        return (config.rootpath / ini).resolve()
    raise pytest.UsageError(
        "the emulator fixture needs an app: pass --sst-app DIR or set sst_app in the pytest configuration"
    )


@pytest.fixture(scope="session")
def sst_dev_session(request: pytest.FixtureRequest) -> Iterator[TestSession]:
    """The dev server shared by every test of the session (use `emulator` in tests)."""
    from devserver.testing.session import TestSession

    session = TestSession(_app_dir(request.config))
    try:
        session.start()
        request.config.stash[_SESSION] = session
        yield session
    finally:
        session.close()


@pytest.fixture(scope="session")
def _sst_dev_emulator(sst_dev_session: TestSession) -> Iterator[Emulator]:
    from devserver.testing.fixture import Emulator

    handle = Emulator(sst_dev_session)
    yield handle
    handle.close()


@pytest.fixture
def emulator(_sst_dev_emulator: Emulator, request: pytest.FixtureRequest) -> Emulator:
    """The app running against the local emulator, reset for this test. See `devserver.testing.fixture.Emulator`."""
    _sst_dev_emulator.reset()
    request.node.stash[_OUTPUT_START] = len(_sst_dev_emulator.output())
    return _sst_dev_emulator


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    start = item.stash.get(_OUTPUT_START, None)
    session = item.config.stash.get(_SESSION, None)
    if report.failed and start is not None and session is not None:
        output = session.output.getvalue()[start:]
        if output:
            report.sections.append((f"{_REPORT_SECTION} ({report.when})", output))
    return report
