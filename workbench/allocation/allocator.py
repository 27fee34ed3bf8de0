"""``allocate`` and the estimator-style :class:`Allocator`: scenario + fitting sample in,
:class:`~workbench.results.AllocationResult` out, or :class:`Infeasible` with the reason."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from workbench import schema
from workbench.allocation import linear
from workbench.allocation.infeasibility import Infeasible, explain
from workbench.allocation.inputs import FittingSample, Inputs, line_up
from workbench.allocation.outcome import Outcome, SolverFailed
from workbench.allocation.problem import Problem, build_problem, fmt_usd, with_target
from workbench.progress import CancelFn, ProgressFn, check_cancel
from workbench.results import AllocationResult, Conflict
from workbench.scenario import Scenario

METHODS = schema.METHODS


@dataclass(frozen=True)
class Settings:
    """What the methods read from the Scenario fields."""

    risk_aversion: float
    confidence: float
    target: float | None

    @classmethod
    def of(cls, scn: Scenario) -> Settings:
        target = scn.fields.get("Target expected P&L (USD m)")
        try:
            target = float(target) if target is not None and str(target).strip() != "" else None
        except (TypeError, ValueError):
            target = None
        if target is not None and not np.isfinite(target):
            target = None
        return cls(float(scn.field("Risk aversion")), float(scn.field("Confidence level")), target)


def run_method(method: str, prob: Problem, data: Inputs | None, settings: Settings, *, time_limit: float,
               mip_rel_gap: float, should_cancel: CancelFn | None = None) -> Outcome:
    """One method on one problem (raises ``linear.NoAllocation`` when the limits conflict)."""
    kw = {"time_limit": time_limit, "mip_rel_gap": mip_rel_gap}
    if method == "fixed":
        return linear.fixed(prob)
    if method == "proportional":
        return linear.proportional(prob, **kw)
    if method == "max-strategic":
        return linear.max_strategic(prob, **kw)
    if data is None:
        raise ValueError(f"The method {method} needs the risk model's fitting sample.")
    if method == "max-return":
        return linear.max_return(prob, data.mu, **kw)
    if method == "mean-variance":
        from workbench.allocation.meanvar import mean_variance
        return mean_variance(prob, data, settings.risk_aversion, should_cancel=should_cancel, **kw)
    if method == "min-cvar":
        from workbench.allocation.cvar import min_cvar
        return min_cvar(prob, data, settings.confidence, settings.target, should_cancel=should_cancel, **kw)
    if method == "risk-parity":
        from workbench.allocation.parity import risk_parity
        return risk_parity(prob, data, should_cancel=should_cancel, **kw)
    raise ValueError(f'Unknown allocation method "{method}"; use one of {", ".join(METHODS)}.')


def _by(prob: Problem, x: np.ndarray, column: str, empty: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, amount in zip(prob.group(column), x, strict=True):
        k = str(key) if key not in (None, "") else empty
        out[k] = out.get(k, 0.0) + float(amount)
    return out


def result(method: str, prob: Problem, out: Outcome, seconds: float) -> AllocationResult:
    amounts = {pid: 0.0 for pid in prob.all_ids}
    for pid, a in zip(prob.ids, out.x, strict=True):
        amounts[pid] = float(a) if abs(a) > 1e-9 * prob.S else 0.0
    x = np.array([amounts[pid] for pid in prob.ids])
    return AllocationResult(
        method=method, amounts=amounts,
        by_sector=_by(prob, x, "Sector", "(no sector)"),
        by_instrument=_by(prob, x, "Instrument", "Equity"),
        by_financier=_by(prob, x, "Financier", "(no financier)"),
        by_state=_by(prob, x, "State", "(no state)"),
        status=out.status, gap=float(out.gap), seconds=seconds,
        objective=None if out.objective is None else float(out.objective) + 0.0,   # no -0.0
        binding=out.binding, notes=out.notes)


def _nothing_included(prob: Problem) -> Outcome:
    """No included project: nothing to allocate, unless a minimum asks for something."""
    tol = 1e-6 * prob.S
    wants = [lim for lim in prob.limits if lim.sense == "min" and lim.value > tol]
    if wants:
        raise Infeasible(tuple(Conflict(lim.label, f"lower it to 0 (by USD {fmt_usd(lim.value)} m): "
                                        "no included project counts toward it", lim.value) for lim in wants),
                         "Include projects (Projects, column Include) or remove these minimums.")
    return Outcome(np.zeros(0), "optimal", 0.0, 0.0, (), ("No project is included, so nothing is allocated.",))


def _note_excluded(scn: Scenario, out: Outcome) -> Outcome:
    """``fixed``: amounts typed against excluded projects are not part of the allocation; say so."""
    p = scn.projects
    notes = [f"Projects {pid}: excluded, so its allocated {float(a):,.0f} (USD m) counts as 0."
             for pid, a, inc in zip(p["ID"], p["Allocated (USD m)"], p["Include"], strict=True)
             if not inc and a == a and float(a) > 0]
    if not notes:
        return out
    return Outcome(out.x, out.status, out.gap, out.objective, out.binding, (*out.notes, *notes))


@dataclass(frozen=True)
class Allocator:
    """Estimator style: parameters stored as given; :meth:`fit` does the work.

    ``method`` None means the scenario's ``Allocation method``.
    """

    method: str | None = None
    time_limit: float = 30.0
    mip_rel_gap: float = 1e-4

    def fit(self, scn: Scenario, sample: FittingSample | None, *, progress: ProgressFn | None = None,
            should_cancel: CancelFn | None = None, problem: Problem | None = None) -> AllocationResult:
        """``problem``: ``build_problem(scn)`` when the caller has built it already."""
        t0 = time.perf_counter()
        method = str(self.method or scn.field("Allocation method")).strip()
        if method not in METHODS:
            raise ValueError(f'Unknown allocation method "{method}"; use one of {", ".join(METHODS)}.')
        prob = problem if problem is not None else build_problem(scn)
        data = line_up(prob, sample) if sample is not None else None
        settings = Settings.of(scn)
        if method == "min-cvar" and data is not None:
            prob = with_target(prob, data.mu, settings.target)
        if progress:
            progress(0.0, f"Allocating ({method})")
        check_cancel(should_cancel)
        if prob.n == 0 and method != "fixed":
            return result(method, prob, _nothing_included(prob), time.perf_counter() - t0)
        try:
            if method in ("min-regret", "worst-case"):   # across the baseline and the named stress tests
                from workbench.allocation.robust import robust_outcome
                out = robust_outcome(method, scn, prob, time_limit=self.time_limit, mip_rel_gap=self.mip_rel_gap,
                                     sample=sample)
            else:
                out = run_method(method, prob, data, settings, time_limit=self.time_limit,
                                 mip_rel_gap=self.mip_rel_gap, should_cancel=should_cancel)
        except linear.NoAllocation:
            check_cancel(should_cancel)
            why = explain(prob, time_limit=self.time_limit, scn=scn)
            if why is None:  # the solver said infeasible, the elastic check disagrees: report honestly
                raise SolverFailed("The solver reported no feasible allocation, but the diagnosis found one; "
                                   "this is a numerical problem. Try loosening near-equal limits.") from None
            raise why from None
        if method == "fixed":
            out = _note_excluded(scn, out)
        if progress:
            progress(1.0, "Allocation done")
        return result(method, prob, out, time.perf_counter() - t0)


def allocate(scn: Scenario, *, method: str | None = None, sample: FittingSample | None, time_limit: float = 30.0,
             mip_rel_gap: float = 1e-4, progress: ProgressFn | None = None,
             should_cancel: CancelFn | None = None, problem: Problem | None = None) -> AllocationResult:
    """Allocate the programme of ``scn`` with ``method`` (default: the scenario's), using the risk
    engine's fitting ``sample`` for expected P&L, covariance and CVaR scenarios.

    Raises :class:`Infeasible` (with an irreducible conflicting set) when no allocation meets
    every limit, and :class:`SolverFailed` when the solver stops without any allocation.
    ``problem``: ``build_problem(scn)`` when the caller has built it already (for the shortfall too).
    """
    return Allocator(method=method, time_limit=time_limit, mip_rel_gap=mip_rel_gap).fit(
        scn, sample, progress=progress, should_cancel=should_cancel, problem=problem)


__all__ = ["METHODS", "Allocator", "Infeasible", "SolverFailed", "allocate"]
