"""The whole run of one scenario: validate, allocate, simulate, stress-test, sensitivity, impact.

``run_scenario`` is what ``workbench run`` and the app's Run button call. It resolves the
run's options once (:class:`~workbench.results.RunOptions`: the scenario's method, trials
and seed unless overridden) and passes them down. It never changes the scenario it is
given: the result carries that scenario's content hash (``input_hash``) and the hash of
the scenario as run, with the options written in (``scenario_hash``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench.allocation import allocate

# The function itself: importing the submodule replaces the package attribute of the same name.
from workbench.allocation import frontier as efficient_frontier
from workbench.errors import WorkbenchError
from workbench.impact import economic_impact
from workbench.issues import ERROR, Issue
from workbench.progress import CancelFn, ProgressFn, check_cancel, sub_progress
from workbench.results import OPTION_FIELDS, RunOptions, RunResult
from workbench.risk.batch import worker_pool
from workbench.risk.engine import FIT_TRIALS, fit_sample, simulate
from workbench.risk.model import ModelError, RiskModel, build_model
from workbench.risk.sensitivity import TornadoBar
from workbench.risk.sensitivity import tornado as run_tornado
from workbench.risk.stress import StressResult, StressSpec, named_stresses, run_stresses
from workbench.risk.tail import StopRule, run_trials_for_precision
from workbench.scenario import Scenario
from workbench.shortfall import shortfall
from workbench.validation import validate

# Share of the progress bar each step takes (they sum to 1).
_STEPS = {"fit": 0.05, "allocate": 0.10, "simulate": 0.35, "stress": 0.25, "tornado": 0.20, "frontier": 0.05}


class ScenarioInvalid(WorkbenchError):
    """The scenario has errors; ``issues`` lists every problem (errors and warnings)."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.is_error]
        lines = [f"The scenario has {len(errors)} error{'s' if len(errors) != 1 else ''}:"]
        lines += [f"  - {i.text()}" for i in errors]
        super().__init__("\n".join(lines))

    def explain(self, limit: int = 12) -> str:
        """The errors (or, when there are none, every issue), at most ``limit`` of them, one line each."""
        shown = [i for i in self.issues if i.is_error] or list(self.issues)
        lines = [f"- {i.text()}" for i in shown[:limit]]
        if len(shown) > limit:
            lines.append(f"- ... and {len(shown) - limit:,} more (see the Issues panel)")
        return "The scenario has problems to fix before it can run:\n" + "\n".join(lines)


def with_run_options(scn: Scenario, *, method: str | None = None, trials: int | None = None,
                     seed: int | None = None) -> Scenario:
    """``scn`` with the given overrides written into its Scenario fields (for a scenario saved or checked as it
    will run; a run itself takes :class:`~workbench.results.RunOptions` and leaves its scenario as given)."""
    given = {"method": method, "trials": trials, "seed": seed}
    changes = {OPTION_FIELDS[k]: v for k, v in given.items() if v is not None}
    return scn.with_fields(**changes) if changes else scn


def check(scn: Scenario) -> list[Issue]:
    """Validation issues; raises :class:`ScenarioInvalid` when any is an error."""
    return check_model(scn)[0]


def check_model(scn: Scenario) -> tuple[list[Issue], RiskModel]:
    """Validation issues and the risk model :func:`check` builds to find the model's own errors (a run reads
    it from here rather than building it again); raises :class:`ScenarioInvalid` when there is an error."""
    issues = validate(scn)
    if any(i.is_error for i in issues):
        raise ScenarioInvalid(issues)
    try:
        model = build_model(scn)
    except ModelError as exc:
        raise ScenarioInvalid([*issues, Issue(ERROR, str(exc))]) from None
    return issues, model


def stop_rule(ran: Scenario, opts: RunOptions, amounts: Mapping[str, float], *, progress: ProgressFn | None = None,
              should_cancel: CancelFn | None = None) -> StopRule | None:
    """The trials the run of ``ran`` uses when it has a CVaR precision (``opts.precision``): plain Monte Carlo on
    the reporting stream, checked from the fitting sample's size on, until CVaR's relative standard error is at
    most the precision or ``opts.trials`` are spent. ``None`` without a precision (the run uses ``opts.trials``)."""
    if opts.precision is None:
        return None
    return run_trials_for_precision(ran, amounts, precision=opts.precision, max_trials=opts.trials, seed=opts.seed,
                                    min_trials=min(opts.trials, FIT_TRIALS), progress=progress,
                                    should_cancel=should_cancel)


