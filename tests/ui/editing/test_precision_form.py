"""The Scenario form edits the run's CVaR precision like any field: typed as a percentage, one
undo step, bad values refused, and cleared back to the scenario's original content hash."""

from __future__ import annotations

from workbench.schema import PRECISION_FIELD


def test_precision_is_edited_in_the_scenario_form(window):
    window.set_current_table("Scenario")
    box = window.form.editors[PRECISION_FIELD]
    assert "off" in box.placeholderText() and box.text() == ""
    before = window.scenario.content_hash()
    box.setText("0.5%")
    box.editingFinished.emit()
    assert window.scenario.precision == 0.005
    assert window.undo_stack.undoText() == f"Edit Scenario {PRECISION_FIELD}"
    assert window.scenario.content_hash() != before
    box.setText("150%")                                   # at least 100 % is refused
    box.editingFinished.emit()
    assert window.scenario.precision == 0.005
    assert PRECISION_FIELD in window.statusBar().currentMessage()
    box.setText("")
    box.editingFinished.emit()
    assert window.scenario.precision is None and window.scenario.content_hash() == before
