"""The whole run of one scenario: validate, allocate, simulate, stress-test, sensitivity, impact.

``run_scenario`` is what ``workbench run`` and the app's Run button call. It never changes
the scenario it is given; overrides of the method, trials and seed are applied to a copy,
whose content hash the result carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.allocation import allocate

# The function itself: importing the submodule replaces the package attribute of the same name.
from workbench.allocation import frontier as efficient_frontier
from workbench.impact import economic_impact
from workbench.issues import ERROR, Issue
from workbench.progress import CancelFn, ProgressFn, check_cancel, sub_progress
from workbench.results import RunResult
from workbench.risk.batch import worker_pool
from workbench.risk.engine import fit_sample, simulate
from workbench.risk.model import ModelError, build_model
from workbench.risk.sensitivity import tornado as run_tornado
from workbench.risk.stress import StressSpec, named_stresses, run_stresses
from workbench.scenario import Scenario
from workbench.validation import validate

# Share of the progress bar each step takes (they sum to 1).
_STEPS = {"fit": 0.05, "allocate": 0.10, "simulate": 0.35, "stress": 0.25, "tornado": 0.20, "frontier": 0.05}


class ScenarioInvalid(Exception):
    """The scenario has errors; ``issues`` lists every problem (errors and warnings)."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.is_error]
        lines = [f"The scenario has {len(errors)} error{'s' if len(errors) != 1 else ''}:"]
        lines += [f"  - {i.text()}" for i in errors]
        super().__init__("\n".join(lines))


def with_run_options(scn: Scenario, *, method: str | None = None, trials: int | None = None,
                     seed: int | None = None) -> Scenario:
    """``scn`` with the command-line overrides written into its Scenario fields."""
    changes: dict[str, Any] = {}
    if method is not None:
        changes["Allocation method"] = method
    if trials is not None:
        changes["Trials"] = trials
    if seed is not None:
        changes["Random seed"] = seed
    return scn.with_fields(**changes) if changes else scn


def check(scn: Scenario) -> list[Issue]:
    """Validation issues; raises :class:`ScenarioInvalid` when any is an error."""
    issues = validate(scn)
    if any(i.is_error for i in issues):
        raise ScenarioInvalid(issues)
    try:
        build_model(scn)
    except ModelError as exc:
        raise ScenarioInvalid([*issues, Issue(ERROR, str(exc))]) from None
    return issues


def run_scenario(scn: Scenario, *, method: str | None = None, trials: int | None = None, seed: int | None = None,
                 workers: int = 1, progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
                 stress: bool = True, tornado: bool = True, frontier_points: int = 0,
                 stresses: Sequence[StressSpec] = ()) -> RunResult:
    """Run the whole pipeline on ``scn`` (with ``method``/``trials``/``seed`` overriding its fields).

    Raises :class:`ScenarioInvalid` (with the issues), ``workbench.allocation.Infeasible``
    (with the conflicting limits), or ``workbench.progress.Cancelled``.
    ``stresses`` adds user-defined stress tests to the named ones.
    """
    scn = with_run_options(scn, method=method, trials=trials, seed=seed)
    issues = check(scn)
    method = str(scn.field("Allocation method"))
    n_trials, seed_ = int(scn.field("Trials")), int(scn.field("Random seed"))
    steps = dict(_STEPS)
    if not stress:
        steps["stress"] = 0.0
    if not tornado:
        steps["tornado"] = 0.0
    if not frontier_points:
        steps["frontier"] = 0.0
    total = sum(steps.values())
    spans, at = {}, 0.0
    for name, w in steps.items():
        spans[name] = sub_progress(progress, at / total, (at + w) / total)
        at += w

    check_cancel(should_cancel)
    spans["fit"](0.0, "Fitting sample")
    sample = fit_sample(scn)
    check_cancel(should_cancel)
    alloc = allocate(scn, method=method, sample=sample, progress=spans["allocate"], should_cancel=should_cancel)
    amounts = alloc.amounts
    risk = simulate(scn, amounts, workers=workers, progress=spans["simulate"], should_cancel=should_cancel)

    stress_results: tuple = ()
    bars: tuple = ()
    with worker_pool(workers if (stress or stresses or tornado) else 1) as pool:   # one pool for both
        if stress or stresses:
            specs = (named_stresses(scn) if stress else []) + list(stresses)
            flags = [False] * (len(specs) - len(stresses)) + [True] * len(stresses)
            stress_results = run_stresses(scn, amounts, risk, specs, progress=spans["stress"],
                                          should_cancel=should_cancel, user_defined=flags, pool=pool)
        if tornado:
            bars = run_tornado(scn, amounts, progress=spans["tornado"], should_cancel=should_cancel, pool=pool)
    front = None
    if frontier_points:
        check_cancel(should_cancel)
        spans["frontier"](0.0, "Efficient frontier")
        front = efficient_frontier(scn, sample, points=frontier_points, progress=spans["frontier"],
                                   should_cancel=should_cancel)
    impact = economic_impact(scn, amounts)
    if progress:
        progress(1.0, "Done")
    return RunResult(
        scenario_hash=scn.content_hash(), method=method, trials=n_trials, seed=seed_, allocation=alloc,
        risk=risk, stress=stress_results, tornado=bars, impact=impact, frontier=front,
        extra={"issues": tuple(issues), "fit_trials": sample.trials, "scenario_name": scn.name},
    )
