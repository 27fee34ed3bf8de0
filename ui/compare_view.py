"""Two runs side by side, and *Compare with...*: the current results against any snapshot or workbook.

:class:`CompareView` shows both P&L distributions overlaid (each with its VaR, CVaR and
mean) and a table of key-figure differences; the results panel's *Compare* tab shows the
same for the current run and the one given to ``ResultsPanel.set_comparison``.

:class:`CompareWindow` is what *Run > Compare with...* opens (:func:`compare_with_snapshot`,
:func:`compare_with_workbook`). In the background it runs the other scenario with the
current run's trials and seed (the same random numbers; the current scenario too when its
results are missing or out of date), then shows four tabs: the key figures side by side
with their differences (the core's labels, formats and definitions), the overlaid
distributions, the allocation differences by sector and by project, and the inputs that
differ with the waterfall of which input changes moved expected P&L and CVaR
(:func:`workbench.snapshots.compare.waterfall`, from the other scenario to the current
one, on common random numbers). Cancel stops either step; the window stays usable.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.plots import figures, tables
from ui.plots.canvas import PlotCanvas
from ui.plots.risk_figures import overlay_distributions
from ui.plots.style import PALETTE, fmt_money, money_unit
from ui.plots.tools import label_signed_bars, note
from ui.results_table import RowsView, plot_beside_table
from ui.runner import RunController
from ui.snapshot_compare import ComparisonView
from workbench import figures as kf
from workbench.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PySide6.QtGui import QCloseEvent

    from workbench.progress import CancelFn, ProgressFn
    from workbench.results import RunResult
    from workbench.snapshots.compare import Waterfall


class CompareView(QWidget):
    """``set_runs(run, other, label, other_label)``: overlaid distributions and differences of key figures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = PlotCanvas(figures.plot_compare, self, title="Comparison")
        self.table = RowsView()
        self.heading = QLabel("<b>Differences of key figures</b>")
        plot_beside_table(self, self.canvas, self.heading, self.table)
        self.set_runs(None, None)

    def set_runs(self, run: RunResult | None, other: RunResult | None, label: str = "Current",
                 other_label: str = "Other") -> None:
        """Compare ``run`` (labelled ``label``) with ``other``; either may be ``None`` (a sentence says so)."""
        context: dict[str, Any] = {"other": other, "label": label, "other_label": other_label}
        rows = tables.compare_table(run, **context)
        self.table.set_rows(rows.headers, rows.rows, rows.decimals, rows.tooltips)
        self.canvas.show_run(run, **context)


# ------------------------------------------------------------------------------------------------
# Compare with...: the current results against any snapshot or any workbook, in a window of its own.

#: Tabs of :class:`CompareWindow`, in order.
COMPARE_TABS = ("Key figures", "Distributions", "Allocation", "Inputs and waterfall")


@dataclass(frozen=True)
class CompareRequest:
    """What the background job compares: the current scenario (with its results when they match it) and another."""

    current: Scenario
    current_run: RunResult | None   # a RunResult of exactly ``current``, or None (then it is run here)
    other: Scenario
    trials: int | None        # for a current run made here; the other runs with the current run's trials and seed
    seed: int | None


def _compare_job(payload: tuple[Any, ...], *, progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
                 **_options: Any) -> tuple[RunResult, RunResult] | Waterfall:
    """The background work, ``payload`` a tuple tagged by its first item: ``("runs", CompareRequest)`` ->
    (current run, other run); ``("waterfall", other, current, trials, seed)`` -> the waterfall from the other
    scenario to the current one."""
    from workbench.pipeline import run_scenario
    from workbench.progress import sub_progress
    from workbench.snapshots.compare import waterfall

    kind = payload[0]
    if kind == "waterfall":
        _kind, other, current, trials, seed = payload
        return waterfall(other, current, trials=trials, seed=seed, progress=progress, should_cancel=should_cancel)
    req: CompareRequest = payload[1]
    run = req.current_run
    if run is None:
        run = run_scenario(req.current, trials=req.trials, seed=req.seed, stress=False, tornado=False,
                           progress=sub_progress(progress, 0.0, 0.5), should_cancel=should_cancel)
    other_run = run_scenario(req.other, trials=run.trials, seed=run.seed, stress=False, tornado=False,
                             progress=sub_progress(progress, 0.5 if req.current_run is None else 0.0, 1.0),
                             should_cancel=should_cancel)
    return run, other_run


