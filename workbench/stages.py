"""The pipeline in stages, each recomputed only when what it reads has changed.

A run of :func:`workbench.pipeline.run_scenario` does everything in one go. After an edit
most of that work gives the same answer again, and the user wants the first answer soon.
:class:`StagedPipeline` runs the same functions in :data:`STAGES` order:

=============  ==================================================  ===========================
Stage          Reads                                               Gives
=============  ==================================================  ===========================
``baseline``   every table and field but the run options; the      the allocation, the baseline
               method, seed and fitting trials; for the            simulation (key figures),
               simulation the trials, seed and the allocation      impact, shortfall
``stress``     the model's tables and fields, trials, seed, the    the stress tests
               allocation, the stress tests asked for
``tornado``    the model's tables and fields, trials, seed, the    the sensitivity bars
               allocation
``frontier``   every table and field but the run options, the      the efficient frontier
               method, seed, fitting trials, number of points
=============  ==================================================  ===========================

(the baseline stage is two cached steps: the allocation, then the simulation of its amounts).
Each step's cache key is a SHA-256 of what it reads: the tables it reads, hashed row by
row in their stored order (the models draw projects in that order), the Scenario fields
it reads and its run options. Editing a user-defined stress test therefore re-runs only
the stress tests; editing a constraint re-runs the allocation, and the simulation only if
the amounts changed.

With ``first_estimate`` trials (fewer than the run's), a baseline that is not in the cache is
preceded by a quick ``estimate`` stage: the allocation fitted on the first ``first_estimate``
trials of the fitting sample's stream and the simulation of the first ``first_estimate``
trials of the reporting stream (the same trials the full run starts with), reported as
``on_stage("estimate", result, pending)`` with ``pending`` holding ``baseline``; the
result's ``trials`` and ``fit_trials`` say how many trials it rests on and its Monte Carlo
error gives the band (:func:`estimate_label`). It is never cached nor returned: the exact
baseline replaces it.

After each stage ``on_stage(name, result, pending)`` is called with a complete
:class:`~workbench.results.RunResult`: the parts of stages still pending are those of the
previous run of this pipeline (so a view can show them marked stale) or empty. The last
call has ``pending`` empty and its result is what the function returns, the same result
as :func:`~workbench.pipeline.run_scenario` with the same options.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.allocation import allocate
from workbench.allocation import frontier as efficient_frontier
from workbench.allocation.problem import build_problem
from workbench.impact import economic_impact
from workbench.progress import CancelFn, ProgressFn, check_cancel, sub_progress
from workbench.results import OPTION_FIELDS, RunOptions, RunResult
from workbench.risk.batch import worker_pool
from workbench.risk.engine import FIT_TRIALS, fit_sample, simulate
from workbench.risk.model import RiskModel
from workbench.risk.paths import DrawCache
from workbench.risk.sensitivity import tornado as run_tornado
from workbench.risk.stress import StressSpec, named_stresses, run_stresses
from workbench.scenario import Scenario
from workbench.shortfall import shortfall

if TYPE_CHECKING:
    from workbench.impact import ImpactResult
    from workbench.results import AllocationResult, Shortfall
    from workbench.risk.engine import UnitSample

#: The stages in the order they run and report.
STAGES: tuple[str, ...] = ("baseline", "stress", "tornado", "frontier")
#: Trials of the first estimate (one block of the engine: the first trials of the very streams the full
#: run draws, for the fitting sample and for the simulation alike).
FIRST_ESTIMATE_TRIALS = 4096


def estimate_label(result: RunResult) -> str:
    """What a first estimate is, in the words shown above its figures."""
    se = result.risk.mc_error
    low, high = se.cvar_ci
    return (f"First estimate, {result.risk.trials:,} trials (allocation fitted on {result.fit_trials:,}): "
            f"CVaR {result.risk.confidence:.0%} within USD {low / 1000:,.1f} to {high / 1000:,.1f} bn "
            "(95 % Monte Carlo band). "
            f"The figures of all {result.options.trials if result.options else result.trials:,} trials follow.")
#: Tables the risk model reads (the allocation also reads Financing and Constraints).
MODEL_TABLES: tuple[str, ...] = ("Sectors", "Projects", "Risk events", "Correlations")
ALL_TABLES: tuple[str, ...] = ("Sectors", "Projects", "Financing", "Constraints", "Risk events", "Correlations")


@dataclass(frozen=True)
class Step:
    """One cached computation: the tables it reads and the run options it reads."""

    name: str
    tables: tuple[str, ...]
    options: tuple[str, ...]


#: What each cached step reads (all Scenario fields except the run options, which are listed per step).
STEPS: dict[str, Step] = {
    "allocation": Step("allocation", ALL_TABLES, ("method", "seed", "fit_trials")),
    "simulation": Step("simulation", MODEL_TABLES, ("trials", "seed", "workers")),
    "stress": Step("stress", MODEL_TABLES, ("trials", "seed", "workers", "stress", "stresses")),
    "tornado": Step("tornado", MODEL_TABLES, ("trials", "seed", "workers")),
    "frontier": Step("frontier", ALL_TABLES, ("method", "seed", "fit_trials", "frontier_points")),
}
#: Stage -> the RunResult fields it gives.
GIVES: dict[str, tuple[str, ...]] = {
    "baseline": ("allocation", "risk", "impact", "shortfall", "fit_trials"),
    "stress": ("stress",),
    "tornado": ("tornado",),
    "frontier": ("frontier",),
}

StageFn = Callable[[str, RunResult, frozenset[str]], None]


def table_hash(frame: pd.DataFrame | None) -> str:
    """SHA-256 of a table's content in its stored row order (columns, dtypes, values; index for a matrix)."""
    h = hashlib.sha256()
    if frame is None:
        h.update(b"none")
        return h.hexdigest()
    h.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    h.update(json.dumps([str(i) for i in frame.index]).encode() if not isinstance(frame.index, pd.RangeIndex)
             else str(len(frame)).encode())
    if len(frame) and len(frame.columns):
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))