def run_scenario(scn: Scenario, *, method: str | None = None, trials: int | None = None, seed: int | None = None,
                 workers: int = 1, progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
                 stress: bool = True, tornado: bool = True, frontier_points: int = 0,
                 stresses: Sequence[StressSpec] = (), options: RunOptions | None = None,
                 precision: float | None = None) -> RunResult:
    """Run the whole pipeline on ``scn`` (with ``method``/``trials``/``seed``/``precision`` overriding its fields).

    ``options`` (a :class:`~workbench.results.RunOptions`) replaces every keyword from
    ``method`` to ``stresses`` and ``precision`` at once. Raises :class:`ScenarioInvalid` (with the issues),
    ``workbench.allocation.Infeasible`` (with the conflicting limits), or
    ``workbench.progress.Cancelled``. ``stresses`` adds user-defined stress tests to the named ones.
    With a CVaR precision (the scenario's field or ``precision``), :func:`stop_rule` chooses the trials
    (``trials`` is then the most it may use); the result's ``trials`` and ``stop_rule`` say how many it took.
    """
    opts = options or RunOptions.resolve(scn, method=method, trials=trials, seed=seed, workers=workers,
                                         stress=stress, tornado=tornado, frontier_points=frontier_points,
                                         stresses=stresses, precision=precision)
    ran = opts.apply(scn)            # the scenario as run: validation checks the options' ranges too
    issues, model = check_model(ran)
    steps = dict(_STEPS)
    if not opts.stress and not opts.stresses:
        steps["stress"] = 0.0
    if not opts.tornado:
        steps["tornado"] = 0.0
    if not opts.frontier_points:
        steps["frontier"] = 0.0
    total = sum(steps.values())
    spans, at = {}, 0.0
    for name, w in steps.items():
        spans[name] = sub_progress(progress, at / total, (at + w) / total)
        at += w

    check_cancel(should_cancel)
    spans["fit"](0.0, "Fitting sample")
    sample = fit_sample(ran, trials=min(opts.trials, FIT_TRIALS), seed=opts.seed, model=model)
    check_cancel(should_cancel)
    alloc = allocate(ran, method=opts.method, sample=sample, progress=spans["allocate"], should_cancel=should_cancel)
    amounts = alloc.amounts
    rule = stop_rule(ran, opts, amounts, progress=sub_progress(spans["simulate"], 0.0, 0.5),
                     should_cancel=should_cancel)
    n_trials = rule.trials if rule is not None else opts.trials
    risk = simulate(ran, amounts, trials=n_trials, seed=opts.seed, workers=opts.workers, nominal=True,
                    progress=sub_progress(spans["simulate"], 0.5, 1.0) if rule is not None else spans["simulate"],
                    should_cancel=should_cancel, model=model)

    stress_results: tuple[StressResult, ...] = ()
    bars: tuple[TornadoBar, ...] = ()
    with worker_pool(opts.workers if (opts.stress or opts.stresses or opts.tornado) else 1) as pool:
        if opts.stress or opts.stresses:
            specs = (named_stresses(ran) if opts.stress else []) + list(opts.stresses)
            flags = [False] * (len(specs) - len(opts.stresses)) + [True] * len(opts.stresses)
            stress_results = run_stresses(ran, amounts, risk, specs, progress=spans["stress"],
                                          should_cancel=should_cancel, user_defined=flags, pool=pool)
        if opts.tornado:
            bars = run_tornado(ran, amounts, trials=n_trials, seed=opts.seed, progress=spans["tornado"],
                               should_cancel=should_cancel, pool=pool)
    front = None
    if opts.frontier_points:
        check_cancel(should_cancel)
        spans["frontier"](0.0, "Efficient frontier")
        front = efficient_frontier(ran, sample, points=opts.frontier_points, progress=spans["frontier"],
                                   should_cancel=should_cancel)
    impact = economic_impact(ran, amounts)
    gap = shortfall(ran, alloc, dict(zip(sample.ids, (float(v) for v in sample.mean))), risk.discount_rate)
    if progress:
        progress(1.0, "Done")
    return RunResult(
        scenario_hash=ran.content_hash(), method=opts.method, trials=n_trials, seed=opts.seed, allocation=alloc,
        risk=risk, stress=stress_results, tornado=bars, impact=impact, frontier=front,
        input_hash=scn.content_hash(), scenario_name=ran.name, programme_size=ran.size, issues=tuple(issues),
        fit_trials=sample.trials, shortfall=gap, options=opts, stop_rule=rule,
    )
