"""One module per `sst-dev` subcommand, each exposing `register(subparsers, common)` and `run(args) -> int`.

`common` holds the flags every subcommand shares; `invoke_debug` is `sst-dev invoke --debug`'s worker of its own.
The top layer: may import any package of the dev server.
"""
