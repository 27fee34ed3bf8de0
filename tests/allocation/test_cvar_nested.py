"""min-CVaR started from sub-samples' optimal bases (``cvar_dual.solve_nested``) against the plain
Rockafellar-Uryasev linear programme over every scenario, solved directly by HiGHS (highspy)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.sparse as sp
from highspy import Highs, _core

from tests.allocation.helpers import SECTORS, sample, scenario
from workbench.allocation import allocate
from workbench.allocation.cvar import tail_count
from workbench.allocation.cvar_dual import SUBSAMPLE_FROM, solve_nested
from workbench.allocation.problem import build_problem


def case(n: int, trials: int, seed: int, kind: str):
    """Projects with requests, a full programme and sector caps; P&L from a Gaussian or a
    Student-t(4) factor model with right-skewed noise."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, n, trials]))
    ids = tuple(f"P{i:03d}" for i in range(n))
    req = np.round(rng.uniform(10, 40, n))
    projects = [{"ID": i, "Sector": SECTORS[j % 3], "Requested (USD m)": float(r)}
                for j, (i, r) in enumerate(zip(ids, req, strict=True))]
    constraints = [{"Group": "Total", "Value": "*", "Min share": 1.0},
                   {"Group": "Sector", "Value": "*", "Max share": 0.45}]
    if kind == "gauss":
        f = rng.standard_normal((trials, 4))
        pnl = (rng.uniform(0.0, 0.12, n) + f @ rng.normal(0, 0.1, (4, n))
               + rng.standard_normal((trials, n)) * rng.uniform(0.05, 0.3, n))
    else:
        scale = np.sqrt(rng.chisquare(4, (trials, 1)) / 4)
        f = rng.standard_normal((trials, 4)) / scale
        pnl = (rng.uniform(-0.02, 0.12, n) + f @ rng.normal(0, 0.1, (4, n))
               + (rng.gamma(2.0, 1.0, (trials, n)) - 2.0) * rng.uniform(0.03, 0.2, n))
    scn = scenario(projects, constraints, size_bn=0.4, **{"Confidence level": 0.95})
    return ids, scn, pnl


def plain_lp(prob, pnl: np.ndarray, k: int) -> float:
    """min alpha + 1/k sum_t u_t  s.t.  u_t + alpha + p_t.w >= 0, u >= 0, the limits, 0 <= w <= request
    (shares): every scenario a row, one cold HiGHS solve."""
    T, n = pnl.shape
    S = prob.S
    M = sp.csr_matrix(prob.matrix())
    lo, hi = prob.bounds()
    tail = sp.hstack([sp.csr_matrix(pnl), sp.csr_matrix(np.ones((T, 1))), sp.identity(T, format="csr")])
    lims = sp.hstack([M, sp.csr_matrix((M.shape[0], 1 + T))])
    A = sp.vstack([tail, lims], format="csc")
    A.sort_indices()
    lp = _core.HighsLp()
    lp.num_col_, lp.num_row_ = n + 1 + T, T + M.shape[0]
    lp.col_cost_ = np.r_[np.zeros(n), 1.0, np.full(T, 1.0 / k)]
    lp.col_lower_ = np.r_[np.zeros(n), -np.inf, np.zeros(T)]
    lp.col_upper_ = np.r_[prob.request / S, np.inf, np.full(T, np.inf)]
    lp.row_lower_ = np.r_[np.zeros(T), np.where(np.isfinite(lo), lo / S, -np.inf)]
    lp.row_upper_ = np.r_[np.full(T, np.inf), np.where(np.isfinite(hi), hi / S, np.inf)]
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    h = Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == _core.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "kind"), [(11, "gauss"), (12, "t")])
def test_nested_warm_started_solve_equals_the_plain_programme(seed, kind):
    ids, scn, pnl = case(100, 5000, seed, kind)
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    assert len(pnl) >= SUBSAMPLE_FROM * 5          # two sub-sample levels below the full sample
    res = solve_nested(prob, pnl, k, prob.request / prob.request.sum(), time_limit=300, should_cancel=None,
                       t0=time.perf_counter())
    best = plain_lp(prob, pnl, k)
    assert res.status == "optimal"
    assert res.warm_started                         # the last level started from the sub-sample's basis
    assert res.gap <= 1e-9
    assert res.objective == pytest.approx(best, rel=1e-6, abs=1e-9)
    w = res.values[: prob.n]
    assert np.sort(-(pnl @ w))[-k:].mean() == pytest.approx(best, rel=1e-6, abs=1e-9)
    # and through the app's entry point: the same CVaR, status optimal with its certificate in the notes
    out = allocate(scn, method="min-cvar", sample=sample(ids, pnl), time_limit=300)
    assert out.status == "optimal"
    assert out.objective / prob.S == pytest.approx(best, rel=1e-6, abs=1e-9)
    assert "proven optimal on the full programme" in out.notes[0]


def test_a_round_cap_gives_an_honest_status_and_a_valid_bound():
    _, scn, pnl = case(60, 5000, 13, "t")
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    res = solve_nested(prob, pnl, k, prob.request / prob.request.sum(), time_limit=300, should_cancel=None,
                       t0=time.perf_counter(), max_rounds=1)
    best = plain_lp(prob, pnl, k)
    assert res.status == "round limit"              # not "optimal": the certificate was not reached
    assert res.bound <= best + 1e-9                 # still a lower bound on the plain programme
    assert res.objective >= best - 1e-9             # the CVaR of a feasible allocation
    assert res.objective - res.bound > 1e-9         # the gap it reports is open
