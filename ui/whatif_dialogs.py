"""The What if menu: switching values, goal seek, robust allocation across the stress tests, and
global (Sobol) sensitivity beside the tornado, each a non-modal dialog.

Each dialog runs one core task of :mod:`workbench.whatif.tasks` in the frame of
:class:`ui.whatif_base.WhatIfDialog` (the scenario as it is when Run is pressed, run in the
background with progress and Cancel, the answer as a plot beside a table).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.plots.whatif import plot_robust, plot_seek, plot_sobol, plot_switching
from ui.results_table import RowsView
from ui.whatif_base import WhatIfDialog, _html, _stat_text, fmt_value
from workbench.figures import npv_label
from workbench.whatif.statistics import find_statistic, parse_number
from workbench.whatif.vocabulary import GENERIC_NPV, definition

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex

    from ui.main_window import MainWindow
    from workbench.scenario import Scenario
    from workbench.whatif.tasks import RobustComparison, SeekReport, SobolReport, SwitchingReport

    WhatIfReport = SwitchingReport | SeekReport | RobustComparison | SobolReport

EVERY_TORNADO_INPUT = "Every input the tornado varies"
ALLOCATION_CRITERION = "The allocation changes"


# ---------------------------------------------------------------- switching values
class SwitchingDialog(WhatIfDialog["SwitchingReport"]):
    title = "Switching values"
    plot = staticmethod(plot_switching)
    intro = ("For each input, the value at which the criterion crosses its threshold, the other inputs as in the "
             "scenario (HM Treasury Green Book's switching values). Select a row to see its curve.")

    def build_options(self) -> None:
        from workbench.whatif.inputs import all_inputs

        self.input = QComboBox()
        self.input.addItem(EVERY_TORNADO_INPUT, "")
        for inp in all_inputs(self.window.scenario):
            self.input.addItem(inp.name, inp.name)
        self.criterion = self.stat_combo()
        self.criterion.addItem(ALLOCATION_CRITERION, "allocation")
        self.threshold = QLineEdit("0")
        self.threshold.setToolTip(f"The criterion's threshold: USD m (or 80bn) for amounts, 10% or 0.1 for "
                                  f"P({self.npv()} below zero). Not used for 'The allocation changes'.")
        self.criterion.currentIndexChanged.connect(self._criterion_changed)
        self.form.addRow("Inputs", self.input)
        self.form.addRow("Criterion", self.criterion)
        self.form.addRow("Threshold", self.threshold)
        self.form.addRow("Trials per evaluation", self.trials)

    def _criterion_changed(self) -> None:
        key = self.criterion.currentData()
        self.threshold.setEnabled(key != "allocation")
        self.threshold.setText({"p-loss": "10%", "expected-npv": "0"}.get(key, self.threshold.text()))

    def options(self) -> dict[str, Any]:
        key = self.criterion.currentData()
        threshold = 0.0
        if key != "allocation":
            threshold = parse_number(self.threshold.text(), find_statistic(key).unit)
        name = self.input.currentData()
        return {"inputs": [name] if name else None, "criterion": key, "threshold": threshold,
                "trials": self.trials.value()}

    def task(self, scn: Scenario, **kwargs: Any) -> SwitchingReport:
        from workbench.whatif.tasks import switching_task

        return switching_task(scn, **kwargs)

    def summary(self, r: SwitchingReport) -> str:
        found = sum(1 for c in r.crossings if c.found)
        return (f"{found} of {len(r.crossings)} inputs cross the threshold within their valid range; "
                f"{r.evaluations:,} evaluations of {r.trials:,} trials (seed {r.seed}, allocation: {r.method}).")

    def show_result(self, r: SwitchingReport) -> None:
        crit_label = "Largest move of a project" if r.criterion == "allocation" else \
            find_statistic(r.criterion).label_at(self.confidence(), _rate(r))
        headers = ["Input", "Scenario value", "Switching value", "95 % band", "Monte Carlo s.e.",
                   f"{crit_label} at the scenario's value", "Evaluations", "What it says"]
        rows, tips = [], []
        for c in r.crossings:
            u = c.input.unit
            band = c.band()
            rows.append([c.input.name, fmt_value(c.input.value, u),
                         fmt_value(c.value, u) if c.found else "None within the range",
                         f"{fmt_value(band[0], u)} to {fmt_value(band[1], u)}" if band else "",
                         fmt_value(c.se, u) if c.se is not None else "",
                         "" if c.criterion == "allocation" else _stat_text(c.criterion, c.base_statistic),
                         c.evaluations, c.message])
            tips.append(" ".join((c.message, *c.notes)))
        self.table.set_rows(headers, rows, tooltips=tips)
        if not getattr(self, "_row_hooked", False):
            self.table.selectionModel().currentRowChanged.connect(self._row_changed)
            self._row_hooked = True
        npv = _npv(r)
        crit = "the allocation changes" if r.criterion == "allocation" else \
            f"{find_statistic(r.criterion).label_at(self.confidence(), _rate(r))} = " \
            f"{_stat_text(r.criterion, r.threshold)}"
        self.set_heading(f"<b>Switching values: where {crit}</b><br>{_html(definition('switching_value', npv))}")
        self.table.setToolTip(definition("switching_value_se"))
        self.canvas.show_run(r, selected=0)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.result is not None:
            self.canvas.show_run(self.result, selected=self.table.proxy.mapToSource(current).row())


# ---------------------------------------------------------------- goal seek
class SeekDialog(WhatIfDialog["SeekReport"]):
    title = "Goal seek on a statistic"
    plot = staticmethod(plot_seek)
    intro = ("The value of one input at which a statistic meets a target, e.g. the minimum expected return of "
             "data centers that keeps the probability that NPV at the scenario's discount rate is below zero at "
             "or below 10 %; or a statement that the target cannot be reached within the input's valid range.")

    def build_options(self) -> None:
        from workbench.whatif.inputs import all_inputs

        self.input = QComboBox()
        names = [i.name for i in all_inputs(self.window.scenario)]
        self.input.addItems(names)
        default = next((n for n in names if n.lower().startswith("data centers: expected return")), names[0] if names
                       else "")
        self.input.setCurrentText(default)
        self.statistic = self.stat_combo("p-loss")
        self.op = QComboBox()
        self.op.addItem("at or below", "<=")
        self.op.addItem("at or above", ">=")
        self.value = QLineEdit("10%")
        self.value.setToolTip(f"The target: 10% or 0.1 for P({self.npv()} below zero); USD m, or 80bn, for "
                              "amounts.")
        target = QHBoxLayout()
        target.addWidget(self.statistic, 2)
        target.addWidget(self.op)
        target.addWidget(self.value, 1)
        self.form.addRow("Vary", self.input)
        self.form.addRow("Target", target)
        self.form.addRow("Trials per evaluation", self.trials)

    def options(self) -> dict[str, Any]:
        st = find_statistic(self.statistic.currentData())
        value = parse_number(self.value.text(), st.unit)
        return {"vary": self.input.currentText(), "target": f"{st.key}{self.op.currentData()}{value!r}",
                "trials": self.trials.value()}

    def task(self, scn: Scenario, **kwargs: Any) -> SeekReport:
        from workbench.whatif.tasks import seek_task

        return seek_task(scn, **kwargs)

    def summary(self, r: SeekReport) -> str:
        return r.result.message

    def show_result(self, r: SeekReport) -> None:
        res, c = r.result, r.result.crossing
        u = res.input.unit
        band = c.band()
        st = res.target.statistic
        rows = [
            ["Target", res.target.describe(r.confidence, _rate(r))],
            ["Input varied", f"{res.input.name} (valid range {res.input.describe_range()})"],
            ["Answer", (f"{'at least' if res.holds_when == '>=' else 'at most'} {fmt_value(res.answer, u)}"
                        if res.answer is not None else
                        "cannot be reached within the valid range" if not res.reachable else
                        "holds across the whole valid range")],
            ["95 % band of the answer", f"{fmt_value(band[0], u)} to {fmt_value(band[1], u)}" if band else ""],
            ["Monte Carlo standard error", fmt_value(res.se, u) if res.se is not None else ""],
            ["Scenario's value", fmt_value(res.input.value, u)],
            ["Statistic at the scenario's value", st.format(c.base_statistic)],
            ["Target holds at the scenario's value", "yes" if res.holds_at_scenario_value else "no"],
            ["Engine evaluations", f"{c.evaluations:,} of {r.trials:,} trials each"],
            ["Seed, allocation", f"{r.seed}, {r.method} (held fixed unless the input changes only the allocation)"],
        ]
        rows += [[f"Curve: {fmt_value(p.value, u)}", f"{st.format(p.statistic)} (s.e. {st.format(p.se)})"]
                 for p in c.curve]
        self.table.set_rows(["Quantity", "Value"], rows)
        self.set_heading(f"<b>Goal seek</b><br>{_html(definition('goal_seek_answer', _npv(r)))}")
        self.canvas.show_run(r)


# ---------------------------------------------------------------- robust allocation
class RobustDialog(WhatIfDialog["RobustComparison"]):
    title = "Robust allocation across the stress tests"
    plot = staticmethod(plot_robust)
    intro = ("The min-regret and worst-case methods beside the scenario's method and max-return: each allocation's "
             "expected NPV at the scenario's discount rate and its CVaR in the baseline and every named stress "
             "test (the same draws in every stress), "
             "and its regret against the best any allocation gets in that stress. Use a method for the scenario "
             "with the button below the table.")

    def build_side(self) -> QWidget:
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.table)
        self.detail = RowsView()
        side.addWidget(self.detail)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(side, 1)
        self.use_button = QPushButton("Use the selected method for the scenario")
        self.use_button.setToolTip("Sets the Scenario's Allocation method (one undo step).")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_selected)
        lay.addWidget(self.use_button)
        return box

    def build_options(self) -> None:
        self.measure = QComboBox()
        npv = self.npv()
        self.measure.addItem(f"Expected {npv} (regret of expected {npv}, worst expected {npv})", "expected")
        self.measure.addItem(f"CVaR of {npv} (regret of CVaR, worst CVaR; slower: one LP row per trial and stress)",
                             "cvar")
        self.cvar_trials = QSpinBox()
        self.cvar_trials.setRange(64, 20_000)
        self.cvar_trials.setGroupSeparatorShown(True)
        self.cvar_trials.setValue(1024)
        self.cvar_trials.setToolTip("Trials of each stress the CVaR flavour is fitted and measured on.")
        self.form.addRow("Measure", self.measure)
        self.form.addRow("Trials per stress (CVaR)", self.cvar_trials)
        self.form.addRow("Trials per evaluation", self.trials)

    def options(self) -> dict[str, Any]:
        return {"trials": self.trials.value(), "measure": self.measure.currentData(),
                "cvar_trials": self.cvar_trials.value()}

    def task(self, scn: Scenario, **kwargs: Any) -> RobustComparison:
        from workbench.whatif.tasks import robust_task

        return robust_task(scn, **kwargs)

    def summary(self, r: RobustComparison) -> str:
        best = r.allocations[int(r.max_regret.argmin())]
        return (f"Smallest largest regret: {best}. {len(r.scenarios) - 1} stress tests and the baseline on "
                f"{r.trials:,} trials of the fitting sample (seed {r.seed}).")

    def show_result(self, r: RobustComparison) -> None:
        conf = f"{100 * r.confidence:g} %"
        cvar = r.measure == "cvar"
        npv = _npv(r)
        self.table.set_rows(robust_headers(r),
            [[a, s, float(mr), float(w), float(cv)] for a, s, mr, w, cv in
             zip(r.allocations, r.statuses, r.max_regret, r.worst_pnl, r.worst_cvar)],
            tooltips=[definition("max_regret", npv)] * len(r.allocations))
        rows = []
        for i, a in enumerate(r.allocations):
            for k, s in enumerate(r.scenarios):
                rows.append([a, s, float(r.pnl[i, k]), float(r.best[k]), float(r.regret[i, k]), float(r.cvar[i, k])])
        on = f", first {r.cvar_trials:,} trials" if cvar else ""
        self.detail.set_rows(["Allocation", "Scenario", f"Expected {npv} (USD m)",
                              "Smallest CVaR possible (USD m)" if cvar else f"Best expected {npv} possible (USD m)",
                              "Regret of CVaR (USD m)" if cvar else f"Regret of expected {npv} (USD m)",
                              f"CVaR {conf} ({npv}, USD m{on})"],
                             rows)
        self.use_button.setEnabled(not cvar)
        self.use_button.setToolTip(f"The Allocation methods min-regret and worst-case use expected {npv}; the "
                                   "CVaR flavour is compared here only." if cvar else
                                   "Sets the Scenario's Allocation method (one undo step).")
        self.set_heading(f"<b>Regret table</b><br>{_html(definition('max_regret', npv))} "
                         f"{_html(definition('worst_stress_pnl', npv))}")
        self.canvas.show_run(r)

    def use_selected(self) -> None:
        from workbench.commands import SetField

        if self.result is None:
            return
        index = self.table.currentIndex()
        row = self.table.proxy.mapToSource(index).row() if index.isValid() else int(self.result.max_regret.argmin())
        method = self.result.allocations[row]
        if self.window.push(SetField("Allocation method", method, f"Use the {method} allocation method")):
            self._say(f"The scenario's allocation method is now {method} (Undo restores the previous one).")


# ---------------------------------------------------------------- global sensitivity
class SobolDialog(WhatIfDialog["SobolReport"]):
    title = "Global sensitivity (Sobol) beside the tornado"
    plot = staticmethod(plot_sobol)
    intro = ("Variance-based sensitivity: every tornado input varies at once over the tornado's range. The "
             "first-order index is the share of the statistic's variance an input explains alone, the total "
             "index includes its interactions. Inputs ranked differently than in the tornado are marked in red.")

    def build_options(self) -> None:
        from workbench.whatif.inputs import tornado_inputs
        from workbench.whatif.sobol import SOBOL_SAMPLES, SOBOL_TRIALS

        self.statistic = self.stat_combo()
        self.samples = QSpinBox()
        self.samples.setRange(8, 4096)
        self.samples.setValue(SOBOL_SAMPLES)
        self.samples.setToolTip("Rows of each pick-freeze sample matrix; evaluations = rows x (2 + factors).")
        self.trials.setValue(SOBOL_TRIALS)
        self.form.addRow("Statistic", self.statistic)
        self.form.addRow("Sample rows", self.samples)
        self.form.addRow("Trials per evaluation", self.trials)
        n = len([i for i in tornado_inputs(self.window.scenario) if i.touches_risk])
        self.form.addRow("", QLabel(f"{n} inputs over the tornado's ranges, with groups (all events, each sector)."))

    def options(self) -> dict[str, Any]:
        return {"statistic": self.statistic.currentData(), "samples": self.samples.value(),
                "trials": self.trials.value()}

    def task(self, scn: Scenario, **kwargs: Any) -> SobolReport:
        from workbench.whatif.tasks import sobol_task

        return sobol_task(scn, **kwargs)

    def summary(self, r: SobolReport) -> str:
        s = r.sobol
        return (f"{len(r.differences)} inputs rank differently by total Sobol index than in the tornado, "
                f"{len(r.clear)} clearly (total-index intervals apart from an input the tornado orders the other "
                "way); "
                f"{s.samples} rows per matrix, {s.trials:,} trials per evaluation, {s.evaluations:,} evaluations.")

    def show_result(self, r: SobolReport) -> None:
        s = r.sobol
        t_rank = {n: k + 1 for k, n in enumerate(r.tornado_order)}
        s_rank = {i.name: k + 1 for k, i in enumerate(sorted(s.inputs, key=lambda i: -i.total))}
        rows, tips = [], []
        for i in sorted(s.inputs, key=lambda i: t_rank.get(i.name, 10**6)):
            rows.append([i.name, "input", i.first, f"{i.first_ci[0]:.3f} to {i.first_ci[1]:.3f}", i.total,
                         f"{i.total_ci[0]:.3f} to {i.total_ci[1]:.3f}", t_rank.get(i.name, ""),
                         s_rank[i.name], _ranking(i.name, r)])
            tips.append(definition("rank_differs") if i.name in r.differences else "")
        for g in s.groups:
            rows.append([g.name, "group", g.first, f"{g.first_ci[0]:.3f} to {g.first_ci[1]:.3f}", g.total,
                         f"{g.total_ci[0]:.3f} to {g.total_ci[1]:.3f}", "", "", ""])
            tips.append(", ".join(g.members))
        self.table.set_rows(["Input or group", "Kind", "First order", "95 % interval", "Total", "95 % interval",
                             "Tornado rank", "Sobol rank", "Ranking"], rows, decimals=[0, 0, 3, 0, 3, 0, 0, 0, 0],
                            tooltips=tips)
        self.set_heading(f"<b>Sobol indices of {_html(s.statistic_label)}</b><br>"
                         f"{_html(definition('sobol_first_order'))} {_html(definition('sobol_total'))}")
        self.canvas.show_run(r)


def _rate(r: WhatIfReport) -> float | None:
    """The discount rate a what-if result's NPV is at (None when the result does not say)."""
    rate = float(getattr(r, "discount_rate", float("nan")))
    return rate if rate == rate else None


