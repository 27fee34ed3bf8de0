"""Same inputs, same objective as PyPortfolioOpt (a test dependency only).

Weights summing to one with bounds 0..1 are a programme of size S whose projects each
request S, with ``Total`` min and max share 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.allocation.helpers import sample, scenario
from workbench.allocation import allocate
from workbench.allocation.cvar import cvar_of


def _inputs(n=20, trials=2000, seed=3):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    f = rng.standard_normal((trials, 3))
    pnl = rng.uniform(0.02, 0.12, n) + f @ rng.normal(0, 0.15, (3, n)) + rng.normal(0, 0.1, (trials, n))
    ids = tuple(f"P{i:02d}" for i in range(n))
    projects = [{"ID": i, "Sector": ("Alpha", "Beta", "Gamma")[j % 3], "Requested (USD m)": 100.0}
                for j, i in enumerate(ids)]
    return ids, pnl, projects


def _budget(projects, **fields):
    return scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 1.0, "Max share": 1.0}], **fields)


def test_mean_variance_same_objective_as_max_quadratic_utility():
    from pypfopt import EfficientFrontier
    ids, pnl, projects = _inputs()
    smp = sample(ids, pnl)
    lam = 2.5
    res = allocate(_budget(projects, **{"Risk aversion": lam}), method="mean-variance", sample=smp)
    ef = EfficientFrontier(smp.mean, smp.cov, weight_bounds=(0, 1))
    w_ref = np.array(list(ef.max_quadratic_utility(risk_aversion=lam).values()))
    w = np.array([res.amounts[i] for i in ids]) / 100.0

    def u(v):
        return smp.mean @ v - lam / 2 * v @ smp.cov @ v

    assert u(w) == pytest.approx(u(w_ref), rel=1e-6)
    assert u(w) >= u(w_ref) - 1e-9
    assert res.objective == pytest.approx(100 * u(w), rel=1e-9)


def test_min_cvar_same_objective_as_efficient_cvar():
    from pypfopt import EfficientCVaR
    ids, pnl, projects = _inputs(n=15, trials=2000)
    smp = sample(ids, pnl)
    beta = 0.95   # 2000 * 0.05 = 100 tail trials: the two CVaR definitions coincide
    res = allocate(_budget(projects, **{"Confidence level": beta}), method="min-cvar", sample=smp)
    ec = EfficientCVaR(smp.mean, pnl, beta=beta, weight_bounds=(0, 1))
    w_ref = np.array(list(ec.min_cvar().values()))
    w = np.array([res.amounts[i] for i in ids]) / 100.0
    ours, theirs = cvar_of(pnl @ w, beta)[0], cvar_of(pnl @ w_ref, beta)[0]
    assert ours == pytest.approx(theirs, rel=1e-6)
    assert ours <= theirs + 1e-9
