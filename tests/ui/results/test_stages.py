"""Results in stages: the staged pipeline (core) and the main window's stale marks (real MainWindow, offscreen)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.ui.results.windows import auto_run_window, cell_text, key_figures
from workbench.commands import ApplyAllocation, SetCell
from workbench.pipeline import run_scenario
from workbench.progress import Cancelled
from workbench.risk.stress import StressSpec
from workbench.stages import STAGES, StagedPipeline, table_hash

TRIALS = 2_000
TIMEOUT = 240_000


@pytest.fixture(scope="module")
def small():
    from workbench.default_scenario import default_scenario

    return default_scenario().with_fields(Trials=TRIALS)


def _row(scn, table, column, value):
    return scn.table(table)[column].tolist().index(value)


# ------------------------------------------------------------------ core
def test_staged_run_gives_the_pipeline_result_and_reports_each_stage_in_order(small):
    reports = []
    staged = StagedPipeline().run(small, frontier_points=3,
                                  on_stage=lambda name, run, pending: reports.append((name, run, pending)))
    whole = run_scenario(small, frontier_points=3)
    assert [name for name, _r, _p in reports] == list(STAGES)
    assert [set(p) for _n, _r, p in reports] == [{"stress", "tornado", "frontier"}, {"tornado", "frontier"},
                                                  {"frontier"}, set()]
    assert reports[-1][1] is staged
    first = reports[0][1]
    assert first.stress == () and first.tornado == () and first.frontier is None   # nothing older to show
    assert first.risk.cvar == whole.risk.cvar
    assert staged.allocation.amounts == whole.allocation.amounts
    assert (staged.risk.expected_pnl, staged.risk.var, staged.risk.cvar) == (
        whole.risk.expected_pnl, whole.risk.var, whole.risk.cvar)
    assert staged.stress == whole.stress
    assert staged.tornado == whole.tornado
    assert staged.frontier == whole.frontier
    assert repr(staged.shortfall) == repr(whole.shortfall)   # NaN fields: compared as written
    assert staged.impact == whole.impact
    assert (staged.scenario_hash, staged.input_hash, staged.issues) == (whole.scenario_hash, whole.input_hash,
                                                                         whole.issues)


def test_only_the_stages_whose_inputs_changed_are_recomputed(small):
    pipe = StagedPipeline()
    first = pipe.run(small, frontier_points=3)
    assert pipe.computed == ["allocation", "simulation", "stress", "tornado", "frontier"]

    pipe.run(small, frontier_points=3)
    assert pipe.computed == []                      # the same scenario again: everything from the cache

    user = StressSpec(name="Data centers lose a third", overrides={("Sectors", "Data centers", "Expected return"):
                                                                  -0.05})
    with_user = pipe.run(small, frontier_points=3, stresses=[user])
    assert pipe.computed == ["stress"]              # a stress test edited: only the stress tests run
    assert with_user.allocation is first.allocation and with_user.risk is first.risk
    assert with_user.stress[-1].name == "Data centers lose a third" and with_user.stress[-1].user_defined

    # the fixed method evaluates the Allocated amounts: a limit edited changes the allocation's report
    # (broken bounds) but not the amounts, so the simulation, stress tests and sensitivity are reused
    fixed, _ = ApplyAllocation(dict(first.allocation.amounts)).apply(small.with_fields(**{"Allocation method":
                                                                                           "fixed"}))
    base = pipe.run(fixed, frontier_points=3)
    row = _row(small, "Constraints", "Group", "Total")
    looser, _ = SetCell("Constraints", row, "Min share", 0.5).apply(fixed)
    again = pipe.run(looser, frontier_points=3)
    assert pipe.computed == ["allocation", "frontier"]
    assert again.allocation.amounts == base.allocation.amounts
    assert again.risk is base.risk and again.stress is base.stress and again.tornado is base.tornado


def test_an_earlier_run_fills_the_stages_still_pending_and_a_cancelled_run_keeps_what_it_finished(small):
    pipe = StagedPipeline()
    before = pipe.run(small, tornado=False)
    row = _row(small, "Sectors", "Sector", "Semiconductors")
    edited, _ = SetCell("Sectors", row, "Volatility", 0.4).apply(small)
    reports = []

    def stop_after_baseline():
        return bool(reports)

    with pytest.raises(Cancelled):
        pipe.run(edited, tornado=False, should_cancel=stop_after_baseline,
                 on_stage=lambda name, run, pending: reports.append((name, run, pending)))
    assert [(n, set(p)) for n, _r, p in reports] == [("baseline", {"stress"})]
    partial = reports[0][1]
    assert partial.stress == before.stress             # the previous run's stress tests, to be shown as stale
    assert partial.risk.cvar != before.risk.cvar
    pipe.run(edited, tornado=False)
    assert pipe.computed == ["stress"]                 # the finished baseline stage was kept


def test_table_hash_follows_content_and_row_order(small):
    frame = small.projects
    assert table_hash(frame) == table_hash(frame.copy())
    changed = frame.copy()
    changed.loc[3, "Requested (USD m)"] += 1
    assert table_hash(changed) != table_hash(frame)
    assert table_hash(frame.iloc[::-1].reset_index(drop=True)) != table_hash(frame)
    assert table_hash(pd.DataFrame(np.eye(2), index=["a", "b"], columns=["a", "b"])) != table_hash(
        pd.DataFrame(np.eye(2), index=["a", "c"], columns=["a", "b"]))


# ------------------------------------------------------------------ the app
@pytest.fixture
def app_window(qtbot, tmp_path):
    """The real main window over the default scenario at 2,000 trials, auto-run on, a first run shown."""
    yield from auto_run_window(qtbot, tmp_path, TRIALS, TIMEOUT)


@pytest.mark.slow
def test_an_edit_with_auto_run_updates_key_figures_before_the_stress_tests_and_marks_the_rest_stale(qtbot,
                                                                                                     app_window):
    win = app_window
    panel, marks = win.results_panel, win.stale
    assert marks.marks.stale_views() == []
    old_figures = key_figures(panel)
    seen = []

    def stress_cells():
        table = panel.table("stress")
        return [cell_text(table, r, 1) for r in range(table.model().rowCount())]

    def at_stage(name, _run, pending):
        seen.append((name, set(pending), key_figures(panel), marks.marks.stale_views(),
                     marks.marks.text("stress"), panel.table("stress").isEnabled(), stress_cells()))

    old_stress = stress_cells()
    row = _row(win.scenario, "Sectors", "Sector", "Data centers")
    with qtbot.waitSignal(win.run_controller.finished, timeout=TIMEOUT):
        win.push(SetCell("Sectors", row, "Expected return", 0.02))
        # right after the edit, before anything is recomputed: every view is marked, nothing is blanked
        assert set(marks.marks.stale_views()) == set(panel.views)
        assert marks.marks.text("summary") == "Stale: recomputing..."
        assert key_figures(panel) == old_figures
        win.run_controller.stage.connect(at_stage)   # after the stale wiring's own slot: sees what it did
    assert [s[0] for s in seen] == ["baseline", "stress", "tornado", "frontier"]
    _name, pending, figures, stale, stress_text, stress_enabled, stress_cells = seen[0]
    assert pending == {"stress", "tornado", "frontier"}
    assert figures != old_figures                              # key figures already new...
    assert "summary" not in stale                              # ...and no longer marked; the other views of
    assert {"stress", "tornado", "frontier"} <= set(stale)     # the stage follow; the stress tests are the old ones
    assert stress_text == "Stale: recomputing..." and not stress_enabled
    assert stress_cells == old_stress
    assert "stress" not in seen[1][3] and {"tornado", "frontier"} <= set(seen[1][3]) and seen[1][5]
    assert seen[1][6] != old_stress                            # the stress tests recomputed at their stage
    assert marks.marks.stale_views() == []
    assert panel.table("stress").isEnabled()
    assert win.last_result.risk.cvar != 0


@pytest.mark.slow
def test_a_newer_edit_cancels_the_stages_under_way(qtbot, app_window):
    win = app_window
    reported = []
    win.run_controller.stage.connect(lambda name, run, pending: reported.append((name, run.input_hash)))
    row = _row(win.scenario, "Sectors", "Sector", "Semiconductors")
    win.push(SetCell("Sectors", row, "Expected return", 0.03))
    qtbot.waitUntil(lambda: win.run_controller.is_running() and not win.run_controller.is_scheduled(),
                    timeout=TIMEOUT)
    first = win.scenario.content_hash()
    win.push(SetCell("Sectors", row, "Expected return", 0.04))
    second = win.scenario.content_hash()
    with qtbot.waitSignal(win.run_controller.finished, timeout=TIMEOUT) as done:
        pass
    assert done.args[0].input_hash == second
    late = [name for name, h in reported if h == first]
    assert "frontier" not in late                                  # the first run never reached its last stage
    assert [name for name, h in reported if h == second] == list(STAGES)
    assert win.stale.marks.stale_views() == []


@pytest.mark.slow
def test_with_auto_run_off_an_edit_marks_every_view_stale_until_run(qtbot, app_window):
    win = app_window
    win.menu_actions.auto_run.setChecked(False)
    row = _row(win.scenario, "Sectors", "Sector", "Semiconductors")
    win.push(SetCell("Sectors", row, "Volatility", 0.33))
    assert not win.run_controller.is_scheduled()
    assert set(win.stale.marks.stale_views()) == set(win.results_panel.views)
    assert win.stale.marks.text("tornado") == "Stale: the scenario changed since this run. Press Run (F5)."
    win.undo_stack.undo()
    assert win.stale.marks.stale_views() == []                     # back to the scenario of the results


@pytest.mark.slow
def test_a_stage_shows_its_key_figures_before_its_plot_which_is_veiled_until_drawn_once(qtbot, app_window):
    """At the baseline stage the Summary's key figures are new at once while its plot, still the earlier run's,
    carries a veil saying so; the plot is then drawn once from that stage (not again when the run ends, whose
    baseline figures are the same) and the veil goes."""
    from ui.plots.canvas import PENDING

    win = app_window
    panel = win.results_panel
    canvas = panel.views["summary"].canvas
    old_figures = key_figures(panel)
    drawn = []
    redraw = canvas.redraw

    def counted():
        drawn.append(key_figures(panel))
        redraw()

    canvas.redraw = counted
    seen = []

    def at_stage(name, _run, _pending):
        if name == "baseline":
            seen.append((key_figures(panel), canvas.pending.isVisible(), canvas.pending.text(), list(drawn)))

    win.run_controller.stage.connect(at_stage)
    row = _row(win.scenario, "Sectors", "Sector", "Data centers")
    with qtbot.waitSignal(win.run_controller.finished, timeout=TIMEOUT):
        win.push(SetCell("Sectors", row, "Expected return", 0.01))
    figures, veiled, text, drawn_then = seen[0]
    assert figures != old_figures and veiled and text == PENDING and drawn_then == []
    qtbot.waitUntil(lambda: len(drawn) >= 1, timeout=TIMEOUT)
    qtbot.wait(300)                                    # a second drawing would have come by now
    assert drawn == [figures]                          # once, from the stage's figures
    assert not canvas.pending.isVisible()
    assert key_figures(panel) == figures               # the run's end showed the same figures
