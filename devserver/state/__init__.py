"""Everything an app keeps under `.sst/`: `outputs.json` and `dev.json` (`files`), secret values (`secrets`),
finding a running server (`running_server`) and the typed resource stubs (`types`).

May import `app` and `devserver.errors`.
"""