class InputHashes:
    """The hash of each table and of the Scenario fields of one scenario, each computed once."""

    def __init__(self, scn: Scenario):
        self.scn = scn
        self._tables: dict[str, str] = {}
        fields = {k: v for k, v in scn.fields.items() if k not in OPTION_FIELDS.values()}
        self.fields = hashlib.sha256(_json(fields).encode()).hexdigest()

    def table(self, name: str) -> str:
        if name not in self._tables:
            frame = self.scn.correlations if name == "Correlations" else self.scn.table(name)
            self._tables[name] = table_hash(frame)
        return self._tables[name]


def option_values(opts: RunOptions) -> dict[str, Any]:
    """The run options as the steps read them (``fit_trials`` is the fitting sample's size)."""
    return {"method": opts.method, "trials": opts.trials, "seed": opts.seed, "workers": opts.workers,
            "fit_trials": min(opts.trials, FIT_TRIALS), "stress": opts.stress,
            "stresses": [repr(s) for s in opts.stresses], "frontier_points": opts.frontier_points}


def step_key(step: Step, hashes: InputHashes, options: Mapping[str, Any], upstream: Iterable[str] = ()) -> str:
    """The cache key of ``step``: what it reads from the scenario and the options, and its upstream keys."""
    parts = [step.name, hashes.fields, *(f"{t}={hashes.table(t)}" for t in step.tables),
             _json({k: options[k] for k in step.options}), *upstream]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def amounts_hash(amounts: Mapping[str, float]) -> str:
    return hashlib.sha256(_json(sorted((str(k), float(v)) for k, v in amounts.items())).encode()).hexdigest()


#: What the allocation step keeps: the fitting sample, the allocation, its impact and its shortfall.
Fitted = tuple["UnitSample", "AllocationResult", "ImpactResult", "Shortfall | None"]


def _fitted_allocation(ran: Scenario, model: RiskModel, opts: RunOptions, fit_trials: int,
                       progress: ProgressFn | None, should_cancel: CancelFn | None, draws: DrawCache) -> Fitted:
    """The allocation step: the fitting sample of ``fit_trials`` trials, the allocation fitted on it, why less
    than the programme is allocated, and the economic impact (the exact baseline's and a first estimate's).
    ``model`` is ``build_model(ran)``."""
    sample = fit_sample(ran, trials=fit_trials, seed=opts.seed, model=model, draws=draws)
    check_cancel(should_cancel)
    prob = build_problem(ran)   # once, for the allocation and its shortfall
    alloc = allocate(ran, method=opts.method, sample=sample, progress=progress, should_cancel=should_cancel,
                     problem=prob)
    gap = shortfall(ran, alloc, dict(zip(sample.ids, (float(v) for v in sample.mean))), float(model.discount_rate),
                    problem=prob)
    return sample, alloc, economic_impact(ran, alloc.amounts), gap