def _npv(r: WhatIfReport) -> str:
    """The measure of a what-if result, named from the results vocabulary: "NPV at 5 %"."""
    rate = _rate(r)
    return npv_label(rate) if rate is not None else GENERIC_NPV


def robust_headers(r: RobustComparison) -> list[str]:
    """The robust comparison table's headers, each naming its measure."""
    npv, conf = _npv(r), f"{100 * r.confidence:g} %"
    cvar = r.measure == "cvar"
    return ["Allocation", "Status",
            f"Largest regret of CVaR {conf} ({npv}, USD m)" if cvar else f"Largest regret of expected {npv} (USD m)",
            f"Worst expected {npv} (USD m)", f"Worst CVaR {conf} ({npv}, USD m)"]


def _ranking(name: str, r: SobolReport) -> str:
    if name in r.clear:
        return "differs (clearly)"
    return "differs (intervals overlap)" if name in r.differences else ""


# ---------------------------------------------------------------- the menu
DIALOGS: dict[str, tuple[str, type[WhatIfDialog[Any]], str]] = {
    "switching": ("&Switching values...", SwitchingDialog,
                  "The value of each input at which expected NPV at the discount rate (or another criterion) "
                  "crosses its threshold"),
    "seek": ("&Goal seek on a statistic...", SeekDialog,
             "The value of one input at which a statistic meets a target, with its Monte Carlo error"),
    "robust": ("&Robust allocation across the stress tests...", RobustDialog,
               "Min-regret and worst-case allocations, each allocation's outcome in every stress, the regret table"),
    "sobol": ("Global &sensitivity (Sobol) beside the tornado...", SobolDialog,
              "First-order and total Sobol indices with intervals, flagged where the ranking differs from the "
              "tornado's"),
}