def key_figure_rows(run: RunResult, other: RunResult, label: str, other_label: str) -> tables.Rows:
    """Key figures side by side with their differences (the core's labels and formats), definitions as tooltips."""
    rows = tables.compare_table(run, other=other, label=label, other_label=other_label)
    theirs = kf.key_figure_map(other)
    tips = tuple(f.definition for f in kf.key_figures(run) if f.key in theirs)
    return tables.Rows(rows.headers, rows.rows, rows.decimals, tips)


def allocation_rows(run: RunResult, other: RunResult, by: str, scenario: Scenario | None,
                    other_scenario: Scenario | None, label: str, other_label: str) -> tables.Rows:
    """Allocation (USD m) by sector or by project in both runs and the difference, largest change first."""
    if by == "sector":
        mine, theirs = dict(run.allocation.by_sector), dict(other.allocation.by_sector)
    else:
        mine, theirs = dict(run.allocation.amounts), dict(other.allocation.amounts)
    keys = list(dict.fromkeys([*mine, *theirs]))
    names: dict[str, tuple[str, str]] = {}
    for scn in (other_scenario, scenario):   # the current scenario's names win
        if scn is not None and by == "project":
            frame = scn.projects_effective()
            names.update({str(i): (str(n), str(s)) for i, n, s in zip(frame["ID"], frame["Project"],
                                                                       frame["Sector"], strict=True)})
    out = []
    for k in keys:
        a, b = float(mine.get(k, 0.0)), float(theirs.get(k, 0.0))
        if by == "project" and a == 0 and b == 0:
            continue
        lead = (str(k),) if by == "sector" else (str(k), *names.get(str(k), ("", "")))
        out.append((*lead, a, b, a - b))
    out.sort(key=lambda r: -abs(r[-1]))
    lead_headers = ("Sector",) if by == "sector" else ("ID", "Project", "Sector")
    headers = (*lead_headers, f"{label} (USD m)", f"{other_label} (USD m)", "Difference (USD m)")
    return tables.Rows(headers, tuple(out), (0,) * len(headers))


def plot_allocation_differences(fig: Figure, run: RunResult | None = None, *, other: RunResult | None = None,
                                label: str = "Current", other_label: str = "Other", **_: Any) -> None:
    """Horizontal bars: allocation by sector, current minus other (USD m or bn)."""
    if run is None or other is None:
        note(fig, "Nothing to compare yet.")
        return
    rows = allocation_rows(run, other, "sector", None, None, label, other_label).rows
    ax = fig.subplots()
    diffs = np.array([r[-1] for r in rows], dtype=float)
    divisor, unit = money_unit(diffs)
    y = np.arange(len(rows))
    ax.barh(y, diffs / divisor, color=[PALETTE[0] if d >= 0 else PALETTE[3] for d in diffs], height=0.6)
    ax.set_yticks(y, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.axvline(0, color="#7f7f7f", linewidth=0.8)
    ax.set_xlabel(f"Allocation, {label} minus {other_label} ({unit})")
    ax.set_title(f"Allocation by sector: {label} minus {other_label}")
    label_signed_bars(ax, y, diffs, unit, divisor)
    lo, hi = ax.get_xlim()
    pad = 0.3 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)


