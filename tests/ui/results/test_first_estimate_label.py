"""In the real main window: after an edit the key figures of the first trials show at once, labelled as a first
estimate with its trials and Monte Carlo band, and the exact figures replace them (offscreen, auto-run on)."""

from __future__ import annotations

import pytest

from tests.ui.results.windows import auto_run_window, key_figures
from workbench.commands import SetCell
from workbench.stages import FIRST_ESTIMATE_TRIALS, estimate_label

TRIALS = 2 * FIRST_ESTIMATE_TRIALS
TIMEOUT = 240_000


@pytest.fixture
def app_window(qtbot, tmp_path):
    """The real main window over the default scenario at 8,192 trials, auto-run on, a first run shown."""
    yield from auto_run_window(qtbot, tmp_path, TRIALS, TIMEOUT)


@pytest.mark.slow
def test_an_edit_shows_a_labelled_first_estimate_then_the_exactkey_figures(qtbot, app_window):
    win = app_window
    panel, wiring = win.results_panel, win.estimate
    assert wiring.text("summary") is None
    old_figures = key_figures(panel)
    seen = []

    def at_stage(name, run, _pending):
        seen.append((name, run, wiring.text("summary"), key_figures(panel), win.stale.marks.text("summary"),
                     win.stale.marks.text("stress"), panel.status.text()))

    row = win.scenario.sectors["Sector"].tolist().index("Data centers")
    with qtbot.waitSignal(win.run_controller.finished, timeout=TIMEOUT):
        win.push(SetCell("Sectors", row, "Expected return", 0.03))
        win.run_controller.stage.connect(at_stage)   # after the wirings' own slots: sees what they did
    names = [s[0] for s in seen]
    assert names[:2] == ["estimate", "baseline"]
    _name, estimate, banner, figures, summary_mark, stress_mark, heading = seen[0]
    assert estimate.trials == FIRST_ESTIMATE_TRIALS
    assert banner == estimate_label(estimate)                     # the label says what the figures are
    assert banner.startswith(f"First estimate, {FIRST_ESTIMATE_TRIALS:,} trials") and heading == banner
    assert f"{TRIALS:,} trials follow" in banner
    assert figures != old_figures                                 # the estimate's figures are drawn...
    assert summary_mark is None                                   # ...not veiled as stale: labelled instead
    assert stress_mark == "Stale: recomputing..."                 # what the estimate does not cover stays stale
    _name, exact, banner, figures_exact, *_rest, heading = seen[1]
    assert exact.trials == TRIALS and banner is None              # the exact figures take the label off
    assert "First estimate" not in heading
    assert figures_exact != figures
    assert wiring.text("summary") is None and win.last_result.trials == TRIALS


@pytest.mark.slow
def test_a_run_stopped_after_its_estimate_marks_the_estimated_views_stale(qtbot, app_window):
    from ui.stale import STOPPED

    win = app_window
    wiring = win.estimate
    row = win.scenario.sectors["Sector"].tolist().index("Data centers")
    seen = []

    def at_stage(name, _run, _pending):
        if name == "estimate":
            before = (wiring.text("summary"), win.stale.marks.text("summary"))
            # the controller's signal when a run stops (cancelled): the worker may already be further on,
            # so the signal is sent here, while the estimate is on screen
            win.run_controller.cancelled.emit()
            seen.append((before, wiring.text("summary"), win.stale.marks.text("summary")))

    win.run_controller.stage.connect(at_stage)
    with qtbot.waitSignal(win.run_controller.finished, timeout=TIMEOUT):
        win.push(SetCell("Sectors", row, "Expected return", 0.05))
    (label, mark), label_after, mark_after = seen[0]
    assert label.startswith("First estimate") and mark is None
    assert label_after is None                      # the label comes off...
    assert mark_after == STOPPED                    # ...and the estimated figures are marked stale, not exact
