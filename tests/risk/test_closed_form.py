"""The spec's checkable case and other closed forms, within 4 Monte Carlo standard errors."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from tests.risk.scenarios import scenario
from workbench.risk import simulate

A, MU, SIG, SPEC, H, C = 1000.0, 0.06, 0.20, 0.10, 5, 0.95


def lognormal_case():
    """One equity project from the start year, no events, no discounting."""
    s2 = SIG ** 2 + SPEC ** 2
    m, sd = H * (math.log1p(MU) - s2 / 2), math.sqrt(H * s2)
    return m, sd


def test_checkable_case_mean_var_cvar():
    n = 200_000
    scn = scenario([{"Specific risk": SPEC, "Expected return": MU}],
                   sectors=[{"Sector": "A", "Expected return": 0.02, "Volatility": SIG}],
                   **{"Horizon (years)": H, "Discount rate": 0.0, "Confidence level": C})
    r = simulate(scn, {"P1": A}, trials=n, seed=11)
    m, sd = lognormal_case()
    mean = A * ((1 + MU) ** H - 1)
    std = A * math.sqrt(math.exp(2 * m + sd * sd) * (math.exp(sd * sd) - 1))
    z = stats.norm.ppf(1 - C)
    q = A * (math.exp(m + sd * z) - 1)                      # (1-c) quantile of P&L
    var = -q
    cvar = A - A * math.exp(m + sd * sd / 2) * stats.norm.cdf(z - sd) / (1 - C)
    # standard errors: of the mean, of the quantile (density of P&L at q), of CVaR (the engine's estimate)
    se_mean = std / math.sqrt(n)
    dens = stats.norm.pdf((math.log1p(q / A) - m) / sd) / (sd * (A + q))
    se_var = math.sqrt((1 - C) * C / n) / dens
    assert abs(r.expected_pnl - mean) < 4 * se_mean
    assert abs(r.std - std) < 0.02 * std
    assert abs(r.var - var) < 4 * se_var
    assert abs(r.cvar - cvar) < 4 * r.mc_error.cvar_se
    assert r.mc_error.expected_pnl_se == pytest.approx(se_mean, rel=0.05)
    lo, hi = r.mc_error.var_ci
    assert lo <= r.var <= hi and (hi - lo) / 2 == pytest.approx(1.96 * se_var, rel=0.15)
    assert r.mc_error.cvar_ci[0] < r.cvar < r.mc_error.cvar_ci[1]
    for p, v in r.percentiles.items():
        exact = A * (math.exp(m + sd * stats.norm.ppf(p / 100)) - 1)
        assert abs(v - exact) < 0.03 * A, p


@pytest.mark.parametrize("copula", ["gaussian", "student-t"])
def test_copula_keeps_each_sector_expected_growth(copula):
    n = 40_000
    sectors = [{"Sector": "A", "Expected return": 0.08, "Volatility": 0.25},
               {"Sector": "B", "Expected return": 0.03, "Volatility": 0.15}]
    scn = scenario([{"Sector": "A", "Specific risk": 0.0}, {"Sector": "B", "Specific risk": 0.0}],
                   sectors=sectors, corr={("A", "B"): 0.6}, Copula=copula, **{"Degrees of freedom": 4.0})
    r = simulate(scn, {"P1": 100.0, "P2": 100.0}, trials=n, seed=3)
    exact = 100 * (1.08 ** 5 - 1) + 100 * (1.03 ** 5 - 1)
    assert abs(r.expected_pnl - exact) < 4 * r.mc_error.expected_pnl_se


def test_student_t_copula_fattens_the_joint_tail():
    sectors = [{"Sector": "A", "Expected return": 0.05, "Volatility": 0.3},
               {"Sector": "B", "Expected return": 0.05, "Volatility": 0.3}]
    kw = {"sectors": sectors, "corr": {("A", "B"): 0.3}, "Horizon (years)": 1}
    projects = [{"Sector": "A", "Specific risk": 0.0}, {"Sector": "B", "Specific risk": 0.0}]
    g = simulate(scenario(projects, **kw), {"P1": 1.0, "P2": 1.0}, trials=60_000, seed=5)
    t = simulate(scenario(projects, Copula="student-t", **{"Degrees of freedom": 3.0}, **kw),
                 {"P1": 1.0, "P2": 1.0}, trials=60_000, seed=5)
    # same margins, stronger tail dependence: the diversified portfolio's CVaR rises
    assert t.cvar > g.cvar + 3 * math.hypot(g.mc_error.cvar_se, t.mc_error.cvar_se)


def test_event_process_frequency_and_duration():
    """An event (p, duration d): P(it starts in H years) and E[exp(shock x active years)], by a Markov chain."""
    p, dur, horizon, shock = 0.3, 2, 5, -0.1
    events = [{"Event": "E", "Annual probability": p, "Duration (years)": dur, "A": shock}]
    scn = scenario([{"Specific risk": 0.0, "Expected return": 0.0}], events=events,
                   sectors=[{"Sector": "A", "Expected return": 0.0, "Volatility": 0.0}],
                   **{"Horizon (years)": horizon})
    r = simulate(scn, {"P1": 1.0}, trials=20_000, seed=9)
    exact = 1 - (1 - p) ** horizon
    se = math.sqrt(exact * (1 - exact) / r.trials)
    assert abs(r.events[0].probability - exact) < 4 * se
    # chain over (years left of the current occurrence, active years so far)
    dist = {(0, 0): 1.0}
    for _ in range(horizon):
        new: dict = {}
        for (left, k), w in dist.items():
            if left == 0:
                outcomes = [((dur - 1, k + 1), w * p), ((0, k), w * (1 - p))]
            else:
                outcomes = [((left - 1, k + 1), w)]
            for key, v in outcomes:
                new[key] = new.get(key, 0.0) + v
        dist = new
    mean = sum(w * (math.exp(shock * k) - 1) for (_, k), w in dist.items())
    assert abs(r.expected_pnl - mean) < 4 * r.mc_error.expected_pnl_se
