"""The repair of an infeasible run in the real main window: both conflicts named, one click applies
the proven changes as one undo step, the run that follows is clean, Undo gives back the user's values."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from ui.repair import APPLY_TEXT
from workbench.commands import SetCell

RUN = {"trials": 2000, "stress": False, "tornado": False}


def _sector_row(scn, sector: str) -> int:
    c = scn.constraints
    return int(np.flatnonzero((c["Group"] == "Sector") & (c["Value"] == sector))[0])


def _make_two_conflicts(window) -> tuple[int, int]:
    """As a user would: Semiconductors at least 0.45 of the programme (against every sector at most 0.35)
    and Data centers at least 0.34 (more than its five requests, DC-01 capped at 0.10, can take)."""
    semis, dc = _sector_row(window.scenario, "Semiconductors"), _sector_row(window.scenario, "Data centers")
    assert window.push(SetCell("Constraints", semis, "Min share", 0.45))
    assert window.push(SetCell("Constraints", dc, "Min share", 0.34))
    assert not any(i.is_error for i in window.document.issues)      # valid input: only the limits conflict
    return semis, dc


def _apply_button(box: QMessageBox):
    return next((b for b in box.buttons() if b.text() == APPLY_TEXT), None)


@pytest.mark.slow
def test_both_conflicts_named_apply_runs_clean_and_undo_restores(window, qtbot):
    semis, dc = _make_two_conflicts(window)
    written = window.scenario
    window.run_controller.options.update(RUN)
    with qtbot.waitSignal(window.run_controller.failed, timeout=180_000):
        window.run_now()
    box = window.messages[-1]
    text = box.text()
    assert "2 independent conflicts" in text
    assert f"Constraints row {semis + 1}: Sector Semiconductors min share 0.45" in text
    assert f"Constraints row {dc + 1}: Sector Data centers min share 0.34" in text
    assert "One combined change that makes every limit hold" in text and "proven" in text
    qtbot.waitUntil(lambda: _apply_button(box) is not None, timeout=5_000)
    assert window.menu_actions.repair.action.isEnabled()
    depth = window.undo_stack.index()

    with qtbot.waitSignal(window.run_controller.finished, timeout=300_000):
        _apply_button(box).click()
    assert window.undo_stack.index() == depth + 1                    # one undo step for every change
    repaired = window.scenario
    assert not repaired.same_content(written)
    assert window.last_result is not None and window.result_scenario.same_content(repaired)
    amounts = window.last_result.allocation.amounts
    from workbench.allocation.problem import build_problem
    assert not build_problem(repaired).violations(np.array([amounts[i] for i in repaired.projects["ID"]]))
    assert not window.menu_actions.repair.action.isEnabled()         # the offer is used up

    window.undo_stack.undo()
    assert window.scenario.same_content(written)                     # every value the user wrote is back
    assert window.scenario.constraints.at[semis, "Min share"] == 0.45
    assert window.scenario.constraints.at[dc, "Min share"] == 0.34
    window.undo_stack.redo()
    assert window.scenario.same_content(repaired)


def test_the_offer_is_withdrawn_when_the_scenario_changes(window, qtbot):
    semis, _ = _make_two_conflicts(window)
    window.run_controller.options.update(RUN)
    with qtbot.waitSignal(window.run_controller.failed, timeout=180_000):
        window.run_now()
    offer = window.menu_actions.repair
    assert offer.action.isEnabled()
    window.push(SetCell("Constraints", semis, "Min share", 0.44))   # the user edits before applying
    assert not offer.action.isEnabled()
    before = window.scenario
    assert not offer.apply()                                         # nothing changes, the user is told why
    assert window.scenario is before
    assert "changed after the run" in window.statusBar().currentMessage()
