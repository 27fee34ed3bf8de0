"""The robust methods' status and gap mean what every other method's do: checked on the small cases of
test_statuses.py (six projects with minimum tickets) by enumerating every funded set. The stress
scenarios come from two risk events added to the case; their expected P&L per USD m are read with
``stress_means`` at the sample's trials and seed (what the allocator uses), and each funded set's
continuous problem is solved by scipy's linprog, the best values ``V_k`` included, so nothing of the
method's own solves is reused."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from tests.allocation.helpers import amounts
from tests.allocation.test_statuses import SECTORS, box, case, check, funded_sets, rows
from workbench.allocation import allocate
from workbench.allocation.problem import build_problem
from workbench.allocation.robust import stress_means
from workbench.scenario import make_table

EVENTS = [{"Event": "Trade shock", "Annual probability": 0.1, "Duration (years)": 1,
           "Alpha": -0.25, "Beta": -0.05, "Gamma": 0.0},
          {"Event": "Policy reversal", "Annual probability": 0.05, "Duration (years)": 2,
           "Alpha": 0.0, "Beta": -0.10, "Gamma": -0.30}]


def robust_case(seed: int):
    ids, scn, smp, _ = case(seed)
    projects = scn.projects.copy()   # returns above the discount rate, different per project: real trade-offs
    projects["Expected return"] = np.random.default_rng(np.random.SeedSequence(seed)).uniform(0.05, 0.12, len(ids))
    scn = scn.with_table("Projects", projects).with_table(
        "Risk events", make_table("Risk events", EVENTS, extra=list(SECTORS)))
    prob = build_problem(scn)
    sm = stress_means(scn, prob, trials=smp.trials, seed=smp.seed)
    assert sm.means.shape[0] == 4          # the baseline, each event, both together
    return ids, scn, smp, prob, sm.means


def _best_over_sets(prob, means: np.ndarray, *, regret_of: np.ndarray | None):
    """Over every funded set: min t with t >= V_k - m_k.x (``regret_of`` = V) or t <= m_k.x (max t)."""
    G, h = rows(prob)
    n, k = prob.n, means.shape[0]
    A = np.hstack([G, np.zeros((len(G), 1))])
    if regret_of is not None:       # V_k - m_k.x - t <= 0
        A = np.vstack([A, np.hstack([-means, -np.ones((k, 1))])])
        b = np.r_[h, -regret_of]
        cost = np.r_[np.zeros(n), 1.0]
    else:                           # t - m_k.x <= 0, maximise t
        A = np.vstack([A, np.hstack([-means, np.ones((k, 1))])])
        b = np.r_[h, np.zeros(k)]
        cost = np.r_[np.zeros(n), -1.0]
    best = np.inf
    for funded in funded_sets(n):
        lo, hi = box(prob, funded)
        r = linprog(cost, A_ub=A, b_ub=b, bounds=[*zip(lo, hi, strict=True), (None, None)], method="highs")
        if r.status == 0:
            best = min(best, r.fun)
    return best


def _best_values(prob, means):
    """V_k by enumeration: the largest expected P&L any feasible allocation gets in scenario k."""
    G, h = rows(prob)
    out = []
    for m in means:
        best = -np.inf
        for funded in funded_sets(prob.n):
            lo, hi = box(prob, funded)
            r = linprog(-m, A_ub=G, b_ub=h, bounds=list(zip(lo, hi, strict=True)), method="highs")
            if r.status == 0:
                best = max(best, -r.fun)
        out.append(best)
    return np.array(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_min_regret_status_against_enumeration(seed):
    ids, scn, smp, prob, means = robust_case(seed)
    V = _best_values(prob, means)
    res = allocate(scn, method="min-regret", sample=smp)
    x = amounts(res, ids)
    assert prob.violations(x) == []
    regret = float(np.max(V - means @ x))
    check(res, regret, _best_over_sets(prob, means, regret_of=V))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_worst_case_status_against_enumeration(seed):
    ids, scn, smp, prob, means = robust_case(seed)
    res = allocate(scn, method="worst-case", sample=smp)
    x = amounts(res, ids)
    assert prob.violations(x) == []
    check(res, -float(np.min(means @ x)), _best_over_sets(prob, means, regret_of=None))
