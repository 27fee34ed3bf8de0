"""The efficient frontier on the fitting sample: expected P&L against CVaR, or against the
standard deviation of P&L, under the scenario's limits (and tickets).

Each point is a solved problem: minimum CVaR (or variance) subject to expected P&L at
least a target, the targets evenly spaced from the minimum-risk allocation's expected
P&L to the maximum expected P&L. Points that another point dominates (a mixed-integer
gap can cause one) are dropped, so the frontier is monotone: more risk, more P&L.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from workbench.allocation import linear
from workbench.allocation.binding import Objective
from workbench.allocation.cvar import cvar_of, min_cvar
from workbench.allocation.infeasibility import explain
from workbench.allocation.inputs import FittingSample, Inputs, line_up
from workbench.allocation.outcome import SolverFailed
from workbench.allocation.problem import TOL, Problem, build_problem, with_target
from workbench.allocation.quadratic import minimize_quadratic
from workbench.progress import CancelFn, ProgressFn, check_cancel
from workbench.results import Frontier, FrontierPoint
from workbench.scenario import Scenario


def _min_risk(prob: Problem, data: Inputs, measure: str, confidence: float, target: float | None, *,
              time_limit: float, mip_rel_gap: float, should_cancel: CancelFn | None) -> npt.NDArray[np.float64]:
    p = with_target(prob, data.mu, target)
    if measure == "cvar":
        return min_cvar(p, data, confidence, target, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                        should_cancel=should_cancel).x
    out, _ = minimize_quadratic(p, np.zeros(prob.n), np.asarray(data.cov, float),
                                Objective("variance", "", prob.S, better="min"), time_limit=time_limit,
                                mip_rel_gap=mip_rel_gap, should_cancel=should_cancel)
    return out.x


def frontier(scn: Scenario, sample: FittingSample, *, points: int = 12, measure: str = "cvar", time_limit: float = 30.0,
             mip_rel_gap: float = 1e-4, progress: ProgressFn | None = None,
             should_cancel: CancelFn | None = None) -> Frontier:
    """``points`` allocations from least risk to most expected P&L (raises ``Infeasible`` like ``allocate``)."""
    if measure not in ("cvar", "std"):
        raise ValueError('The frontier measure is "cvar" or "std".')
    prob = build_problem(scn)
    data = line_up(prob, sample)
    confidence = float(scn.field("Confidence level"))
    if prob.n == 0:
        return Frontier(points=(), risk_measure=measure)
    try:
        top = linear.max_return(prob, data.mu, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        low = _min_risk(prob, data, measure, confidence, None, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                        should_cancel=should_cancel)
    except linear.NoAllocation:
        why = explain(prob, time_limit=time_limit, scn=scn)
        if why is None:
            raise SolverFailed("The solver reported no feasible allocation, but the diagnosis found one.") from None
        raise why from None
    lo, hi = float(data.mu @ low), float(data.mu @ top.x)
    points = max(int(points), 2)
    targets = np.linspace(lo, hi, points)
    xs = [low]
    for j, target in enumerate(targets[1:], start=1):
        check_cancel(should_cancel)
        if progress:
            progress(j / points, f"Frontier point {j + 1} of {points}")
        t = float(target) - TOL * prob.S * 1e-3 * (j == points - 1)   # the top point exactly at max P&L
        try:
            xs.append(_min_risk(prob, data, measure, confidence, t, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                should_cancel=should_cancel))
        except (linear.NoAllocation, SolverFailed):
            continue
    pts = [_point(prob, data, x, confidence) for x in xs]
    return Frontier(points=tuple(_efficient(pts, measure)), risk_measure=measure)


def _point(prob: Problem, data: Inputs, x: npt.NDArray[np.float64], confidence: float) -> FrontierPoint:
    var = float(x @ data.cov @ x)
    return FrontierPoint(expected_pnl=float(data.mu @ x), cvar=float(cvar_of(data.pnl @ x, confidence)[0]),
                         std=float(np.sqrt(max(var, 0.0))),
                         amounts={pid: float(a) for pid, a in zip(prob.ids, x, strict=True)})


def _efficient(pts: list[FrontierPoint], measure: str) -> list[FrontierPoint]:
    """Drop dominated points: sorted by risk, each kept point has more expected P&L than the last."""
    def risk(p: FrontierPoint) -> float:
        return p.cvar if measure == "cvar" else p.std

    out: list[FrontierPoint] = []
    for p in sorted(pts, key=lambda p: (risk(p), -p.expected_pnl)):
        if not out or p.expected_pnl > out[-1].expected_pnl + 1e-9 * max(1.0, abs(p.expected_pnl)):
            out.append(p)
    return out