def plot_waterfall(fig: Figure, w: Waterfall | None = None, *, key: str = "expected_pnl", start: str = "Other",
                   end: str = "Current", name: str = "", **_: Any) -> None:
    """The waterfall: from the other scenario's figure, each group of input changes moves it, to the current one."""
    if w is None:
        note(fig, "The waterfall appears here when it has been computed\n(it re-runs the models once per group of "
                  "input changes).")
        return
    name = name or ("Expected P&L" if key == "expected_pnl" else "CVaR")
    steps = [(s.label, float(s.deltas.get(key, 0.0))) for s in w.steps]
    base, final = float(w.base.get(key, np.nan)), float(w.final.get(key, np.nan))
    labels = [start] + [textwrap.shorten(lbl, 48, placeholder="...") for lbl, _d in steps] + [end]
    divisor, unit = money_unit([base, final, *[d for _l, d in steps]])
    ax = fig.subplots()
    y = np.arange(len(labels))
    ax.barh(y[0], base / divisor, color="#7f7f7f", height=0.6)
    ends = [0.0, base, final]
    level = base
    for i, (_lbl, d) in enumerate(steps, start=1):
        ax.barh(y[i], d / divisor, left=level / divisor, color=PALETTE[2] if d >= 0 else PALETTE[3], height=0.6)
        ax.annotate(("+" if d >= 0 else "") + fmt_money(d, unit), (max(level, level + d) / divisor, y[i]),
                    xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize="small")
        level += d
        ends.append(level)
    ax.barh(y[-1], final / divisor, color=PALETTE[0], height=0.6)
    for yi, value in ((y[0], base), (y[-1], final)):
        ax.annotate(fmt_money(value, unit), (max(value, 0.0) / divisor, yi), xytext=(4, 0),
                    textcoords="offset points", ha="left", va="center", fontsize="small")
    lo, hi = min(ends) / divisor, max(ends) / divisor
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - 0.05 * span, hi + 0.3 * span)      # room on the right for the amounts
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="#7f7f7f", linewidth=0.8)
    ax.set_xlabel(f"{name} ({unit}); {w.trials:,} trials, seed {w.seed}, the same random numbers for every step")
    ax.set_title(f"What moved {name}: {start} \u2192 {end}")


