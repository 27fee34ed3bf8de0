"""The What if menu on the real main window: each dialog opens from the menu, runs its analysis in
the background on few trials, and shows a table and a plot a user can read."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

from ui.whatif_dialogs import ALLOCATION_CRITERION, EVERY_TORNADO_INPUT


def _menu_action(window, text_start: str):
    """The What if menu's action whose text (ampersands removed) starts with ``text_start``."""
    bar = window.menuBar()
    menus = {a.text().replace("&", ""): a.menu() for a in bar.actions() if a.menu() is not None}
    assert "What if" in menus, f"no What if menu among {sorted(menus)}"
    for act in menus["What if"].actions():
        if act.text().replace("&", "").startswith(text_start):
            return act
    raise AssertionError(f"no action starting {text_start!r} in the What if menu")


def _open(window, qtbot, text_start: str, key: str):
    _menu_action(window, text_start).trigger()
    dlg = window.whatif.dialogs[key]
    qtbot.waitExposed(dlg)
    return dlg


def _run(dlg, qtbot, timeout: int = 120_000):
    with qtbot.waitSignal(dlg.runner.finished, timeout=timeout,
                          check_params_cb=lambda _r: True) as blocker:
        assert dlg.run()
    return blocker.args[0]


def _table(view) -> tuple[list[str], list[list[str]]]:
    model = view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    return headers, rows


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("\u2212", "-"))


def _figure_text(dlg) -> str:
    fig = dlg.canvas.figure
    parts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.get_yticklabels()] + [t.get_text() for t in ax.texts]
        leg = ax.get_legend()
        if leg is not None:
            parts += [t.get_text() for t in leg.get_texts()]
    return " ".join(" ".join(parts).split())   # titles and labels may be wrapped to fit the canvas


def test_menu_lists_the_four_analyses(window):
    for text in ("Switching values", "Goal seek", "Robust allocation", "Global sensitivity"):
        assert _menu_action(window, text).isEnabled()


def test_goal_seek_answers_the_data_centers_question(window, qtbot):
    dlg = _open(window, qtbot, "Goal seek", "seek")
    assert dlg.input.currentText() == "Data centers: expected return"
    assert dlg.statistic.currentData() == "p-loss" and dlg.op.currentData() == "<=" and dlg.value.text() == "10%"
    dlg.trials.setValue(2000)
    report = _run(dlg, qtbot)
    res = report.result
    assert res.answer is not None and res.holds_when == ">="
    assert res.answer > res.input.value           # the scenario's 10 % does not keep P(loss) under 10 %
    headers, rows = _table(dlg.table)
    assert headers == ["Quantity", "Value"]
    table = {r[0]: r[1] for r in rows}
    assert table["Answer"] == f"at least {100 * res.answer:.2f} %"
    lo, hi = res.crossing.band()
    assert table["95 % band of the answer"] == f"{100 * lo:.2f} % to {100 * hi:.2f} %"
    assert "P(NPV at 5 % below zero)" in table["Target"] and "10.00 %" in table["Target"]
    text = _figure_text(dlg)
    assert "Crossing at" in text and "Target (<= 10.00 %)" in text and "2,000 trials" in text
    assert "at least" in dlg.status.text()


def test_goal_seek_says_when_the_target_cannot_be_reached(window, qtbot):
    dlg = _open(window, qtbot, "Goal seek", "seek")
    dlg.input.setCurrentText("Discount rate")
    dlg.statistic.setCurrentIndex(dlg.statistic.findData("p-loss"))
    dlg.value.setText("0%")     # no discount rate makes a loss impossible
    dlg.trials.setValue(1000)
    report = _run(dlg, qtbot)
    assert not report.result.reachable and report.result.answer is None
    rows = dict(_table(dlg.table)[1][:3])
    assert rows["Answer"] == "cannot be reached within the valid range"
    assert "cannot be reached" in dlg.status.text()


def test_goal_seek_refuses_a_target_it_cannot_read(window, qtbot):
    dlg = _open(window, qtbot, "Goal seek", "seek")
    dlg.value.setText("ten percent")
    assert not dlg.run()
    assert "is not a number" in dlg.status.text()
    assert not dlg.is_running() and dlg.run_button.isEnabled()


