"""The what-if analyses as single calls ``task(scn, *, progress, should_cancel, **options)``.

These are what the app runs in the background (``ui.runner.RunController`` calls any such
function) and what a script calls for a complete answer: switching values of several inputs,
one goal seek, the robust allocations compared across the stress tests, and the Sobol
indices beside the tornado. Each returns a plain frozen result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from workbench.progress import CancelFn, ProgressFn, check_cancel, sub_progress
from workbench.scenario import Scenario
from workbench.whatif.evaluator import Evaluator
from workbench.whatif.inputs import find_input, tornado_inputs
from workbench.whatif.sobol import (
    SOBOL_SAMPLES,
    SOBOL_TRIALS,
    SobolResult,
    clear_differences,
    ranking_differences,
    sobol_scenario,
)
from workbench.whatif.statistics import find_statistic, parse_target
from workbench.whatif.switching import ALLOCATION, Crossing, SeekResult, goal_seek, switching_values

if TYPE_CHECKING:
    from workbench.risk.sensitivity import TornadoBar


# ---------------------------------------------------------------- switching values
@dataclass(frozen=True)
class SwitchingReport:
    crossings: tuple[Crossing, ...]
    criterion: str
    threshold: float
    trials: int
    seed: int
    method: str
    evaluations: int
    discount_rate: float = float("nan")   # the scenario's: the statistics are of NPV at this rate


def switching_task(scn: Scenario, *, inputs: Sequence[str] | None = None, criterion: str = "expected-npv",
                   threshold: float = 0.0, trials: int | None = None, seed: int | None = None,
                   progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> SwitchingReport:
    """Switching values of ``inputs`` (names; default every tornado input) for one criterion."""
    ev = Evaluator(scn, trials=trials, seed=seed, should_cancel=should_cancel)
    chosen = tornado_inputs(scn) if not inputs else [find_input(scn, name) for name in inputs]
    key = criterion if criterion == ALLOCATION else find_statistic(criterion).key
    res = switching_values(ev, chosen, criterion=key, threshold=threshold, progress=progress)
    return SwitchingReport(tuple(res), key, float(threshold), ev.trials, ev.seed, ev.method, ev.evaluations,
                           float(ev.model.discount_rate))


# ---------------------------------------------------------------- goal seek
@dataclass(frozen=True)
class SeekReport:
    result: SeekResult
    trials: int
    seed: int
    method: str
    evaluations: int
    confidence: float
    discount_rate: float = float("nan")   # the scenario's: the statistics are of NPV at this rate


def seek_task(scn: Scenario, *, vary: str, target: str, trials: int | None = None, seed: int | None = None,
              progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> SeekReport:
    """Goal seek: the value of input ``vary`` at which ``target`` ("P(NPV<0)<=10%") starts or stops holding."""
    inp = find_input(scn, vary)
    tgt = parse_target(target)
    ev = Evaluator(scn, trials=trials, seed=seed, should_cancel=should_cancel)
    res = goal_seek(ev, inp, tgt, progress=progress)
    return SeekReport(res, ev.trials, ev.seed, ev.method, ev.evaluations, ev.confidence,
                      float(ev.model.discount_rate))


# ---------------------------------------------------------------- robust allocation across the stresses
@dataclass(frozen=True)
class RobustComparison:
    """Allocations (rows) against the baseline and the named stress tests (columns), on the fitting sample.

    ``pnl``/``cvar``/``regret``: (allocations, scenarios), USD m, of NPV at ``discount_rate``; ``measure``:
    ``"expected"`` (regret of expected NPV: ``best`` is the best expected NPV any allocation meeting every
    limit gets in each scenario)
    or ``"cvar"`` (regret of CVaR: ``best`` is the smallest CVaR any allocation gets there; CVaR is then
    measured on the first ``cvar_trials`` trials of each scenario, the sample the methods were fitted on);
    ``amounts``: USD m by project ID.
    """

    scenarios: tuple[str, ...]
    allocations: tuple[str, ...]
    best: npt.NDArray[np.float64]
    pnl: npt.NDArray[np.float64]
    cvar: npt.NDArray[np.float64]
    regret: npt.NDArray[np.float64]
    amounts: tuple[dict[str, float], ...]
    statuses: tuple[str, ...]
    trials: int
    seed: int
    confidence: float
    measure: str = "expected"
    cvar_trials: int = 0
    discount_rate: float = float("nan")   # the scenario's: every amount is NPV at this rate

    @property
    def max_regret(self) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = self.regret.max(axis=1)
        return out

    @property
    def worst_pnl(self) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = self.pnl.min(axis=1)
        return out

    @property
    def worst_cvar(self) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = self.cvar.max(axis=1)
        return out


#: Trials of each stress the CVaR flavour of the robust methods is fitted on (one LP row per trial and stress).
ROBUST_CVAR_TRIALS = 2048


def robust_task(scn: Scenario, *, methods: Sequence[str] | None = None, trials: int | None = None,
                seed: int | None = None, measure: str = "expected", cvar_trials: int = ROBUST_CVAR_TRIALS,
                progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> RobustComparison:
    """``min-regret``, ``worst-case``, ``max-return`` and the scenario's method, each allocation's expected NPV,
    CVaR and regret in the baseline and every named stress (the same fitting draws in every stress).
    ``measure="cvar"``: the robust methods minimise the largest regret of CVaR / the worst CVaR instead."""
    from workbench.allocation import allocate
    from workbench.allocation.problem import build_problem
    from workbench.allocation.robust import (
        StressMeans,
        best_cvars,
        best_values,
        min_regret,
        min_regret_cvar,
        stress_cvar,
        worst_case,
        worst_case_cvar,
    )
    from workbench.risk import measures as ms
    from workbench.risk.engine import FIT_TRIALS, Plan, UnitSample, scenario_seed
    from workbench.risk.model import build_model
    from workbench.risk.paths import BLOCK, FIT_STREAM, block_sizes, draw_block, simulate_block
    from workbench.risk.stress import named_stresses

    if measure not in ("expected", "cvar"):
        raise ValueError(f'Unknown robust measure "{measure}": use "expected" (expected NPV) or "cvar".')
    own = str(scn.field("Allocation method"))
    methods = list(methods) if methods else list(dict.fromkeys([own, "min-regret", "worst-case", "max-return"]))
    model = build_model(scn)
    seed = scenario_seed(scn, seed)
    n = int(trials) if trials is not None else min(scn.trials, FIT_TRIALS)
    if n < 2:
        raise ValueError("The comparison needs at least 2 trials.")
    specs = named_stresses(scn)
    forced = [None] + [Plan.of(scn, {}, trials=1, forced_events=s.forced_events).forced for s in specs]
    names = ("Baseline", *(s.name for s in specs))
    units = np.empty((len(forced), model.n, n))
    sizes = block_sizes(n)
    for b, m in enumerate(sizes):
        check_cancel(should_cancel)
        draws = draw_block(model, seed, FIT_STREAM, b, m)
        for k, f in enumerate(forced):
            units[k, :, b * BLOCK: b * BLOCK + m] = simulate_block(model, seed, FIT_STREAM, b, m, forced=f,
                                                                 draws=draws).unit
        if progress:
            progress(0.5 * (b + 1) / len(sizes), f"Simulating the baseline and {len(specs)} stress tests")
    prob = build_problem(scn)
    pos = {pid: i for i, pid in enumerate(model.ids)}
    cols = np.array([pos[pid] for pid in prob.ids], dtype=np.int64)
    sm = StressMeans(names, units.mean(axis=2)[:, cols] if len(cols) else np.zeros((len(names), 0)),
                     float(model.discount_rate))
    sample = UnitSample(ids=model.ids, pnl=np.ascontiguousarray(units[0].T), seed=seed)
    conf = model.confidence
    n_cvar = min(int(cvar_trials), n)
    lp_units = np.ascontiguousarray(units[:, cols, :n_cvar].transpose(0, 2, 1)) if measure == "cvar" else None
    best_cvar = None
    if lp_units is not None:
        smallest: list[float] = []
        for k in range(len(names)):   # the smallest CVaR of each stress alone, one solve each
            check_cancel(should_cancel)
            if progress:
                progress(0.5 + 0.2 * k / len(names), f"Smallest CVaR in {names[k]}")
            smallest.append(best_cvars(prob, lp_units[k:k + 1], conf, time_limit=30.0, mip_rel_gap=1e-4)[0])
        best_cvar = np.array(smallest)
    xs, statuses = [], []
    for i, method in enumerate(methods):
        check_cancel(should_cancel)
        if progress:
            start = 0.7 if lp_units is not None else 0.5
            progress(start + (0.95 - start) * i / len(methods), f"Allocating with {method}")
        if method in ("min-regret", "worst-case"):
            if lp_units is not None:
                out = (min_regret_cvar(prob, lp_units, conf, time_limit=30.0, mip_rel_gap=1e-4, best=best_cvar)
                       if method == "min-regret" else
                       worst_case_cvar(prob, lp_units, conf, time_limit=30.0, mip_rel_gap=1e-4))
            else:
                out = (min_regret if method == "min-regret" else worst_case)(prob, sm, time_limit=30.0,
                                                                             mip_rel_gap=1e-4)
            xs.append(np.asarray(out.x, float))
            statuses.append(out.status)
        else:
            res = allocate(scn, method=method, sample=sample, should_cancel=should_cancel)
            xs.append(np.array([float(res.amounts.get(pid, 0.0)) for pid in prob.ids]))
            statuses.append(res.status)
    pnl = np.array([sm.means @ x for x in xs]).reshape(len(xs), len(names))
    cvar = np.empty_like(pnl)
    for a, x in enumerate(xs):
        if lp_units is not None:   # on the sample the methods were fitted on, as they measure it
            cvar[a] = stress_cvar(lp_units, x, conf)
            continue
        full = np.zeros(model.n)
        full[cols] = x
        for k in range(len(names)):
            cvar[a, k] = ms.conditional_value_at_risk(full @ units[k], conf)
    if best_cvar is not None:
        best, regret = best_cvar, cvar - best_cvar[None, :]
    else:
        best = best_values(prob, sm, time_limit=30.0, mip_rel_gap=1e-4)
        regret = best[None, :] - pnl
    if progress:
        progress(1.0, "Robust comparison done")
    amounts = tuple({pid: float(v) for pid, v in zip(prob.ids, x)} for x in xs)
    return RobustComparison(names, tuple(methods), best, pnl, cvar, regret, amounts, tuple(statuses),
                            n, seed, conf, measure, n_cvar if lp_units is not None else 0,
                            float(model.discount_rate))


# ---------------------------------------------------------------- Sobol beside the tornado
@dataclass(frozen=True)
class SobolReport:
    """Sobol indices, the tornado of the same allocation, and the inputs ranked differently by the two."""

    sobol: SobolResult
    tornado: tuple[TornadoBar, ...]    # largest swing first
    tornado_order: tuple[str, ...]     # by the swing of the statistic's own measure
    differences: dict[str, tuple[int, int]]   # input -> (tornado rank, Sobol rank)
    seed: int
    clear: frozenset[str] = frozenset()       # inputs whose reordering is clear (total-index intervals apart)
    discount_rate: float = float("nan")       # the scenario's: the tornado's swings are of NPV at this rate


def sobol_task(scn: Scenario, *, statistic: str = "expected-npv", samples: int = SOBOL_SAMPLES,
               trials: int = SOBOL_TRIALS, tornado_trials: int | None = None, seed: int | None = None,
               progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> SobolReport:
    """Sobol indices of ``statistic`` over the tornado's inputs and ranges, and the tornado beside them
    (on ``tornado_trials``, default the run's tornado trials)."""
    from workbench.risk.sensitivity import tornado

    stat = find_statistic(statistic)
    ev = Evaluator(scn, trials=trials, seed=seed, should_cancel=should_cancel)
    res = sobol_scenario(scn, statistic=stat, samples=samples, evaluator=ev, should_cancel=should_cancel,
                         progress=sub_progress(progress, 0.0, 0.8))
    amounts = dict(zip(ev.model.ids, ev.base_amounts))
    bars = tornado(scn, amounts, trials=tornado_trials, seed=seed, progress=sub_progress(progress, 0.8, 1.0),
                   should_cancel=should_cancel)
    key = (lambda b: -b.cvar_swing) if stat.key in ("cvar", "var") else (lambda b: -b.expected_pnl_swing)
    order = tuple(b.input for b in sorted(bars, key=key))
    return SobolReport(res, tuple(bars), order, ranking_differences(res, order), ev.seed,
                       frozenset(clear_differences(res, order)), float(ev.model.discount_rate))


__all__ = ["RobustComparison", "SeekReport", "SobolReport", "SwitchingReport", "robust_task", "seek_task",
           "sobol_task", "switching_task"]
