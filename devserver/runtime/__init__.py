"""The local Lambda runtime: worker processes that load a handler once and serve invocations.

`pool` runs every function's invocations in `sandbox` processes (`process`, `protocol`, `worker`; `runtime_api` for
the official `awslambdaric` client), with Lambda's `context`, `environment`, `deadline` and `errors`. `invoker` runs an
app's function with its bindings; `invocation` is what one invocation produced, and the `Invoker` every event source
calls. The worker's half of pdb is `worker_pdb`; the debugger itself comes in through the `debugging` Protocols.
May import `app`, `http` and `devserver.errors`; never `devserver.debug`.
"""
