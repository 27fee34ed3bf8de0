"""The command line's progress bar: on stderr, only when stderr is a terminal (a pipe or a
log file gets none), at most about ten redraws a second, wiped when the work ends."""

from __future__ import annotations

import sys
import time

WIDTH = 30


class Bar:
    """``bar(fraction, message)`` draws; ``bar.close()`` wipes the line if anything was drawn."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.last = 0.0
        self.drawn = False

    def __call__(self, fraction: float, message: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and fraction < 1.0:
            return
        self.last = now
        full = round(WIDTH * min(max(fraction, 0.0), 1.0))
        sys.stderr.write(f"\r[{'#' * full}{'.' * (WIDTH - full)}] {fraction:4.0%} {message[:60]:<60}")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()
