"""Debugging handlers, the dev server's side: `breakpoint()` on its terminal, editors attached through debugpy.

`settings` holds what a developer asked to debug (pure); `debugger` is the running part the worker pool is handed
(as a `devserver.runtime.debugging.WorkerDebugger`); `pdb_terminal`, `debugpy_relay` and `dap` serve it. The
worker's half of pdb is `devserver.runtime.worker_pdb`. May import `app` and `runtime`; this `__init__` imports
nothing.
"""
