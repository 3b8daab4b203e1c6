"""One module per `sst-dev` subcommand, each exposing `register(subparsers, common)` and `run(args) -> int`."""
