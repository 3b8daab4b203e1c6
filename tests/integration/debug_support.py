"""A minimal Debug Adapter Protocol client, standing in for an editor in the debugging tests."""

from __future__ import annotations

import asyncio
from typing import Any

from devserver.debug.dap import DapDecoder, encode_dap

DapMessage = dict[str, Any]


class DapClient:
    """Speaks DAP to one port as VS Code's "attach" with "connect" does; every wait is bounded."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._decoder = DapDecoder()
        self._received: list[DapMessage] = []
        self._seq = 0

    @classmethod
    async def connect(cls, port: int) -> DapClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    def send(self, command: str, **arguments: object) -> int:
        self._seq += 1
        self._writer.write(
            encode_dap({"seq": self._seq, "type": "request", "command": command, "arguments": arguments})
        )
        return self._seq

    async def request(self, command: str, **arguments: object) -> DapMessage:
        seq = self.send(command, **arguments)
        response = await self.wait_for(lambda message: message.get("request_seq") == seq)
        assert response["success"], response
        return response

    async def event(self, name: str) -> DapMessage:
        return await self.wait_for(lambda message: message.get("type") == "event" and message.get("event") == name)

    async def wait_for(self, matches: Any, timeout: float = 20) -> DapMessage:
        async with asyncio.timeout(timeout):
            while True:
                for message in self._received:
                    if matches(message):
                        self._received.remove(message)
                        return message
                data = await self._reader.read(1 << 16)
                if not data:
                    raise ConnectionError("the debug adapter closed the connection")
                self._received += self._decoder.feed(data)

    async def attach(self, breakpoints: dict[str, list[int]]) -> None:
        """initialize, attach, setBreakpoints per file, configurationDone: what an editor does on attach."""
        await self.request("initialize", adapterID="debugpy", clientID="tests", linesStartAt1=True, pathFormat="path")
        attach = self.send("attach", justMyCode=True)
        await self.event("initialized")
        for path, lines in breakpoints.items():
            response = await self.request(
                "setBreakpoints", source={"path": path}, breakpoints=[{"line": line} for line in lines]
            )
            assert all(found["verified"] for found in response["body"]["breakpoints"]), response
        await self.request("configurationDone")
        await self.wait_for(lambda message: message.get("request_seq") == attach)

    async def stopped_line(self) -> tuple[int, str, int]:
        """Wait for `stopped`; the thread id, and the file and line of the top frame."""
        stopped = await self.event("stopped")
        thread_id = stopped["body"]["threadId"]
        frames = (await self.request("stackTrace", threadId=thread_id))["body"]["stackFrames"]
        return thread_id, frames[0]["source"]["path"], frames[0]["line"]

    async def close(self) -> None:
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass
