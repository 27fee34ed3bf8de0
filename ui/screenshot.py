"""Headless screenshot mode: load a scenario, run it, grab the window to a PNG.

``python main.py --screenshot OUT.png [--file WORKBOOK] [--view NAME|all] [--size WxH]``
(routed here by :mod:`ui.app`) and the docs use :func:`take_screenshot`. It sets the
offscreen Qt platform itself, so it works without a display (CI, servers). With
``--view all`` the file name holds ``{view}`` and one PNG is written per results view,
from one run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QMainWindow

    from ui.runner import RunController
    from workbench.excel.reader import ImportResult
    from workbench.scenario import Scenario

#: The window size grabbed unless ``--size`` says otherwise: a typical laptop screen.
MIN_SIZE = (1440, 900)
#: Window sizes ``--size`` accepts, in pixels (the smallest readable layout to a 4K screen).
SIZE_RANGE = ((800, 500), (3840, 2400))


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``; ``ValueError`` saying what is expected."""
    parts = text.lower().replace("\u00d7", "x").replace(" ", "").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise ValueError(f'--size is the window size as WIDTHxHEIGHT in pixels, such as 1280x720, not "{text}".') \
            from None
    (w0, h0), (w1, h1) = SIZE_RANGE
    if not (w0 <= w <= w1 and h0 <= h <= h1):
        raise ValueError(f"--size {w}x{h} is outside {w0}x{h0} to {w1}x{h1}.")
    return w, h
#: Longest wait for the run, in milliseconds.
RUN_TIMEOUT_MS = 600_000


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load(file: str | None) -> Scenario | ImportResult:
    if file is None:
        from workbench.default_scenario import default_scenario

        return default_scenario()
    from workbench.excel import read_workbook

    return read_workbook(file)


def _scenario_of(loaded: Any) -> Scenario:   # an ImportResult or a Scenario, read by its attributes
    """The importer may return the scenario itself or a result object carrying it and its issues."""
    scn: Scenario | None = getattr(loaded, "scenario", loaded)
    issues = [i for i in getattr(loaded, "issues", ()) if getattr(i, "is_error", False)]
    if scn is None or issues:
        lines = "\n".join(f"- {i.text()}" for i in issues[:10]) or "- the workbook holds no scenario"
        raise ValueError(f"The workbook could not be read:\n{lines}")
    return scn


def take_screenshot(out: str | os.PathLike[str], file: str | None = None, view: str | None = None,
                    library: str | None = None, *, trials: int | None = None,
                    size: tuple[int, int] = MIN_SIZE) -> int:
    """Render the results of ``file`` (the default scenario when None) to the PNG ``out``; 0 on success.

    ``view`` is a results view name (:data:`ui.results_panel.VIEWS`, ``summary`` by default);
    ``library`` is the snapshot library to open (the main window's default when None);
    ``trials`` overrides the scenario's number of trials (for quick checks).
    """
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("MPLBACKEND", "Agg")
    if library:
        os.environ["WORKBENCH_LIBRARY"] = str(library)
    from PySide6.QtWidgets import QApplication

    from ui.results_panel import VIEWS

    view = view or "summary"
    views = [v for v in VIEWS if v != "compare"] if view == "all" else [view]
    if view == "all" and "{view}" not in str(out):
        _say('With --view all, put {view} in the file name, such as "shots/{view}.png".')
        return 2
    if view != "all" and view not in VIEWS:
        _say(f'No results view "{view}". Choose one of: {", ".join(VIEWS)}, or all.')
        return 2
    out_path = Path(out)
    if out_path.suffix.lower() != ".png":
        _say(f"The screenshot is a PNG image: give a file name ending in .png (not {out_path.name}).")
        return 2
    app = QApplication.instance() or QApplication(["scenario-workbench", "-platform", "offscreen"])
    try:
        scn = _scenario_of(_load(file))
    except FileNotFoundError:
        _say(f"No such workbook: {file}")
        return 1
    except Exception as exc:  # a clear sentence, never a traceback
        _say(f"Could not load {file}: {exc}")
        return 1
    window, controller, show_view = _build_window(scn, file)
    outcome: dict[str, Any] = {}   # "run": the RunResult, or "failed": the message
    controller.finished.connect(lambda run: outcome.setdefault("run", run))
    controller.failed.connect(lambda message: outcome.setdefault("failed", message))
    controller.cancelled.connect(lambda: outcome.setdefault("failed", "the run was cancelled"))
    window.resize(*size)
    window.show()
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    for signal in (controller.finished, controller.failed, controller.cancelled):
        signal.connect(loop.quit)
    QTimer.singleShot(RUN_TIMEOUT_MS, loop.quit)
    if not _run(window, controller, scn, trials):
        from workbench.validation import validate

        errors = [f"- {i.text()}" for i in validate(scn) if i.is_error][:10]
        outcome.setdefault("failed", "the scenario has errors to fix first:\n" + "\n".join(errors))
    elif not outcome:
        loop.exec()
    if "failed" in outcome or not outcome:
        controller.shutdown()
        _say(f"The run did not finish: {outcome.get('failed', 'time-out')}")
        window.close()
        return 1
    written = []
    for name in views:
        show_view(name)
        app.processEvents()
        image = window.grab()
        path = Path(str(out_path).replace("{view}", name))
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            _say(f"Could not write {path}: check the folder exists and is writable.")
            controller.shutdown()
            window.close()
            return 1
        written.append(f"Wrote {path} ({image.width()} x {image.height()}, view {name}).")
    controller.shutdown()
    window.close()
    app.processEvents()
    print("\n".join(written), flush=True)
    return 0


def _build_window(scn: Scenario, file: str | None) -> tuple[QMainWindow, RunController, Callable[[str], None]]:
    """The app's main window; the results panel on its own if the main window cannot be imported."""
    try:
        from ui.main_window import MainWindow
    except ImportError:
        MainWindow = None  # noqa: N806
    if MainWindow is not None:
        window = MainWindow()
        window.load_scenario(scn, file)
        return window, window.run_controller, window.show_view
    from PySide6.QtWidgets import QMainWindow

    from ui.results_panel import ResultsPanel
    from ui.runner import RunController

    window = QMainWindow()
    window.setWindowTitle(f"Scenario Workbench - {scn.name}")
    panel = ResultsPanel(window)
    window.setCentralWidget(panel)
    controller = RunController(window)
    controller.finished.connect(lambda run: panel.set_result(run, scn))
    window.results_panel = panel  # type: ignore[attr-defined]
    window.run_controller = controller  # type: ignore[attr-defined]
    window.scenario = scn  # type: ignore[attr-defined]
    return window, controller, panel.show_view


def _run(window: QMainWindow, controller: RunController, scn: Scenario, trials: int | None) -> bool:
    """Start the run; False when the window refused (the scenario has errors)."""
    if trials is not None:
        controller.options["trials"] = trials
    run_now = getattr(window, "run_now", None)
    if callable(run_now):
        return run_now() is not False
    controller.start(scn)
    return True