def test_whatif_choices_and_table_headers_name_npv_at_the_scenarios_rate(window, qtbot):
    """On the default scenario (discount rate 5 %) each statistic offered and each table header names
    "NPV at 5 %" as the key figures do; a new rate renames them, and the short forms still parse."""
    from workbench.commands import SetField
    from workbench.figures import npv_label
    from workbench.whatif.statistics import find_statistic

    assert window.scenario.field("Discount rate") == 0.05
    seek = _open(window, qtbot, "Goal seek", "seek")
    offered = [seek.statistic.itemText(i) for i in range(seek.statistic.count())]
    assert offered == ["Expected NPV at 5 % (USD m)", "P(NPV at 5 % below zero)", "VaR 95 % (NPV at 5 %, USD m)",
                       "CVaR 95 % (NPV at 5 %, USD m)"]
    assert offered[1] == f"P({npv_label(0.05)} below zero)"     # the key figures' words (workbench.figures)
    for text in [*offered, "P(NPV<0)", "E[NPV]", "CVaR 95%"]:
        assert find_statistic(text).key in ("expected-npv", "p-loss", "var", "cvar")
    assert find_statistic("P(NPV<0)").key == find_statistic(offered[1]).key == "p-loss"
    dlg = _open(window, qtbot, "Switching values", "switching")
    dlg.input.setCurrentText("Data centers: expected return")
    dlg.trials.setValue(500)
    _run(dlg, qtbot, timeout=300_000)
    headers = _table(dlg.table)[0]
    assert "Expected NPV at 5 % (USD m) at the scenario's value" in headers
    assert "Expected NPV at 5 %" in dlg.heading.text()
    assert "Expected NPV at 5 %" in _figure_text(dlg)
    window.push(SetField("Discount rate", 0.035))
    assert seek.statistic.itemText(1) == "P(NPV at 3.5 % below zero)"


def test_switching_values_of_every_tornado_input(window, qtbot):
    from workbench.whatif.inputs import tornado_inputs

    dlg = _open(window, qtbot, "Switching values", "switching")
    assert dlg.input.currentText() == EVERY_TORNADO_INPUT
    dlg.trials.setValue(1000)
    report = _run(dlg, qtbot, timeout=300_000)
    headers, rows = _table(dlg.table)
    names = [i.name for i in tornado_inputs(window.scenario)]
    assert [r[0] for r in rows] == names
    assert headers[:3] == ["Input", "Scenario value", "Switching value"]
    for row, c in zip(rows, report.crossings):
        assert row[2] == (f"{100 * c.value:.2f} %" if c.found else "None within the range")
    # selecting a row draws that input's curve
    found = [k for k, c in enumerate(report.crossings) if c.found]
    k = found[-1]
    dlg.table.selectRow(k)
    dlg.table.setCurrentIndex(dlg.table.model().index(k, 0))
    assert f"Switching value of {names[k]}" in _figure_text(dlg).replace("\n", " ")


def test_switching_value_of_a_picked_input_on_the_allocation_criterion(window, qtbot):
    dlg = _open(window, qtbot, "Switching values", "switching")
    dlg.input.setCurrentText("Data centers: expected return")
    dlg.criterion.setCurrentText(ALLOCATION_CRITERION)
    assert not dlg.threshold.isEnabled()
    dlg.trials.setValue(500)
    report = _run(dlg, qtbot, timeout=300_000)
    assert len(report.crossings) == 1 and report.criterion == "allocation"
    rows = _table(dlg.table)[1]
    assert rows[0][0] == "Data centers: expected return"
    assert "allocation" in _figure_text(dlg).lower()


def test_robust_methods_with_each_outcome_in_every_stress(window, qtbot):
    dlg = _open(window, qtbot, "Robust allocation", "robust")
    dlg.trials.setValue(2000)
    comp = _run(dlg, qtbot, timeout=300_000)
    assert {"min-regret", "worst-case"} <= set(comp.allocations)
    headers, rows = _table(dlg.table)
    assert headers[0] == "Allocation" and "Largest regret of expected NPV at 5 % (USD m)" in headers
    regrets = {r[0]: _number(r[2]) for r in rows}
    # min-regret has the smallest largest regret of the allocations compared (to the table's rounding)
    assert regrets["min-regret"] <= min(regrets.values()) + 1
    worst = {r[0]: _number(r[3]) for r in rows}
    assert worst["worst-case"] >= max(worst.values()) - 1
    d_headers, d_rows = _table(dlg.detail)
    assert d_headers[:3] == ["Allocation", "Scenario", "Expected NPV at 5 % (USD m)"]
    # every amount names its measure with the default scenario's 5 % discount rate
    for h in [*headers[2:], *d_headers[2:]]:
        assert "NPV at 5 %" in h and "P&L" not in h, h
    assert len(d_rows) == len(comp.allocations) * len(comp.scenarios)
    assert {r[1] for r in d_rows} == set(comp.scenarios) and "Baseline" in comp.scenarios
    text = _figure_text(dlg)
    assert "Outcome in every stress" in text and "Largest regret" in text and "Expected NPV at 5 %" in text
    # the button sets the scenario's method as one undo step
    before = window.scenario.field("Allocation method")
    k = comp.allocations.index("min-regret")
    dlg.table.setCurrentIndex(dlg.table.model().index(k, 0))
    dlg.use_button.click()
    assert window.scenario.field("Allocation method") == "min-regret"
    window.undo_stack.undo()
    assert window.scenario.field("Allocation method") == before


