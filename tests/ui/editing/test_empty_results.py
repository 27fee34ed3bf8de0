"""A run that would show nothing says what is missing and offers the fix (the real window, real runs)."""

from __future__ import annotations

import math

from tests.ui.dialogs import Answers
from ui import run_checks
from workbench.commands import SetCell, SetField

FAST = {"trials": 2000, "stress": False, "tornado": False}


def _fixed_without_amounts(window) -> None:
    window.push(SetField("Allocation method", "fixed"))


def test_fixed_without_allocated_is_a_warning_not_no_problems(window):
    assert "No problems found" in window.issues_panel.header.text()
    _fixed_without_amounts(window)
    assert run_checks.nothing_to_evaluate(window.scenario)
    assert "No problems found" not in window.issues_panel.header.text()
    texts = [i.text() for i in window.issues_panel.issues]
    assert any("Allocated (USD m)" in t and "fixed" in t for t in texts)
    row = next(r for r, i in enumerate(window.issues_panel.issues) if "Allocated (USD m)" in i.message)
    window.issues_panel.activate_row(row)
    assert window.current_page() is window.form           # the issue leads to the method field
    window.push(SetCell("Projects", 0, "Allocated (USD m)", 500.0))
    assert not run_checks.nothing_to_evaluate(window.scenario)
    assert not any("Allocated (USD m)" in i.message for i in window.issues_panel.issues)


def test_run_offers_to_copy_the_last_optimised_allocation(window, qtbot):
    window.run_controller.options.update(FAST)
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        assert window.run_now()
    optimised = window.last_result
    assert optimised.allocation.method == "mean-variance" and optimised.allocation.total > 0
    _fixed_without_amounts(window)

    with Answers() as answers:
        answers.expect("Copy the last optimised allocation")
        with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
            assert window.run_now()
    assert "Nothing to evaluate" in answers.seen[0]
    p = window.scenario.projects
    assert dict(zip(p["ID"], p["Allocated (USD m)"], strict=True)) == {
        i: optimised.allocation.amounts.get(i, 0.0) for i in p["ID"]}
    assert window.undo_stack.undoText() == "Copy the last mean-variance allocation"
    run = window.last_result
    assert run.allocation.method == "fixed"
    assert math.isclose(run.allocation.total, optimised.allocation.total, rel_tol=1e-9)
    assert window.last_optimised is optimised             # a fixed run is not an optimised allocation


def test_without_an_earlier_run_it_offers_another_method_and_starts_nothing(window):
    _fixed_without_amounts(window)
    started = []
    window.run_controller.started.connect(lambda: started.append(1))
    with Answers() as answers:
        answers.expect("Choose another method")
        assert not window.run_now()
    assert "Copy" not in " ".join(answers.seen)
    assert not started and window.last_result is None
    assert window.current_page() is window.form
    assert "Choose an allocation method" in window.statusBar().currentMessage()
    with Answers() as answers:
        answers.expect("Cancel")
        assert not window.run_now()
    assert not started


def test_auto_run_waits_and_says_why(window, qtbot):
    window.run_controller.options.update(FAST)
    window.menu_actions.auto_run.setChecked(True)
    _fixed_without_amounts(window)
    assert not window.run_controller.is_scheduled()
    assert "Auto-run waits" in window.statusBar().currentMessage()


def test_a_run_that_allocates_nothing_says_why(window, qtbot):
    window.run_controller.options.update(FAST)
    scn = window.scenario
    scn = scn.with_table("Constraints", scn.constraints.iloc[0:0].copy())    # no minimum asks for anything
    window.load_scenario(scn)
    for row in range(len(window.scenario.projects)):
        window.push(SetCell("Projects", row, "Include", False))
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        window.run_now()
    assert window.last_result.allocation.total == 0
    box = window.messages[-1]
    assert box.windowTitle() == "The run allocated nothing"
    assert "USD 0 m" in box.text() and "No project is included" in box.text()
