"""Which changes reload the config, which retire workers, and which do nothing."""

from __future__ import annotations

from pathlib import Path

from devserver.reload.plan import plan_reload

APP = Path("/app")
CONFIG = {APP / "sst.config.py", APP / "stacks" / "storage.py"}
SOURCES = {
    "hello": [APP / "functions" / "hello.py", APP / "functions" / "greeting.py"],
    "files": [APP / "functions" / "files.py", Path("/shared/lib/util.py")],
}


def plan(*changed: Path):  # type: ignore[no-untyped-def]
    return plan_reload(changed, config_sources=CONFIG, function_sources=SOURCES)


def test_a_config_change_reloads_and_retires_every_function() -> None:
    result = plan(APP / "stacks" / "storage.py")
    assert result.reload_config
    assert result.retire == {"hello", "files"}


def test_a_handler_module_change_retires_only_the_functions_that_imported_it() -> None:
    assert plan(APP / "functions" / "greeting.py").retire == {"hello"}
    assert plan(Path("/shared/lib/util.py")).retire == {"files"}
    assert not plan(APP / "functions" / "greeting.py").reload_config


def test_a_python_file_nobody_imported_changes_nothing() -> None:
    assert plan(APP / "functions" / "unused.py").empty


def test_a_data_file_change_retires_every_function() -> None:
    assert plan(APP / "templates" / "page.html").retire == {"hello", "files"}
