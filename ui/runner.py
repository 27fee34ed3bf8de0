"""Run the models in the background: one task at a time, results on the GUI thread.

:class:`RunController` is the only place in the app that knows about threads. It runs the
pure core (:func:`workbench.pipeline.run_scenario`) in a :class:`QThread`, passing it
``progress`` and ``should_cancel`` callbacks, and reports through signals that arrive on
the GUI thread:

- ``started()`` when a run begins,
- ``progress(fraction, message)`` while it runs (throttled so the GUI is not flooded),
- ``stage(name, result, pending)`` after each stage of a staged run (the default run
  function, :class:`workbench.stages.StagedPipeline`): a first estimate of the allocation and
  key figures from the first trials (stage ``estimate``, labelled with its trials and Monte
  Carlo band by :mod:`ui.estimate`), the baseline's exact allocation and key figures, then
  the stress tests, the sensitivity and the frontier; ``pending`` names the stages
  not yet recomputed, whose parts of ``result`` are the previous run's (stale),
- ``finished(RunResult)`` with the result,
- ``failed(message)`` with one clear sentence when the core raised (no traceback),
- ``cancelled()`` when the user's :meth:`cancel` stopped it (no result is delivered).

Starting a new run cancels the one under way; a superseded run's result and stages are dropped.
The staged pipeline keeps a cache per step keyed by the content hash of what the step reads,
so the stages an edit cannot affect are not computed again. Runs
never overlap: the new run starts when the cancelled one has stopped (the core's solver
libraries are not safe to run twice at once in one process).
:meth:`schedule` collapses a burst of edits into one re-run with a single-shot timer.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, QTimer, Signal

log = logging.getLogger(__name__)

#: Milliseconds of quiet after the last :meth:`RunController.schedule` call before the run starts
#: (short: a newer edit cancels the stages under way, and unchanged stages come from the cache).
SCHEDULE_DELAY_MS = 150
#: Keyword arguments every run gets unless the controller's ``options`` or ``start()`` say otherwise.
if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.stages import StagedPipeline

# These stay Any: options are the run function's keyword arguments, of mixed kinds; its first argument (the
# payload) is a Scenario for the main run and the what-if tasks, but a pair of scenarios or a comparison's
# request for the snapshot and compare jobs; a result is whatever the run function returns (a RunResult for the
# default one, a report for the others).
DEFAULT_OPTIONS: dict[str, Any] = {"frontier_points": 8}
#: At most one progress signal per this many seconds (plus the first and the last).
PROGRESS_INTERVAL_S = 0.05

_LIVE: weakref.WeakSet[_RunThread] = weakref.WeakSet()


def live_workers() -> list[QThread]:
    """Worker threads of every controller that are still running (the test fixture checks this)."""
    out: list[QThread] = []
    for thread in list(_LIVE):
        try:
            if thread.isRunning():
                out.append(thread)
        except RuntimeError:  # the C++ object is already gone: not running
            _LIVE.discard(thread)
    return out


def default_run_function() -> Callable[..., Any]:
    from workbench.pipeline import run_scenario

    return run_scenario


def describe_error(exc: BaseException) -> str:
    """One or more plain sentences for an exception the core raised; never a traceback."""
    from workbench.errors import WorkbenchError

    if isinstance(exc, WorkbenchError):
        try:
            text = exc.explain().strip()
        except Exception:  # the explanation itself failed: fall back to the message
            text = str(exc).strip()
        if text:
            return text
    if isinstance(exc, MemoryError):
        return "The run needed more memory than is available. Lower the number of trials and run again."
    message = str(exc).strip() or type(exc).__name__
    return f"The run stopped with an error: {message}. Your scenario is unchanged."


class _RunThread(QThread):
    """One run of the core. Reports through Python callbacks wrapped in queued signals."""

    progressed = Signal(int, float, str)
    staged = Signal(int, str, object, object)
    succeeded = Signal(int, object)
    errored = Signal(int, str)
    stopped = Signal(int)

    def __init__(self, token: int, fn: Callable[..., Any], scn: Any, options: dict[str, Any],
                 parent: QObject | None = None, *, stages: bool = False) -> None:
        super().__init__(parent)
        self.stages = stages      # the function takes ``on_stage`` and reports each stage
        self.token = token
        self.fn = fn
        self.scn = scn
        self.options = options
        self.cancel_event = threading.Event()
        self._last_emit = 0.0
        self._last_fraction = -1.0
        self._last_message = "Running"
        self.error: BaseException | None = None   # what the core raised, for the views that act on it

    def _progress(self, fraction: float, message: str) -> None:
        message = str(message or "").strip() or self._last_message   # a step without words keeps the last ones
        self._last_message = message
        now = time.monotonic()
        fraction = float(min(max(fraction, 0.0), 1.0))
        if fraction >= 1.0 or now - self._last_emit >= PROGRESS_INTERVAL_S or self._last_fraction < 0:
            self._last_emit = now
            self._last_fraction = fraction
            self.progressed.emit(self.token, fraction, message)

    def _should_cancel(self) -> bool:
        return self.cancel_event.is_set()

    def _on_stage(self, name: str, result: RunResult, pending: frozenset[str]) -> None:
        if not self.cancel_event.is_set():
            self.staged.emit(self.token, name, result, pending)

    def run(self) -> None:
        from workbench.progress import Cancelled

        try:
            extra = {"on_stage": self._on_stage} if self.stages else {}
            result = self.fn(self.scn, progress=self._progress, should_cancel=self._should_cancel, **self.options,
                             **extra)
        except Cancelled:
            self.stopped.emit(self.token)
        except BaseException as exc:  # every failure becomes a sentence; the app stays alive
            if self.cancel_event.is_set():
                self.stopped.emit(self.token)
                return
            self.error = exc
            from workbench.errors import WorkbenchError

            expected = isinstance(exc, WorkbenchError)
            if expected:   # the user's input cannot run: the message says why; no traceback needed
                log.info("run refused: %s", exc)
            else:
                log.error("run failed:\n%s", "".join(traceback.format_exception(exc)))
            self.errored.emit(self.token, describe_error(exc))
        else:
            if self.cancel_event.is_set():
                self.stopped.emit(self.token)
            else:
                self.succeeded.emit(self.token, result)


class RunController(QObject):
    """Runs scenarios in the background, one at a time, and reports on the GUI thread.

    ``run_function`` is the core function to call (default: the staged pipeline,
    :meth:`workbench.stages.StagedPipeline.run`, which gives the same result as
    :func:`workbench.pipeline.run_scenario` and reports each stage); ``options`` are keyword arguments passed to
    it on every run (``trials``, ``method``, ``seed``, ``workers``, ``frontier_points``...),
    and :meth:`start` can add more for one run.
    """

    started = Signal()
    progress = Signal(float, str)
    stage = Signal(str, object, object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None, *, run_function: Callable[..., Any] | None = None,
                 options: dict[str, Any] | None = None, delay_ms: int = SCHEDULE_DELAY_MS) -> None:
        super().__init__(parent)
        self._run_function = run_function
        #: Trials of the staged run's first estimate (0: none); set by :func:`ui.estimate.install`, which shows it.
        self.first_estimate = 0
        self._pipeline: StagedPipeline | None = None   # the staged pipeline and its caches (default run function only)
        self.options: dict[str, Any] = {**DEFAULT_OPTIONS, **(options or {})}
        self._token = 0
        self._current: _RunThread | None = None
        self._threads: list[_RunThread] = []    # every thread not yet ended (current and superseded)
        self._pending: tuple[Any, dict[str, Any]] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._start_pending)
        self.last_result: Any = None
        #: The exception and the scenario of the last failed run (read by ui.repair when ``failed`` arrives).
        self.last_error: tuple[BaseException | None, Any] = (None, None)   # the error and the payload it came from
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ public API
    def start(self, scn: Any, **options: Any) -> None:
        """Run ``scn`` now, cancelling (and dropping the result of) any run under way."""
        self._timer.stop()
        self._pending = None
        self._supersede()
        fn, stages = self._run_function, False
        extra: dict[str, Any] = {}
        if fn is None:
            fn, stages = self.pipeline().run, True
            if self.first_estimate:   # key figures of the first trials, then the exact ones
                extra["first_estimate"] = self.first_estimate
        self._token += 1
        thread = _RunThread(self._token, fn, scn, {**extra, **self.options, **options}, stages=stages)
        thread.progressed.connect(self._on_progress)
        thread.staged.connect(self._on_stage)
        thread.succeeded.connect(self._on_succeeded)
        thread.errored.connect(self._on_errored)
        thread.stopped.connect(self._on_stopped)
        thread.finished.connect(self._reap)
        self._current = thread
        self.started.emit()
        self._launch()

    def _launch(self) -> None:
        """Start the current run's thread once no earlier thread is running."""
        thread = self._current
        if thread is None or thread.isRunning() or thread.isFinished() or thread in self._threads:
            return
        if any(t.isRunning() for t in self._threads):
            return  # _reap launches it when the superseded run has stopped
        if thread.cancel_event.is_set():
            self._current = None
            self.cancelled.emit()
            return
        self._threads.append(thread)
        _LIVE.add(thread)
        thread.start()

    def pipeline(self) -> StagedPipeline:
        """The staged pipeline the default runs go through (one per controller: its caches last between runs)."""
        if self._pipeline is None:
            from workbench.stages import StagedPipeline

            self._pipeline = StagedPipeline()
        return self._pipeline

    def schedule(self, scn: Any, **options: Any) -> None:
        """Run ``scn`` after a short quiet spell; a burst of calls makes one run of the last scenario."""
        self._pending = (scn, options)
        self._timer.start()

    def is_scheduled(self) -> bool:
        return self._timer.isActive()

    def cancel(self) -> None:
        """Ask the run under way to stop; ``cancelled()`` follows when it has, with no result."""
        self._timer.stop()
        self._pending = None
        if self._current is not None:
            self._current.cancel_event.set()

    def is_running(self) -> bool:
        """True from :meth:`start` until the run reports (finished, failed or cancelled)."""
        return self._current is not None

    def wait(self, ms: int = 30_000) -> bool:
        """Block until every worker thread has ended (pending signals are then delivered); False on time-out."""
        deadline = time.monotonic() + ms / 1000.0
        while True:
            for thread in list(self._threads):
                left = max(0, int((deadline - time.monotonic()) * 1000))
                if not thread.wait(QDeadlineTimer(left)):
                    return False
            QCoreApplication.sendPostedEvents(self)   # delivers the threads' signals, reaps, launches a queued run
            QCoreApplication.processEvents()
            if not any(t.isRunning() for t in self._threads) and not self._queued():
                return True
            if time.monotonic() > deadline:
                return False

    def _queued(self) -> bool:
        return self._current is not None and self._current not in self._threads

    def shutdown(self, ms: int = 30_000) -> bool:
        """Cancel everything and wait for the threads (call before the window closes)."""
        self.cancel()
        self._supersede()
        return self.wait(ms)

    # ------------------------------------------------------------------ internals
    def _start_pending(self) -> None:
        if self._pending is not None:
            scn, options = self._pending
            self._pending = None
            self.start(scn, **options)

    def _supersede(self) -> None:
        if self._current is not None:
            self._current.cancel_event.set()
            self._current = None

    def _is_current(self, token: int) -> bool:
        return self._current is not None and self._current.token == token

    def _on_progress(self, token: int, fraction: float, message: str) -> None:
        if self._is_current(token):
            self.progress.emit(fraction, message)

    def _on_stage(self, token: int, name: str, result: RunResult, pending: frozenset[str]) -> None:
        if self._is_current(token):
            self.stage.emit(name, result, pending)

    def _on_succeeded(self, token: int, result: Any) -> None:
        if self._is_current(token):
            self._current = None
            self.last_result = result
            self.finished.emit(result)

    def _on_errored(self, token: int, message: str) -> None:
        if self._is_current(token):
            self.last_error = (self._current.error, self._current.scn)
            self._current = None
            self.failed.emit(message)

    def _on_stopped(self, token: int) -> None:
        if self._is_current(token):
            self._current = None
            self.cancelled.emit()

    def _reap(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            self._threads.remove(thread)
            _LIVE.discard(thread)
            thread.deleteLater()
        self._launch()
