"""The grouped dual min-CVaR solver (``cvar_dual``) against the full Rockafellar-Uryasev linear
programme solved by scipy's HiGHS, and its optimality certificate against answers known to be wrong."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.optimize import linprog

from tests.allocation.helpers import SECTORS, sample, scenario
from workbench.allocation import allocate
from workbench.allocation.cvar import tail_count
from workbench.allocation.cvar_dual import (
    FIRST_GROUP,
    DualCG,
    Partition,
    band_width,
    certify,
    guess,
    ranked_labels,
    solve_dual,
)
from workbench.allocation.problem import build_problem


def case(n: int, trials: int, seed: int, sector_cap: float = 0.5):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    ids = tuple(f"P{i:03d}" for i in range(n))
    req = np.round(rng.uniform(10, 40, n))
    projects = [{"ID": i, "Sector": SECTORS[j % 3], "Requested (USD m)": float(r)}
                for j, (i, r) in enumerate(zip(ids, req, strict=True))]
    constraints = [{"Group": "Total", "Value": "*", "Min share": 1.0},
                   {"Group": "Sector", "Value": "*", "Max share": sector_cap}]
    f = rng.standard_normal((trials, 3))
    pnl = (rng.uniform(0.0, 0.12, n) + f @ rng.normal(0, 0.1, (3, n))
           + rng.standard_normal((trials, n)) * rng.uniform(0.05, 0.3, n))
    scn = scenario(projects, constraints, size_bn=0.2, **{"Confidence level": 0.95})
    return ids, scn, pnl


def full_lp(prob, pnl, k):
    """min alpha + 1/k sum u  s.t.  u_t >= -p_t.w - alpha, u >= 0, the limits, 0 <= w <= request (shares)."""
    T, n = pnl.shape
    S = prob.S
    A = prob.matrix().toarray()
    lo, hi = prob.bounds()
    G = np.vstack([A[np.isfinite(hi)], -A[np.isfinite(lo)]])
    h = np.r_[hi[np.isfinite(hi)], -lo[np.isfinite(lo)]] / S
    c = np.r_[np.zeros(n), 1.0, np.full(T, 1.0 / k)]
    tail = np.hstack([-pnl, -np.ones((T, 1)), -np.eye(T)])
    lims = np.hstack([G, np.zeros((len(G), 1 + T))])
    bounds = [(0.0, r / S) for r in prob.request] + [(None, None)] + [(0.0, None)] * T
    r = linprog(c, A_ub=np.vstack([tail, lims]), b_ub=np.r_[np.zeros(T), h], bounds=bounds, method="highs")
    assert r.status == 0
    return r.fun


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_solve_dual_matches_the_full_programme_from_a_poor_guess(seed):
    _, scn, pnl = case(30, 1500, seed)
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    start = np.zeros(prob.n)
    start[:2] = 0.5                    # funds two projects: most rows must be priced in
    res = solve_dual(prob, pnl, k, start, time_limit=60, should_cancel=None, t0=time.perf_counter())
    best = full_lp(prob, pnl, k)
    assert res.status == "optimal"
    assert res.projects_added > 0
    assert res.objective == pytest.approx(best, abs=1e-9)
    assert res.bound <= best + 1e-9
    assert res.gap <= 1e-9
    w = res.x[: prob.n]
    assert np.all(w >= -1e-9) and np.all(w <= prob.request / prob.S + 1e-9)
    loss = -(pnl @ w)
    assert np.sort(loss)[-k:].mean() == pytest.approx(best, abs=1e-9)


def test_subsample_guess_path_matches_the_full_programme():
    _, scn, pnl = case(12, 9000, seed=5, sector_cap=0.4)
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    t0 = time.perf_counter()
    w0 = guess(prob, pnl, k, prob.request / prob.request.sum(), time_limit=60, should_cancel=None, t0=t0)
    assert not np.allclose(w0, prob.request / prob.request.sum())     # the sub-sample was solved
    res = solve_dual(prob, pnl, k, w0, time_limit=60, should_cancel=None, t0=t0)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(full_lp(prob, pnl, k), abs=1e-9)


def test_allocate_min_cvar_reports_the_full_programme_optimum():
    ids, scn, pnl = case(25, 1200, seed=9)
    res = allocate(scn, method="min-cvar", sample=sample(ids, pnl))
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    assert res.status == "optimal"
    assert res.objective / prob.S == pytest.approx(full_lp(prob, pnl, k), abs=1e-9)
    assert "proven optimal on the full programme" in res.notes[0]


def test_certificate_refuses_a_worse_allocation_and_a_wrong_dual_point():
    _, scn, pnl = case(20, 1000, seed=4)
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    start = prob.request / prob.request.sum()
    cg = DualCG(prob, pnl, k)
    cg.start(Partition(ranked_labels(-(pnl @ start), k, band_width(prob.n, k), FIRST_GROUP)))
    status, x, _, sol = cg.solve(60)
    while cg.refine(x):
        status, x, _, sol = cg.solve(60)
    assert status == "optimal"
    value, lower = certify(cg, x, sol)
    assert value - lower <= 1e-9
    # A feasible but worse allocation (halfway to the requests-proportional one) is not certified.
    worse = x.copy()
    worse[: prob.n] = 0.5 * x[: prob.n] + 0.5 * start
    cg.loss = None
    value_w, lower_w = certify(cg, worse, sol)
    assert value_w - lower_w > 1e-4
    # A dual point of a coarser grouping (one group per side of rank k) bounds lower, not equal.
    coarse = DualCG(prob, pnl, k)
    coarse.start(Partition(ranked_labels(-(pnl @ start), k, 0, len(pnl))))
    _, xc, _, solc = coarse.solve(60)
    value_c, lower_c = certify(coarse, xc, solc)
    assert lower_c <= value + 1e-12
    assert value_c - lower_c > 1e-6


def test_a_stopped_solve_reports_a_valid_bound_and_no_optimality():
    _, scn, pnl = case(30, 1500, seed=6)
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    start = np.zeros(prob.n)
    start[:2] = 0.5
    res = solve_dual(prob, pnl, k, start, time_limit=60, should_cancel=None, t0=time.perf_counter(), max_rounds=1)
    best = full_lp(prob, pnl, k)
    assert res.status == "round limit"
    assert res.bound <= best + 1e-9                       # still a lower bound on the full programme
    assert res.objective >= best - 1e-9                   # the mean of the k worst losses at a feasible w
    assert res.gap == pytest.approx(res.objective - res.bound)
