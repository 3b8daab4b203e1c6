"""The local Lambda runtime: worker processes that load a handler once and serve invocations."""
