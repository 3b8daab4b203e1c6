"""A function's timeout as Lambda counts it, except that time spent paused in a debugger does not count."""

from __future__ import annotations

__all__ = ["PausableDeadline"]


class PausableDeadline:
    """The moment an invocation times out, on a monotonic clock; it stops approaching while the function is paused.

    Lambda kills a function `timeout` seconds after the invocation starts. Locally a developer may hold a handler
    at a pdb prompt or an editor breakpoint for minutes; counting that would kill the invocation under their
    cursor, so a pause pushes the deadline back by exactly the time it lasted. Pauses may nest (a pdb prompt and
    an editor both stopped): the clock runs again when the last one ends.
    """

    def __init__(self, when: float) -> None:
        self._when = when
        self._paused_at: float | None = None
        self._pauses = 0
        self.paused_seconds = 0.0
        """How long the function has been paused so far, over all finished pauses."""

    @property
    def when(self) -> float | None:
        """The current deadline, or None while paused (no deadline applies then)."""
        return None if self._pauses else self._when

    @property
    def paused(self) -> bool:
        return self._pauses > 0

    def pause(self, now: float) -> None:
        self._pauses += 1
        if self._pauses == 1:
            self._paused_at = now

    def resume(self, now: float) -> None:
        """End one pause; a resume without a matching pause is ignored (a debugger that reconnected)."""
        if not self._pauses:
            return
        self._pauses -= 1
        if not self._pauses and self._paused_at is not None:
            pause = max(0.0, now - self._paused_at)
            self._when += pause
            self.paused_seconds += pause
            self._paused_at = None