def test_robust_cvar_flavour_reports_cvar_regrets(window, qtbot):
    dlg = _open(window, qtbot, "Robust allocation", "robust")
    dlg.measure.setCurrentIndex(dlg.measure.findData("cvar"))
    dlg.cvar_trials.setValue(64)
    dlg.trials.setValue(512)
    comp = _run(dlg, qtbot, timeout=600_000)
    assert comp.measure == "cvar" and comp.cvar_trials == 64
    headers, rows = _table(dlg.table)
    assert headers[2] == "Largest regret of CVaR 95 % (NPV at 5 %, USD m)"
    regrets = {r[0]: _number(r[2]) for r in rows}
    assert all(v >= -1 for v in regrets.values())       # no allocation beats the smallest CVaR of a stress
    d_headers = _table(dlg.detail)[0]
    assert d_headers[3] == "Smallest CVaR possible (USD m)" and "first 64 trials" in d_headers[5]
    assert not dlg.use_button.isEnabled()
    assert "Largest regret of CVaR" in " ".join(_figure_text(dlg).split())


def test_sobol_beside_the_tornado_flags_rank_differences(window, qtbot):
    dlg = _open(window, qtbot, "Global sensitivity", "sobol")
    dlg.samples.setValue(16)
    dlg.trials.setValue(256)
    rep = _run(dlg, qtbot, timeout=600_000)
    headers, rows = _table(dlg.table)
    assert headers[:5] == ["Input or group", "Kind", "First order", "95 % interval", "Total"]
    inputs = [r for r in rows if r[1] == "input"]
    groups = [r for r in rows if r[1] == "group"]
    assert len(inputs) == len(rep.sobol.inputs) and any(g[0] == "All events" for g in groups)
    for r in inputs:
        assert r[8].startswith("differs") == (r[0] in rep.differences)
        assert (r[8] == "differs (clearly)") == (r[0] in rep.clear)
        assert math.isfinite(float(r[4]))
    text = _figure_text(dlg)
    assert "Tornado swing" in text and "Sobol indices" in text
    for name, (t, s) in rep.differences.items():
        if name in rep.tornado_order[:15]:
            assert f"tornado #{t}, Sobol #{s}" in text


def test_cancel_stops_the_analysis_and_keeps_nothing(window, qtbot):
    dlg = _open(window, qtbot, "Switching values", "switching")
    dlg.trials.setValue(20_000)
    with qtbot.waitSignal(dlg.runner.cancelled, timeout=120_000):
        assert dlg.run()
        qtbot.waitUntil(lambda: dlg.progress.format() not in ("", "Starting..."), timeout=60_000)
        dlg.cancel_button.click()
    assert dlg.result is None
    assert "Cancelled" in dlg.status.text() and dlg.run_button.isEnabled()


def test_a_result_for_an_earlier_scenario_is_marked(window, qtbot):
    from workbench.commands import SetField

    dlg = _open(window, qtbot, "Goal seek", "seek")
    dlg.trials.setValue(500)
    _run(dlg, qtbot)
    assert "earlier version" not in dlg.heading.text()
    window.push(SetField("Discount rate", 0.06))
    assert "earlier version" in dlg.heading.text()


def test_waits_for_the_main_windows_run_before_starting(window, qtbot):
    dlg = _open(window, qtbot, "Goal seek", "seek")
    dlg.trials.setValue(500)
    window.run_now()
    assert window.run_controller.is_running()
    started = []
    dlg.runner.started.connect(lambda: started.append(window.run_controller.is_running()))
    with qtbot.waitSignal(dlg.runner.finished, timeout=600_000):
        assert dlg.run()
        assert "Waiting for the run under way" in dlg.status.text() and not dlg.runner.is_running()
    assert started == [False]    # it started only once the main run had ended
    window.run_controller.wait()