class StagedPipeline:
    """Runs the pipeline stage by stage with a cache per step (see the module docstring).

    One instance lives as long as the window (or script) that runs scenario after scenario;
    ``keep`` results per step are cached (so undo brings the previous results back at once).
    ``computed`` lists the steps the last :meth:`run` actually computed (not taken from the cache).
    """

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._cache: dict[str, OrderedDict[str, Any]] = {name: OrderedDict() for name in STEPS}
        self._checked: dict[str, tuple[list[Any], RiskModel]] = {}
        self.previous: RunResult | None = None
        self.computed: list[str] = []
        self.draws = DrawCache()   # random numbers of the last runs' blocks: the same for every edit of a number

    def _get(self, step: str, key: str) -> Any:
        cache = self._cache[step]
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        return None

    def _put(self, step: str, key: str, value: Any) -> None:
        cache = self._cache[step]
        cache[key] = value
        while len(cache) > self.keep:
            cache.popitem(last=False)
        self.computed.append(step)

    def run(self, scn: Scenario, *, method: str | None = None, trials: int | None = None, seed: int | None = None,
            workers: int = 1, progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
            stress: bool = True, tornado: bool = True, frontier_points: int = 0,
            stresses: Sequence[StressSpec] = (), options: RunOptions | None = None,
            on_stage: StageFn | None = None, first_estimate: int = 0) -> RunResult:
        """Run ``scn`` like :func:`~workbench.pipeline.run_scenario`, reporting each stage to ``on_stage``."""
        from workbench.pipeline import check_model, stop_rule

        opts = options or RunOptions.resolve(scn, method=method, trials=trials, seed=seed, workers=workers,
                                             stress=stress, tornado=tornado, frontier_points=frontier_points,
                                             stresses=stresses)
        ran = opts.apply(scn)
        self.computed = []
        hashes = InputHashes(ran)
        values = option_values(opts)
        check_key = step_key(Step("check", ALL_TABLES, ("method", "trials", "seed")), hashes, values)
        checked = self._checked.get(check_key)
        if checked is None:
            checked = check_model(ran)
            self._checked = {check_key: checked}   # validation of the scenario as run, its model: the last kept
        issues, model = checked
        scenario_hash = ran.content_hash()   # once, for the first estimate and the baseline
        wanted = ["baseline"] + [s for s, on in (("stress", opts.stress or bool(opts.stresses)),
                                                 ("tornado", opts.tornado), ("frontier", bool(opts.frontier_points)))
                                 if on]
        weights = {"baseline": 0.5, "stress": 0.2, "tornado": 0.2, "frontier": 0.1}
        total = sum(weights[s] for s in wanted)
        spans, at = {}, 0.0
        for s in wanted:
            spans[s] = sub_progress(progress, at / total, (at + weights[s]) / total)
            at += weights[s]

        check_cancel(should_cancel)
        alloc_key = step_key(STEPS["allocation"], hashes, values)
        got = self._get("allocation", alloc_key)
        if on_stage is not None and 0 < first_estimate < opts.trials and opts.precision is None and (
                got is None or self._get("simulation", step_key(STEPS["simulation"], hashes, values,
                                                                [amounts_hash(got[1].amounts)])) is None):
            estimate = self._estimate(ran, model, opts, issues, got, first_estimate, should_cancel,
                                      scenario_hash)
            self._report(on_stage, "estimate", estimate, set(wanted))
        if got is None:
            spans["baseline"](0.0, "Fitting sample")
            got = _fitted_allocation(ran, model, opts, values["fit_trials"],
                                     sub_progress(spans["baseline"], 0.05, 0.3), should_cancel, self.draws)
            self._put("allocation", alloc_key, got)
        sample, alloc, impact, gap = got
        amounts = alloc.amounts
        sim_key = step_key(STEPS["simulation"], hashes, values, [amounts_hash(amounts)])
        got_sim = self._get("simulation", sim_key)
        if got_sim is None:
            check_cancel(should_cancel)
            # the scenario's CVaR precision (in the fields' hash, so in the key) chooses the trials first
            rule = stop_rule(ran, opts, amounts, progress=sub_progress(spans["baseline"], 0.3, 0.6),
                             should_cancel=should_cancel)
            risk = simulate(ran, amounts, trials=rule.trials if rule is not None else opts.trials, seed=opts.seed,
                            workers=opts.workers, nominal=True,
                            progress=sub_progress(spans["baseline"], 0.6 if rule is not None else 0.3, 1.0),
                            should_cancel=should_cancel, model=model, draws=self.draws)
            got_sim = (risk, rule)
            self._put("simulation", sim_key, got_sim)
        risk, rule = got_sim
        n_trials = rule.trials if rule is not None else opts.trials

        prev = self.previous
        result = RunResult(
            scenario_hash=scenario_hash, method=opts.method, trials=n_trials, seed=opts.seed,
            allocation=alloc, risk=risk, impact=impact, input_hash=scn.content_hash(), scenario_name=ran.name,
            programme_size=ran.size, issues=tuple(issues), fit_trials=sample.trials, shortfall=gap, options=opts,
            stop_rule=rule,
            stress=prev.stress if prev is not None and "stress" in wanted else (),
            tornado=prev.tornado if prev is not None and "tornado" in wanted else (),
            frontier=prev.frontier if prev is not None and "frontier" in wanted else None,
        )
        pending = set(wanted[1:])
        self._report(on_stage, "baseline", result, pending)

        later_key = [amounts_hash(amounts), sim_key]
        if "stress" in pending or "tornado" in pending:
            stress_key = step_key(STEPS["stress"], hashes, values, later_key)
            tornado_key = step_key(STEPS["tornado"], hashes, values, later_key)
            need_stress = "stress" in pending and self._get("stress", stress_key) is None
            need_tornado = "tornado" in pending and self._get("tornado", tornado_key) is None
            with worker_pool(opts.workers if (need_stress or need_tornado) else 1) as pool:
                if "stress" in pending:
                    found = self._get("stress", stress_key)
                    if found is None:
                        specs = (named_stresses(ran) if opts.stress else []) + list(opts.stresses)
                        flags = [False] * (len(specs) - len(opts.stresses)) + [True] * len(opts.stresses)
                        found = run_stresses(ran, amounts, risk, specs, progress=spans["stress"],
                                             should_cancel=should_cancel, user_defined=flags, pool=pool,
                                             draws=self.draws)
                        self._put("stress", stress_key, found)
                    result = replace(result, stress=found)
                    pending.discard("stress")
                    self._report(on_stage, "stress", result, pending)
                if "tornado" in pending:
                    found = self._get("tornado", tornado_key)
                    if found is None:
                        found = run_tornado(ran, amounts, trials=n_trials, seed=opts.seed,
                                            progress=spans["tornado"], should_cancel=should_cancel, pool=pool,
                                            draws=self.draws)
                        self._put("tornado", tornado_key, found)
                    result = replace(result, tornado=found)
                    pending.discard("tornado")
                    self._report(on_stage, "tornado", result, pending)
        if "frontier" in pending:
            front_key = step_key(STEPS["frontier"], hashes, values)
            found = self._get("frontier", front_key)
            if found is None:
                check_cancel(should_cancel)
                spans["frontier"](0.0, "Efficient frontier")
                found = efficient_frontier(ran, sample, points=opts.frontier_points, progress=spans["frontier"],
                                           should_cancel=should_cancel)
                self._put("frontier", front_key, found)
            result = replace(result, frontier=found)
            pending.discard("frontier")
            self._report(on_stage, "frontier", result, pending)
        if progress:
            progress(1.0, "Done")
        self.previous = result
        return result

    def _estimate(self, ran: Scenario, model: RiskModel, opts: RunOptions, issues: list[Any], cached: Fitted | None,
                  trials: int, should_cancel: CancelFn | None, scenario_hash: str) -> RunResult:
        """The baseline on the first ``trials`` trials of each stream (the allocation's, when cached, is exact)."""
        prev = self.previous
        sample, alloc, impact, gap = cached if cached is not None else _fitted_allocation(
            ran, model, opts, min(trials, FIT_TRIALS), None, should_cancel, self.draws)
        check_cancel(should_cancel)
        risk = simulate(ran, alloc.amounts, trials=trials, seed=opts.seed, nominal=True,
                        should_cancel=should_cancel, model=model, draws=self.draws)
        return RunResult(
            scenario_hash=scenario_hash, method=opts.method, trials=trials, seed=opts.seed, allocation=alloc,
            risk=risk, impact=impact, input_hash="", scenario_name=ran.name, programme_size=ran.size,
            issues=tuple(issues), fit_trials=sample.trials, shortfall=gap, options=opts,
            stress=prev.stress if prev is not None else (), tornado=prev.tornado if prev is not None else (),
            frontier=prev.frontier if prev is not None else None)

    @staticmethod
    def _report(on_stage: StageFn | None, name: str, result: RunResult, pending: set[str]) -> None:
        if on_stage is not None:
            on_stage(name, result, frozenset(pending))

