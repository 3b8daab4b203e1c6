"""Debugging handlers: `breakpoint()` on the dev server's terminal, editors attached through debugpy.

Import from the modules: `settings` (what to debug), `debugger` (the pool's running part), `pdb_session` (loaded
by workers, so this package imports nothing on its own).
"""

from __future__ import annotations

__all__: list[str] = []