def plot_distributions(fig: Figure, run: RunResult | None = None, *, other: RunResult | None = None,
                       label: str = "Current", other_label: str = "Other", **_: Any) -> None:
    """Both distributions of NPV overlaid on the whole width, each with its VaR, CVaR and mean; legend outside."""
    if run is None or other is None:
        note(fig, "Nothing to compare yet.")
        return
    edges = [run.risk.histogram_edges[0], run.risk.histogram_edges[-1], other.risk.histogram_edges[0],
             other.risk.histogram_edges[-1]]
    divisor, unit = money_unit(edges)
    ax = fig.subplots()
    overlay_distributions(ax, run, other, label, other_label, divisor, unit)
    ax.set_title(f"Distributions of {kf.npv_name(run)}: {label} against {other_label}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize="small")


class CompareWindow(QWidget):
    """The current results against another scenario: key figures, distributions, allocation, inputs and waterfall.

    ``start(request, label, other_label)`` runs what is missing in the background (progress and
    Cancel at the top), then fills the tabs and starts the waterfall of the input changes.
    Signals: ``compared`` when the key figures are shown, ``waterfall_done`` when the waterfall is.
    """

    compared = Signal()
    waterfall_done = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Compare")
        self.resize(1100, 720)
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.tabs = QTabWidget()
        self.key_table = RowsView()
        self.tabs.addTab(self.key_table, COMPARE_TABS[0])
        self.distributions = PlotCanvas(plot_distributions, self, title="Distributions")
        self.tabs.addTab(self.distributions, COMPARE_TABS[1])
        alloc = QSplitter(Qt.Orientation.Horizontal)
        self.allocation_canvas = PlotCanvas(plot_allocation_differences, alloc, title="Allocation differences")
        self.sector_table = RowsView()
        self.project_table = RowsView()
        tables_tabs = QTabWidget()
        tables_tabs.addTab(self.sector_table, "By sector")
        tables_tabs.addTab(self.project_table, "By project")
        alloc.addWidget(self.allocation_canvas)
        alloc.addWidget(tables_tabs)
        alloc.setSizes([600, 500])
        self.tabs.addTab(alloc, COMPARE_TABS[2])
        wf = QSplitter(Qt.Orientation.Vertical)
        self.waterfall_canvas = PlotCanvas(plot_waterfall, wf, title="Waterfall")
        self.inputs = ComparisonView()
        self.inputs.run_button.clicked.connect(lambda: self.start_waterfall(self.inputs.trials.value()))
        self.inputs.cancel_button.clicked.connect(self.cancel)
        wf.addWidget(self.waterfall_canvas)
        wf.addWidget(self.inputs)
        wf.setSizes([380, 320])
        self.tabs.addTab(wf, COMPARE_TABS[3])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.worker = RunController(self, run_function=_compare_job, delay_ms=0)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.request: CompareRequest | None = None
        self.label, self.other_label = "Current", "Other"
        self.run: RunResult | None = None
        self.other_run: RunResult | None = None
        self.waterfall: Waterfall | None = None
        self._stage = ""
        self._busy(False)

    # ------------------------------------------------------------------ public API
    def start(self, request: CompareRequest, label: str, other_label: str) -> None:
        """Compare ``request.current`` (labelled ``label``) with ``request.other`` (``other_label``)."""
        self.request, self.label, self.other_label = request, label, other_label
        self.run = self.other_run = self.waterfall = None
        self.setWindowTitle(f"Compare: {label} with {other_label}")
        self.heading.setText(f"Running {other_label}" + ("" if request.current_run is not None else
                                                         f" and {label}") + " for the comparison...")
        self._fill()
        self._stage = "runs"
        self._busy(True)
        self.worker.start(("runs", request))

    def start_waterfall(self, trials: int | None = None) -> bool:
        """Re-run the models once per group of input changes (other -> current, same random numbers)."""
        if self.request is None or self.run is None or self.request.current.same_content(self.request.other):
            return False
        trials = int(trials) if trials else min(int(self.run.trials), self.inputs.trials.value())
        self._stage = "waterfall"
        self._busy(True)
        self.inputs.set_running(True)
        self.heading.setText(f"{self._summary()} Computing the waterfall ({trials:,} trials)...")
        self.worker.start(("waterfall", self.request.other, self.request.current, trials, int(self.run.seed)))
        return True

    def cancel(self) -> None:
        self.worker.cancel()

    def is_running(self) -> bool:
        return self.worker.is_running()

    def shutdown(self, ms: int = 30_000) -> bool:
        return self.worker.shutdown(ms)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window stops the work under way (nobody is looking at it any more)."""
        self.cancel()
        super().closeEvent(event)

    # ------------------------------------------------------------------ internals
    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setValue(0)

    def _summary(self) -> str:
        if self.run is None:
            return ""
        return (f"{self.label} against {self.other_label}: both with {self.run.trials:,} trials and seed "
                f"{self.run.seed} (the same random numbers), each with its own allocation method "
                f"({self.run.allocation.method}, {self.other_run.allocation.method}).")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(1000 * fraction))
        self.progress.setFormat(message or "%p%")

    def _on_finished(self, result: Any) -> None:   # a pair of runs or a Waterfall, by the stage under way
        self._busy(False)
        if self._stage == "runs":
            self.run, self.other_run = result
            self.heading.setText(self._summary())
            self._fill()
            self.compared.emit()
            if self.request is not None and not self.request.current.same_content(self.request.other):
                self.start_waterfall()
        else:
            self.waterfall = result
            self.inputs.set_running(False)
            self.inputs.show_waterfall(result)
            self.waterfall_canvas.show_run(result, start=self.other_label, end=self.label,
                                           name=f"Expected {kf.npv_name(self.run)}")
            self.heading.setText(self._summary())
            self.waterfall_done.emit(result)

    def _on_failed(self, message: str) -> None:
        self._busy(False)
        self.inputs.set_running(False, enabled=self.run is not None)
        what = "The waterfall" if self._stage == "waterfall" else "The comparison"
        self.heading.setText(f"{what} could not be computed: {message}")
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._busy(False)
        self.inputs.set_running(False, enabled=self.run is not None)
        what = "The waterfall" if self._stage == "waterfall" else "The comparison"
        self.heading.setText(f"{self._summary()} {what} was cancelled.".strip())

    def _fill(self) -> None:
        run, other, req = self.run, self.other_run, self.request
        context = {"other": other, "label": self.label, "other_label": self.other_label}
        if run is None or other is None or req is None:
            for table in (self.key_table, self.sector_table, self.project_table):
                table.set_rows(("",), ())
            self.distributions.show_run(None)
            self.allocation_canvas.show_run(None)
            self.waterfall_canvas.show_run(None)
            return
        rows = key_figure_rows(run, other, self.label, self.other_label)
        self.key_table.set_rows(rows.headers, rows.rows, rows.decimals, rows.tooltips)
        self.distributions.show_run(run, **context)
        for by, table in (("sector", self.sector_table), ("project", self.project_table)):
            r = allocation_rows(run, other, by, req.current, req.other, self.label, self.other_label)
            table.set_rows(r.headers, r.rows, r.decimals)
        self.allocation_canvas.show_run(run, **context)
        from workbench.risk.report import summary_dict
        from workbench.snapshots.compare import compare_scenarios

        cmp = compare_scenarios(req.other, req.current, old_label=self.other_label, new_label=self.label,
                                old_summary=summary_dict(other), new_summary=summary_dict(run))
        self.inputs.show_comparison(cmp)
        self.waterfall_canvas.show_run(None)


# ------------------------------------------------------------------------- the menu commands
def _request(window, other: Scenario) -> CompareRequest:
    run = window.last_result
    matches = run is not None and window.result_scenario is not None and \
        window.result_scenario.same_content(window.scenario)
    options = window.run_controller.options
    return CompareRequest(window.scenario, run if matches else None, other, options.get("trials"),
                          options.get("seed"))


def compare_with(window, other: Scenario, other_label: str) -> CompareWindow:
    """Compare the current scenario's results with ``other`` in the window's Compare window (shown, in front)."""
    view = getattr(window, "compare_window", None)
    if view is None:
        view = CompareWindow(window)
        view.compared.connect(lambda: _show_in_results(window, view))
        window.compare_window = view
    req = _request(window, other)
    view.start(req, "Current", other_label)
    view.show()
    view.raise_()
    return view


def _show_in_results(window, view: CompareWindow) -> None:
    """The results panel's Compare tab follows when the comparison used the window's own results."""
    if view.request is not None and view.request.current_run is not None and \
            view.request.current_run is window.last_result:
        window.results_panel.set_comparison(view.other_run, view.other_label)


def compare_with_workbook(window, path: str | Path | None = None) -> CompareWindow | None:
    """Compare with a colleague's workbook (asking which when ``path`` is None); None when nothing was compared."""
    from ui import files

    if path is None:
        name = files.ask_open_path(window, "Compare with a workbook")
        if not name:
            return None
        path = name
    path = Path(path)
    other = files.read(window, path)
    if other is None:
        window.statusBar().showMessage(f"Nothing to compare: {path.name} could not be used.", 15_000)
        return None
    return compare_with(window, other, path.name)


def snapshot_choices(window) -> list[tuple[int, str]]:
    """``(id, text)`` of every live snapshot of the window's library, newest first."""
    panel = getattr(window, "snapshots_panel", None)
    library = getattr(panel, "library", None)
    if library is None:
        return []
    return [(i.id, f"#{i.id}  {i.created_at[:16].replace('T', ' ')}  {i.note or i.name}".strip())
            for i in library.list()]


def compare_with_snapshot(window, sid: int | None = None) -> CompareWindow | None:
    """Compare with a snapshot of the library (asking which when ``sid`` is None); None when nothing was compared."""
    from PySide6.QtWidgets import QInputDialog

    choices = snapshot_choices(window)
    if sid is None:
        if not choices:
            window.message("No snapshots yet", "There is no snapshot to compare with yet. Save one in the "
                           "Snapshots panel (next to Issues), or compare with a workbook instead.",
                           icon=QMessageBox.Icon.Information)
            return None
        texts = [t for _i, t in choices]
        text, ok = QInputDialog.getItem(window, "Compare with a snapshot", "Snapshot:", texts, 0, False)
        if not ok:
            return None
        sid = choices[texts.index(text)][0]
    library = window.snapshots_panel.library
    info = library.get(sid)
    other = library.restore(info.id)
    return compare_with(window, other, f"snapshot #{info.id}" + (f" ({info.note})" if info.note else ""))
