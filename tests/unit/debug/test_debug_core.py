"""The pure parts of debugging: the pausable timeout, DAP framing and stop tracking, choosing functions and ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.app.model import FunctionSpec, frozen_mapping
from devserver.debug.dap import DapDecoder, DapSession, encode_dap
from devserver.debug.settings import DebugSettings, DebugSettingsError, debugpy_ports
from devserver.runtime.deadline import PausableDeadline
from devserver.runtime.environment import worker_environment


def test_a_pause_pushes_the_deadline_back_by_exactly_its_length() -> None:
    deadline = PausableDeadline(when=110.0)
    deadline.pause(now=103.0)
    assert deadline.when is None and deadline.paused
    deadline.resume(now=163.0)
    assert deadline.when == 170.0 and deadline.paused_seconds == 60.0


def test_nested_pauses_run_the_clock_again_only_when_the_last_one_ends() -> None:
    deadline = PausableDeadline(when=10.0)
    deadline.pause(now=1.0)
    deadline.pause(now=2.0)
    deadline.resume(now=3.0)
    assert deadline.when is None
    deadline.resume(now=5.0)
    assert deadline.when == 14.0


def test_a_resume_without_a_pause_changes_nothing() -> None:
    deadline = PausableDeadline(when=10.0)
    deadline.resume(now=5.0)
    assert deadline.when == 10.0 and deadline.paused_seconds == 0.0


def test_dap_messages_survive_any_chunking() -> None:
    messages = [{"seq": 1, "type": "event", "event": "stopped", "body": {"text": "é"}}, {"seq": 2, "type": "response"}]
    stream = b"".join(encode_dap(message) for message in messages)
    for size in (1, 5, len(stream)):
        decoder = DapDecoder()
        received = [
            message for start in range(0, len(stream), size) for message in decoder.feed(stream[start : start + size])
        ]
        assert received == messages


def test_a_stream_that_is_not_dap_stops_being_interpreted() -> None:
    decoder = DapDecoder()
    assert decoder.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == []
    assert decoder.broken


def test_the_session_is_stopped_from_the_stopped_event_until_the_editor_resumes_it() -> None:
    session = DapSession()
    assert session.from_adapter({"type": "event", "event": "stopped", "body": {"threadId": 1}})
    assert session.stopped
    assert not session.from_editor({"type": "request", "command": "stackTrace"})
    assert session.from_editor({"type": "request", "command": "next"}) and not session.stopped
    session.from_adapter({"type": "event", "event": "stopped"})
    assert session.from_adapter({"type": "event", "event": "continued"}) and not session.stopped


def test_the_session_is_configured_once_configuration_done_succeeded() -> None:
    session = DapSession()
    session.from_editor({"type": "request", "command": "configurationDone", "seq": 4})
    assert not session.configured
    session.from_adapter({"type": "response", "command": "configurationDone", "request_seq": 4, "success": True})
    assert session.configured


def function(name: str, handler: str) -> FunctionSpec:
    return FunctionSpec(name, handler, app_dir=Path("."))


def test_debugpy_functions_are_chosen_by_name_or_handler_and_none_named_means_all() -> None:
    hello, files = function("dev-app-hello", "functions/hello.main"), function("dev-app-files", "functions/files.get")
    chosen = DebugSettings(debugpy=True, debugpy_functions=("functions/hello.main",))
    assert chosen.debugs(hello) and not chosen.debugs(files)
    assert DebugSettings(debugpy=True, debugpy_functions=("dev-app-files",)).debugs(files)
    assert DebugSettings(debugpy=True).debugs(files)
    assert not DebugSettings(debugpy=False).debugs(hello)
    assert chosen.unknown_functions([files]) == ["functions/hello.main"]


def test_ports_follow_the_base_port_and_stay_put_when_functions_are_added() -> None:
    first = debugpy_ports(["a", "b"], 5678)
    assert first == {"a": 5678, "b": 5679}
    assert debugpy_ports(["c", "a"], 5678, first) == {"a": 5678, "b": 5679, "c": 5680}
    assert debugpy_ports(["a", "b"], 0) == {"a": 0, "b": 0}


def test_a_port_out_of_range_is_refused_with_its_value() -> None:
    with pytest.raises(DebugSettingsError) as raised:
        DebugSettings(debugpy_port=70000)
    assert (raised.value.code, raised.value.value) == ("InvalidDebugPort", 70000)
    with pytest.raises(DebugSettingsError) as exhausted:
        debugpy_ports(["a", "b"], 65535)
    assert (exhausted.value.code, exhausted.value.value) == ("DebugPortsExhausted", "b")


def test_workers_get_the_sst_dev_breakpoint_hook_unless_the_function_sets_its_own() -> None:
    def hook(environment: dict[str, str]) -> str:
        spec = FunctionSpec("f", "functions/f.main", Path("."), environment=frozen_mapping(environment))
        return worker_environment(spec, base_environment={}, server_environ={}, log_stream="s")["PYTHONBREAKPOINT"]

    assert hook({}) == "devserver.runtime.worker_pdb.breakpointhook"
    assert hook({"PYTHONBREAKPOINT": "0"}) == "0"