def install(window: MainWindow) -> SimpleNamespace:
    """Add the What if menu (before View) to ``window``; the dialogs open from it, one of each kind."""
    menu = QMenu("&What if", window)
    menu.setToolTipsVisible(True)
    bar = window.menuBar()
    view = getattr(getattr(window, "menu_actions", None), "view_menu", None)
    if view is not None:
        bar.insertMenu(view.menuAction(), menu)
    else:
        bar.addMenu(menu)
    state = SimpleNamespace(menu=menu, actions={}, dialogs={})
    for key, (text, _cls, tip) in DIALOGS.items():
        act = menu.addAction(text)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda _checked=False, k=key: open_dialog(window, k))
        state.actions[key] = act
    window.whatif = state
    return state


def open_dialog(window: MainWindow, key: str) -> WhatIfDialog[Any]:
    """Show (creating it the first time) the dialog ``key`` of :data:`DIALOGS`."""
    dialogs = window.whatif.dialogs
    if key not in dialogs:
        dialogs[key] = DIALOGS[key][1](window)
    dlg: WhatIfDialog[Any] = dialogs[key]
    dlg.show()
    dlg.raise_()
    dlg.activateWindow()
    return dlg


def shutdown(window: MainWindow) -> None:
    """Stop every what-if run (called when the window closes)."""
    for dlg in getattr(getattr(window, "whatif", None), "dialogs", {}).values():
        dlg.shutdown()


__all__ = ["DIALOGS", "RobustDialog", "SeekDialog", "SobolDialog", "SwitchingDialog", "WhatIfDialog", "install",
           "open_dialog", "shutdown"]
