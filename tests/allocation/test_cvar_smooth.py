"""min-CVaR started from the smoothed programme's optimum (``cvar_smooth``, ``cvar_dual.solve_guessed``)
against the plain Rockafellar-Uryasev linear programme over every scenario, solved directly by HiGHS."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.allocation.helpers import sample
from tests.allocation.test_cvar_nested import case, plain_lp
from workbench.allocation import allocate
from workbench.allocation.cvar import cvar_of, tail_count
from workbench.allocation.cvar_dual import SMOOTH_RATIO, SMOOTH_SIZE, solve_guessed
from workbench.allocation.cvar_smooth import guess, smoothed, tail_alpha
from workbench.allocation.problem import build_problem, with_target

N, TRIALS = 150, 3000                  # the plain programme solves in seconds; the smoothed start is asked for


def start(prob):
    return prob.request / prob.request.sum()


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "kind"), [(21, "gauss"), (22, "t")])
def test_smoothed_start_reaches_the_plain_programme_optimum(seed, kind):
    _, scn, pnl = case(N, TRIALS, seed, kind)
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    res = solve_guessed(prob, pnl, k, start(prob), time_limit=300, should_cancel=None, t0=time.perf_counter(),
                        smooth=True)
    best = plain_lp(prob, pnl, k)
    assert "smoothed CVaR" in res.start
    assert res.status == "optimal"
    assert res.gap <= 1e-9
    assert res.objective == pytest.approx(best, rel=1e-6, abs=1e-9)
    w = res.values[: prob.n]
    assert np.sort(-(pnl @ w))[-k:].mean() == pytest.approx(best, rel=1e-6, abs=1e-9)


def test_the_guess_meets_every_limit_and_is_near_the_optimum():
    _, scn, pnl = case(N, TRIALS, 23, "gauss")
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    w, trace = guess(prob, pnl, k, start(prob), lb=np.zeros(prob.n), ub=prob.request / prob.S, time_limit=300,
                     should_cancel=None, t0=time.perf_counter())
    assert trace.steps and not trace.stopped
    lo, hi = prob.bounds()
    rows = prob.matrix() @ (w * prob.S)
    tol = 1e-6 * prob.S
    assert np.all(rows >= lo - tol) and np.all(rows <= hi + tol)       # total, sector caps
    assert np.all(w >= -1e-9) and np.all(w <= prob.request / prob.S + 1e-9)
    best = plain_lp(prob, pnl, k)
    at_guess = float(cvar_of(pnl @ w, 0.95)[0])
    assert at_guess >= best - 1e-9                # feasible: no better than the optimum
    assert at_guess - best <= 1e-2 * abs(best)    # and close to it
    first = float(cvar_of(pnl @ start(prob), 0.95)[0])
    assert at_guess < first                        # and much better than where it started


def test_the_smoothed_cvar_is_within_mu_of_the_cvar():
    rng = np.random.default_rng(np.random.SeedSequence(5))
    pnl = rng.standard_normal((3000, 4))
    w = np.full(4, 0.25)
    k = tail_count(3000, 0.95)
    exact = float(cvar_of(pnl @ w, 0.95)[0])
    for mu in (0.3, 0.03, 0.003):
        f, loss, alpha = smoothed(pnl, w, k, mu)
        assert np.clip((loss - alpha) / mu, 0, 1).sum() == pytest.approx(k, rel=1e-9)
        assert exact - mu / 2 - 1e-12 <= f <= exact + 1e-12


def test_tail_alpha_puts_exactly_k_trials_of_weight_in_the_tail():
    rng = np.random.default_rng(np.random.SeedSequence(6))
    loss = rng.standard_t(3, 5000)
    for mu in (1.0, 0.1, 1e-4):
        a = tail_alpha(loss, 250, mu)
        assert np.clip((loss - a) / mu, 0, 1).sum() == pytest.approx(250, rel=1e-9)


def test_limits_that_cannot_all_hold_are_reported_infeasible():
    _, scn, pnl = case(N, TRIALS, 24, "gauss")
    scn.constraints.loc[scn.constraints["Group"] == "Sector", "Max share"] = 0.2   # 3 sectors x 20 % < 100 %
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    res = solve_guessed(prob, pnl, k, start(prob), time_limit=300, should_cancel=None, t0=time.perf_counter(),
                        smooth=True)
    assert res.status == "infeasible" and res.x is None


def test_the_size_of_the_sample_chooses_the_start_and_both_reach_the_same_optimum():
    big = (100, SMOOTH_SIZE // 100)                       # 2 million numbers, 200 trials a project
    assert big[1] >= SMOOTH_RATIO * big[0]
    ids, scn, pnl = case(*big, 25, "t")
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    # through the app's entry point: the smoothed start, optimal, and the notes say how it started
    out = allocate(scn, method="min-cvar", sample=sample(ids, pnl), time_limit=300)
    assert out.status == "optimal"
    assert "smoothed CVaR" in out.notes[0] and "proven optimal on the full programme" in out.notes[0]
    levels = solve_guessed(prob, pnl, k, start(prob), time_limit=300, should_cancel=None, t0=time.perf_counter(),
                           smooth=False)
    assert levels.start == "" and levels.warm_started and levels.status == "optimal"
    assert out.objective / prob.S == pytest.approx(levels.objective, rel=1e-9, abs=1e-12)
    # a tenth of the trials: sub-sample levels
    small = pnl[: len(pnl) // 10]
    res = solve_guessed(prob, small, tail_count(len(small), 0.95), start(prob), time_limit=300, should_cancel=None,
                        t0=time.perf_counter())
    assert res.start == "" and res.warm_started and res.status == "optimal"


@pytest.mark.slow
def test_a_binding_target_row_is_kept_by_the_smoothed_start():
    _, scn, pnl = case(N, TRIALS, 26, "gauss")
    prob = build_problem(scn)
    k = tail_count(len(pnl), 0.95)
    free = solve_guessed(prob, pnl, k, start(prob), time_limit=300, should_cancel=None, t0=time.perf_counter(),
                         smooth=True)
    mu = pnl.mean(axis=0)
    target = 1.1 * float(mu @ (free.values[: prob.n] * prob.S))            # more than min-CVaR's own: binds
    aimed = with_target(prob, mu, target)
    res = solve_guessed(aimed, pnl, k, start(aimed), time_limit=300, should_cancel=None, t0=time.perf_counter(),
                        smooth=True)
    assert "smoothed CVaR" in res.start and res.status == "optimal"
    assert res.objective == pytest.approx(plain_lp(aimed, pnl, k), rel=1e-6, abs=1e-9)
    assert res.objective > free.objective + 1e-6                             # the target costs CVaR
    assert float(mu @ (res.values[: prob.n] * prob.S)) >= target * (1 - 1e-7)
