"""Runs that would show nothing are not started silently: the method ``fixed`` with no amounts to evaluate.

``fixed`` evaluates the amounts typed in Projects' *Allocated (USD m)* column. With no
included project holding an amount there, a run "finishes" with USD 0 m allocated and
empty plots. Instead:

- the Issues panel lists it as a warning (clicking it goes to the method field), so the
  status bar no longer says "No problems found";
- pressing Run asks what to do: copy the allocation of the last run of an optimising
  method into *Allocated* (one undo step, then the run goes ahead), choose another
  method (the method field gets the focus), or cancel;
- Auto-run waits and the status bar says why;
- a run that allocates nothing for any other reason says so in a message, with the
  core's explanation of why less than the programme is allocated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.commands import ApplyAllocation
from workbench.figures import USD_M, allocation_explanation, format_value
from workbench.issues import WARNING, Issue
from workbench.scenario import Scenario

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from workbench.results import RunResult

ALLOCATED = "Allocated (USD m)"
METHOD = "Allocation method"


def _included(value: object) -> bool:
    return value is None or value != value or bool(value)   # empty Include means included (its default)


def nothing_to_evaluate(scn: Scenario) -> bool:
    """True when the method is ``fixed`` and no included project has an amount in *Allocated (USD m)*."""
    if str(scn.field(METHOD)).strip() != "fixed":
        return False
    p = scn.projects
    if ALLOCATED not in p.columns:
        return True
    include = p["Include"] if "Include" in p.columns else [True] * len(p)
    for amount, inc in zip(p[ALLOCATED], include, strict=True):
        if _included(inc) and amount == amount and amount is not None and float(amount) > 0:
            return False
    return True


MESSAGE = ("The method fixed evaluates the amounts in the Allocated (USD m) column of Projects, and no included "
           "project has one: a run would allocate USD 0 m and show empty results.")


def issues(scn: Scenario) -> list[Issue]:
    """The warning the Issues panel adds to the scenario's own issues (empty when the run has something to do)."""
    if not nothing_to_evaluate(scn):
        return []
    return [Issue(WARNING, MESSAGE, table="Scenario", row=METHOD,
                  suggestion="Run > Apply allocation to Projects copies a run's allocation into Allocated, or "
                             "choose another method here.")]


def optimised(run: RunResult | None) -> bool:
    """Whether ``run`` holds an allocation worth copying: made by a method other than ``fixed``, not empty."""
    return run is not None and run.allocation.method != "fixed" and run.allocation.total > 0


def ready_to_run(window: MainWindow) -> bool:
    """Before Run: True to go ahead; with nothing to evaluate, ask (copy the last optimised allocation,
    choose another method, cancel) and return whether the run should go ahead."""
    from ui.files import ask

    if not nothing_to_evaluate(window.scenario):
        return True
    last = window.last_optimised
    choices = [("method", "Choose another method"), ("cancel", "Cancel")]
    if optimised(last):
        alloc = last.allocation
        informative = (f"Copy the allocation of your last {alloc.method} run ({format_value(alloc.total, USD_M)}) "
                       "into Allocated and run (one undo step), or choose another method on the Scenario tab.")
        choices.insert(0, ("copy", "Copy the last optimised allocation"))
        default = "copy"
    else:
        informative = ("Choose another method on the Scenario tab; or run one (say mean-variance) and then use "
                       "Run > Apply allocation to Projects to copy its amounts into Allocated.")
        default = "method"
    answer = ask(window, "Nothing to evaluate", MESSAGE, informative, choices, default=default)
    if answer == "copy":
        return window.push(ApplyAllocation(dict(last.allocation.amounts),
                                           label=f"Copy the last {last.allocation.method} allocation"))
    if answer == "method":
        window.set_current_table("Scenario")
        window.form.focus_field(METHOD)
        window.statusBar().showMessage("Choose an allocation method, then Run (F5).", 15_000)
    return False


def after_run(window: MainWindow, run: RunResult | None) -> None:
    """A finished run that allocated nothing says so and why (never four empty panels without a word)."""
    if run is None or run.allocation.total > 0:
        return
    why = " ".join([*(getattr(run.allocation, "notes", ()) or ()), allocation_explanation(run)]).strip()
    window.message("The run allocated nothing",
                   f"The run with method {run.allocation.method} allocated USD 0 m, so the results are empty. "
                   + (why or "Check the Include column of Projects and the limits in Constraints."))
