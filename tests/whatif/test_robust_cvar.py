"""The CVaR flavour of the robust methods: the textbook regret table (one trial per state, confidence 0,
so CVaR is the loss) and enumeration of a grid of allocations on random samples."""

import itertools

import numpy as np
import pytest

from tests.whatif.test_robust import PAYOFF, _continuous, _pure_choice
from workbench.allocation.robust import best_cvars, min_regret_cvar, stress_cvar, worst_case_cvar


def test_textbook_table_with_cvar_as_the_loss():
    prob = _pure_choice()
    units = PAYOFF.T[:, None, :].copy()          # (3 states, 1 trial, 3 projects)
    mr = min_regret_cvar(prob, units, 0.0, time_limit=30, mip_rel_gap=1e-9)
    assert mr.x == pytest.approx([1000.0, 0.0, 0.0])
    assert mr.objective == pytest.approx(0.04 * 1000)
    wc = worst_case_cvar(prob, units, 0.0, time_limit=30, mip_rel_gap=1e-9)
    assert wc.x == pytest.approx([0.0, 1000.0, 0.0])
    assert wc.objective == pytest.approx(-0.06 * 1000)   # the worst loss is a gain of 60


def _grid(step=0.05, cap=0.7):
    for a, b in itertools.product(np.arange(0, cap + 1e-9, step), repeat=2):
        c = 1.0 - a - b
        if -1e-9 <= c <= cap + 1e-9:
            yield np.array([a, b, max(c, 0.0)]) * 1000.0


@pytest.mark.parametrize("seed", range(3))
def test_against_enumeration(seed):
    prob = _continuous()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    units = rng.standard_normal((3, 200, 3)) * np.array([0.1, 0.2, 0.3]) + rng.normal(0.03, 0.05, (3, 1, 3))
    conf = 0.9
    wc = worst_case_cvar(prob, units, conf, time_limit=30, mip_rel_gap=1e-9)
    assert wc.x.sum() == pytest.approx(1000.0) and wc.x.max() <= 700.0 + 1e-6
    assert wc.objective == pytest.approx(stress_cvar(units, wc.x, conf).max())
    grid = [stress_cvar(units, x, conf).max() for x in _grid()]
    assert wc.objective <= min(grid) + 1e-6              # no grid allocation does better
    assert wc.objective >= min(grid) - 0.05 * abs(min(grid)) - 1.0   # and the grid comes close
    best = best_cvars(prob, units, conf, time_limit=30, mip_rel_gap=1e-9)
    for k in range(3):
        assert best[k] <= min(stress_cvar(units[k:k + 1], x, conf)[0] for x in _grid()) + 1e-6
    mr = min_regret_cvar(prob, units, conf, time_limit=30, mip_rel_gap=1e-9, best=best)
    regrets = [float(np.max(stress_cvar(units, x, conf) - best)) for x in _grid()]
    assert mr.objective == pytest.approx(float(np.max(stress_cvar(units, mr.x, conf) - best)))
    assert mr.objective <= min(regrets) + 1e-6 and mr.objective >= -1e-6
