"""Run > Compare with...: the current results against a workbook and a snapshot, from the menus, in the background.

The real window, real runs of the pipeline (few trials), real workbooks and a real snapshot library.
"""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from tests.ui.dialogs import Answers
from ui import compare_view
from workbench import figures as kf
from workbench.commands import SetCell, SetField
from workbench.default_scenario import default_scenario
from workbench.excel import write_workbook

FAST = {"trials": 2000, "stress": False, "tornado": False}
pytestmark = pytest.mark.slow


def _run(window, qtbot) -> None:
    window.run_controller.options.update(FAST)
    with qtbot.waitSignal(window.run_controller.finished, timeout=300_000):
        window.run_now()


def _colleague(tmp_path):
    scn, _ = SetField("Name", "Colleague's").apply(default_scenario())
    scn, _ = SetCell("Sectors", 0, "Volatility", 0.45).apply(scn)
    scn, _ = SetCell("Projects", 2, "Expected return", 0.03).apply(scn)
    path = tmp_path / "colleague.xlsx"
    write_workbook(path, scn)
    return path, scn


def _rows(view) -> list[list[str]]:
    model = view.rows
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_compare_with_a_colleagues_workbook_from_the_menu(window, qtbot, tmp_path):
    _run(window, qtbot)
    mine = window.last_result
    path, _theirs = _colleague(tmp_path)
    with Answers() as answers:
        answers.expect_file(path)
        window.menu_actions.compare_workbook.trigger()
    view = window.compare_window
    assert view.isVisible() and view.is_running()
    with qtbot.waitSignal(view.waterfall_done, timeout=600_000):
        pass
    other = view.other_run
    assert view.run is mine                                    # the current results, not a re-run
    assert (other.trials, other.seed) == (mine.trials, mine.seed)

    # key figures side by side, formatted by the core, each with its definition
    model = view.key_table.rows
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Key figure", "Current", "colleague.xlsx", "Difference"]
    rows = _rows(view.key_table)
    ours, theirs = kf.key_figure_map(mine), kf.key_figure_map(other)
    npv = next(f for f in kf.key_figures(mine) if f.key == "expected_npv")
    row = next(r for r in rows if r[0] == npv.label)
    assert row[1] == kf.format_value(npv.value, npv.unit)
    assert row[2] == kf.format_value(theirs["expected_npv"].value, npv.unit)
    assert len(rows) == len([k for k in ours if k in theirs])
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == kf.key_figures(mine)[0].definition

    # allocation differences by sector and by project add up to the difference of the totals
    by_sector = view.sector_table.rows
    diff_col = by_sector.columnCount() - 1
    total = sum(by_sector.value(r, diff_col) for r in range(by_sector.rowCount()))
    assert math.isclose(total, mine.allocation.total - other.allocation.total, abs_tol=1e-6)
    by_project = view.project_table.rows
    assert by_project.rowCount() >= 1
    for r in range(by_project.rowCount()):
        pid = by_project.value(r, 0)
        assert math.isclose(by_project.value(r, by_project.columnCount() - 1),
                            mine.allocation.amounts.get(pid, 0.0) - other.allocation.amounts.get(pid, 0.0),
                            abs_tol=1e-6)

    # the waterfall: from the colleague's scenario to mine, each change's move, adding up
    w = view.waterfall
    labels = " | ".join(s.label for s in w.steps)
    assert "Sectors" in labels and "Projects" in labels and "Scenario: Name" in labels
    for key in ("expected_pnl", "cvar"):
        assert math.isclose(sum(s.deltas[key] for s in w.steps), w.total(key), rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(w.base["expected_pnl"], other.risk.expected_pnl, rel_tol=1e-9)
    assert math.isclose(w.final["expected_pnl"], mine.risk.expected_pnl, rel_tol=1e-9)
    assert view.inputs.steps.rowCount() == len(w.steps) + 2
    view.tabs.setCurrentIndex(3)
    view.waterfall_canvas.ensure_drawn()
    (ax,) = view.waterfall_canvas.figure.axes
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "colleague.xlsx" and ticks[-1] == "Current" and len(ticks) == len(w.steps) + 2
    lo, hi = ax.get_xlim()
    for patch in ax.patches:                                   # every bar inside the axes
        assert lo <= patch.get_x() <= hi and lo <= patch.get_x() + patch.get_width() <= hi

    # the results panel's Compare tab shows the same comparison
    assert window.results_panel.other is other and window.results_panel.other_label == "colleague.xlsx"
    view.tabs.setCurrentIndex(1)
    view.distributions.ensure_drawn()
    (ax,) = view.distributions.figure.axes
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(t.startswith("Current") for t in legend) and any(t.startswith("colleague.xlsx") for t in legend)


def test_compare_with_a_snapshot_from_the_menu_runs_stale_results_again(window, qtbot):
    panel = window.snapshots_panel
    sid = panel.save_snapshot("before the meeting")
    assert sid is not None
    window.push(SetCell("Sectors", 1, "Expected return", 0.02))
    window.run_controller.options.update(FAST)
    text = next(t for i, t in compare_view.snapshot_choices(window) if i == sid)
    with Answers() as answers:
        answers.expect_item(text)
        window.menu_actions.compare_snapshot.trigger()
    view = window.compare_window
    assert view.request.current_run is None                   # no results for this scenario yet: run here too
    with qtbot.waitSignal(view.waterfall_done, timeout=600_000):
        pass
    assert view.other_label == f"snapshot #{sid} (before the meeting)"
    assert view.run.input_hash == window.scenario.content_hash()
    assert view.run.trials == 2000
    assert [s.label for s in view.waterfall.steps] == [f"Sectors: {window.scenario.sectors['Sector'][1]} (changed)"]
    assert window.last_result is None                          # the window's own results are not replaced


def test_a_broken_workbook_is_not_compared_and_says_why(window, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    assert compare_view.compare_with_workbook(window, path) is None
    assert getattr(window, "compare_window", None) is None
    assert "Nothing to compare" in window.statusBar().currentMessage()


def test_no_snapshot_yet_says_so(window):
    if compare_view.snapshot_choices(window):
        pytest.fail("the test library should start empty")
    assert compare_view.compare_with_snapshot(window) is None
    assert window.messages[-1].windowTitle() == "No snapshots yet"


def test_cancel_stops_the_comparison(window, qtbot, tmp_path):
    path, _ = _colleague(tmp_path)
    window.run_controller.options.update(trials=400_000, stress=False, tornado=False)
    view = compare_view.compare_with_workbook(window, path)
    with qtbot.waitSignal(view.worker.cancelled, timeout=300_000):
        view.cancel_button.click()
    assert not view.is_running() and "cancelled" in view.heading.text()
    assert view.other_run is None


def test_closing_the_compare_window_stops_its_work(window, qtbot, tmp_path):
    path, _ = _colleague(tmp_path)
    window.run_controller.options.update(trials=400_000, stress=False, tornado=False)
    view = compare_view.compare_with_workbook(window, path)
    assert view.is_running()
    with qtbot.waitSignal(view.worker.cancelled, timeout=300_000):
        view.close()
    assert not view.is_running() and not view.isVisible()
