"""Event sources other than HTTP: each delivers its source's events to functions with that source's retry rules.

`s3_notifications` delivers S3 bucket notifications; `invoke_events` builds the events `sst-dev invoke` and the
pytest fixture send directly. Event building is pure; delivery runs on the dev server's event loop and invokes
through an `Invoker` (`devserver.runtime.invocation`). May import `app`, `apigw`, `runtime`, `http` (the queue
pollers' client of the emulator's JSON APIs) and the `emulator`'s event shapes.
"""
