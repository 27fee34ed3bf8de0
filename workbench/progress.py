"""Callbacks for long work: ``progress(fraction, message)`` and ``should_cancel()``.

The core never starts threads; the UI runs core functions in a worker thread and passes
these callbacks in. A function that sees ``should_cancel()`` return True raises
:class:`Cancelled` promptly, leaving no partial result behind.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


class Cancelled(Exception):
    """The user asked to stop; nothing was produced."""


def no_progress(fraction: float, message: str) -> None:
    """The default progress callback: ignore."""


def never_cancel() -> bool:
    return False


def check_cancel(should_cancel: CancelFn | None) -> None:
    if should_cancel is not None and should_cancel():
        raise Cancelled("cancelled by the user")


def sub_progress(progress: ProgressFn | None, start: float, end: float) -> ProgressFn:
    """A callback mapping 0..1 of a step onto ``start..end`` of the whole run."""
    outer = progress or no_progress

    def inner(fraction: float, message: str) -> None:
        outer(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return inner
