"""min-regret and worst-case: a textbook regret table solved by hand, and enumeration on small cases."""

import itertools

import numpy as np
import pytest

from tests.whatif.cases import scenario
from workbench.allocation import allocate
from workbench.allocation.problem import build_problem
from workbench.allocation.robust import StressMeans, min_regret, regret_table, stress_means, worst_case
from workbench.figures import npv_label
from workbench.risk.engine import fit_sample

# Payoff per USD (expected P&L) of three projects in three states: the classic decision table.
#            s1     s2     s3
PAYOFF = np.array([[0.10, 0.02, 0.05],    # P1
                   [0.06, 0.06, 0.06],    # P2
                   [0.12, -0.04, 0.03]])  # P3
# Best per state: 0.12 (P3), 0.06 (P2), 0.06 (P2). Regrets: P1 (0.02, 0.04, 0.01) -> 0.04;
# P2 (0.06, 0, 0) -> 0.06; P3 (0, 0.10, 0.03) -> 0.10. Minimax regret: P1. Maximin (worst case): P2 (0.06).


def _pure_choice():
    """One project only: each may take the whole USD 1 bn with a ticket of all of it."""
    rows = [{"Sector": "A", "Requested (USD m)": 1000.0, "Minimum ticket (USD m)": 1000.0} for _ in range(3)]
    scn = scenario(rows, sectors=[{"Sector": "A", "Expected return": 0.05, "Volatility": 0.1}],
                   constraints=[{"Group": "Total", "Value": "*", "Min share": 1.0}])
    return build_problem(scn)


def test_textbook_minimax_regret_by_hand():
    prob = _pure_choice()
    sm = StressMeans(("s1", "s2", "s3"), PAYOFF.T.copy())
    out = min_regret(prob, sm, time_limit=30, mip_rel_gap=1e-9)
    assert out.x == pytest.approx([1000.0, 0.0, 0.0])
    assert out.objective == pytest.approx(0.04 * 1000)
    wc = worst_case(prob, sm, time_limit=30, mip_rel_gap=1e-9)
    assert wc.x == pytest.approx([0.0, 1000.0, 0.0])
    assert wc.objective == pytest.approx(0.06 * 1000)


def test_regret_table_shows_each_allocation_in_every_state():
    prob = _pure_choice()
    sm = StressMeans(("s1", "s2", "s3"), PAYOFF.T.copy())
    eye = np.eye(3) * 1000
    table = regret_table(prob, sm, {f"P{i + 1}": eye[i] for i in range(3)})
    assert table.best == pytest.approx([120, 60, 60])
    assert table.max_regret == pytest.approx([40, 60, 100])
    assert table.worst == pytest.approx([20, 60, -40])


def _continuous():
    rows = [{"Sector": "A", "Requested (USD m)": 1000.0} for _ in range(3)]
    scn = scenario(rows, sectors=[{"Sector": "A", "Expected return": 0.05, "Volatility": 0.1}],
                   constraints=[{"Group": "Total", "Value": "*", "Min share": 1.0},
                                {"Group": "Project", "Value": "*", "Max share": 0.7}])
    return build_problem(scn)


@pytest.mark.parametrize("seed", range(4))
def test_against_enumeration_on_a_grid(seed):
    # shares on a 1 % grid of the feasible set (sum 1, each at most 0.7): the LP is at least as good as
    # every grid point and within the grid's resolution of the best one
    rng = np.random.default_rng(seed)
    means = rng.normal(0.05, 0.05, (4, 3))
    prob = _continuous()
    sm = StressMeans(tuple(f"k{i}" for i in range(4)), means)
    grid = [np.array([a, b, 100 - a - b]) * 10.0 for a, b in itertools.product(range(101), repeat=2)
            if a + b <= 100 and max(a, b, 100 - a - b) <= 70]
    best = np.array([max(float(means[k] @ x) for x in grid) for k in range(4)])
    regret = [float(np.max(best - means @ x)) for x in grid]
    worst = [float(np.min(means @ x)) for x in grid]
    mr = min_regret(prob, sm, time_limit=30, mip_rel_gap=1e-9)
    wc = worst_case(prob, sm, time_limit=30, mip_rel_gap=1e-9)
    res = 10.0 * np.abs(means).max() * 2    # what one grid step can change
    assert mr.objective <= min(regret) + 1e-6 and mr.objective >= min(regret) - res
    assert wc.objective >= max(worst) - 1e-6 and wc.objective <= max(worst) + res
    assert sum(mr.x) == pytest.approx(1000.0) and max(mr.x) <= 700.0 + 1e-6


def test_robust_methods_run_on_a_scenario_with_events_and_tickets():
    rows = [{"Sector": "A", "Minimum ticket (USD m)": 200.0}, {"Sector": "B", "Minimum ticket (USD m)": 200.0}]
    scn = scenario(rows, sectors=[{"Sector": "A", "Expected return": 0.09, "Volatility": 0.15},
                                  {"Sector": "B", "Expected return": 0.05, "Volatility": 0.05}],
                   constraints=[{"Group": "Total", "Value": "*", "Min share": 1.0},
                                {"Group": "Project", "Value": "*", "Max share": 0.8}],
                   events=[{"Event": "Shock to A", "Annual probability": 0.05, "Duration (years)": 3, "A": -0.3}])
    sample = fit_sample(scn)
    prob = build_problem(scn)
    sm = stress_means(scn, prob, trials=sample.trials, seed=sample.seed)
    assert sm.names == ("Baseline", "Shock to A")
    assert sm.means[1, 0] < sm.means[0, 0] and sm.means[1, 1] == pytest.approx(sm.means[0, 1])
    wc = allocate(scn, method="worst-case", sample=sample)
    mr = allocate(scn, method="min-regret", sample=sample)
    mx = allocate(scn, method="max-return", sample=sample)
    assert sum(wc.amounts.values()) == pytest.approx(1000.0)
    # worst case shifts money toward B relative to max-return; min-regret lies between them
    assert wc.amounts["P2"] >= mr.amounts["P2"] - 1e-6 >= mx.amounts["P2"] - 2e-6
    assert any("By stress scenario" in n for n in wc.notes)
    # the notes name the measure with the scenario's own discount rate, in the results vocabulary's words
    npv = npv_label(float(scn.field("Discount rate")))
    assert sm.npv == npv
    assert any(f"Baseline: expected {npv} USD" in n for n in wc.notes)
    assert not any("P&L" in n for n in (*wc.notes, *mr.notes))
