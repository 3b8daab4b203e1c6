"""The socket shell: loopback listeners with embedded uvicorn servers, their HTTP protocol, and the ASGI dispatch
that sends `/_sst/` to the Console and the rest to an Api's gateway; and the dev server's own HTTP clients of the
emulator (`loopback_client`, and `aws_json` signing AWS JSON-protocol calls with `sigv4`).

Knows nothing of Apis or functions: it serves ASGI apps. May import `devserver.errors`, and
`emulator.quiet_server` (the uvicorn server both processes run, which sleeps while idle).
"""
