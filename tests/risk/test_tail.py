"""Importance sampling of the loss tail and the CVaR stop rule (workbench/risk/tail.py).

The estimators reduce to the engine's plain ones with unit weights; the proposal's likelihood
ratios are exact (weights average 1, weighted means match plain Monte Carlo); the reported
95 % bands cover the plain Monte Carlo answer at about 95 % over 200 seeds; the stop rule
stops at the target or at the cap and says how many trials it took.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.whatif.cases import scenario
from workbench.risk import measures as ms
from workbench.risk.engine import amounts_vector, simulate
from workbench.risk.model import build_model
from workbench.risk.paths import BLOCK, draw_block, simulate_block
from workbench.risk.tail import (
    Proposal,
    cvar_to_precision,
    fit_proposal,
    proposal_block,
    tail_estimate,
    weighted_tail,
)


def small(seed: int = 11):
    """Three projects (equity, loan, guarantee) in two correlated sectors, two events, 5 years."""
    scn = scenario(
        [{"Sector": "A", "Allocated (USD m)": 400.0, "Specific risk": 0.2},
         {"Sector": "B", "Instrument": "Loan", "Allocated (USD m)": 400.0, "Coupon or fee": 0.06,
          "Recovery rate": 0.4, "Specific risk": 0.3},
         {"Sector": "B", "Instrument": "Guarantee", "Allocated (USD m)": 200.0, "Coupon or fee": 0.01,
          "Recovery rate": 0.3, "Specific risk": 0.3}],
        sectors=[{"Sector": "A", "Expected return": 0.07, "Volatility": 0.25},
                 {"Sector": "B", "Expected return": 0.05, "Volatility": 0.2}],
        events=[{"Event": "Tariff", "Annual probability": 0.05, "Duration (years)": 2, "A": -0.25, "B": -0.1},
                {"Event": "Shock", "Annual probability": 0.02, "Duration (years)": 1, "A": 0.0, "B": -0.3}],
        **{"Random seed": seed})
    amounts = {"P1": 400.0, "P2": 400.0, "P3": 200.0}
    return scn, amounts


def test_unit_weights_give_the_engines_plain_estimators():
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(3)))
    pnl = rng.standard_normal(10_001) * 100 + 5
    var, cvar, se = weighted_tail(pnl, np.ones(len(pnl)), 0.95)
    assert var == ms.value_at_risk(pnl, 0.95)
    assert cvar == pytest.approx(ms.conditional_value_at_risk(pnl, 0.95), rel=1e-12)
    assert se == pytest.approx(ms.cvar_standard_error(np.sort(pnl), 0.95), rel=1e-12)


def test_weighted_estimator_on_a_known_reweighting():
    """Normal losses drawn from N(2, 1) and reweighted to N(0, 1): CVaR 95 % of N(0,1) is phi(1.645)/0.05."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(4)))
    z = rng.standard_normal(200_000) + 2.0
    w = np.exp(-2.0 * z + 2.0)
    var, cvar, se = weighted_tail(-z, w, 0.95)
    assert var == pytest.approx(1.6448536, abs=4 * se)
    assert cvar == pytest.approx(2.0627128, abs=4 * se)
    assert se < 0.01


def test_no_proposal_draws_the_engines_numbers():
    scn, _ = small()
    model = build_model(scn)
    d0 = draw_block(model, 5, 1, 2, 1000)
    d1, w = proposal_block(model, 5, 1, 2, 1000, Proposal.none(model))
    assert np.array_equal(d0.z_sec, d1.z_sec) and np.array_equal(d0.z_spec, d1.z_spec)
    np.testing.assert_allclose(d1.u, d0.u, rtol=0, atol=1e-15)
    assert np.all(w == 1.0)


def test_likelihood_ratios_are_exact():
    """Under the fitted proposal the weights average 1 and the weighted mean P&L is the plain mean."""
    scn, amounts = small()
    model = build_model(scn)
    x = amounts_vector(model, amounts)
    prop = fit_proposal(model, x, 11)
    assert np.any(prop.mu != 0) and np.any(prop.q > model.event_prob[None, :])   # it does tilt
    ws, pnls = [], []
    for b in range(12):
        draws, w = proposal_block(model, 11, 3, b, BLOCK, prop)
        ws.append(w)
        pnls.append(x @ simulate_block(model, 11, 3, b, BLOCK, draws=draws).unit)
    w, pnl = np.concatenate(ws), np.concatenate(pnls)
    assert abs(w.mean() - 1.0) <= 4 * w.std(ddof=1) / np.sqrt(len(w))
    est_is = np.mean(w * pnl)
    se_is = np.std(w * pnl, ddof=1) / np.sqrt(len(w))
    ref = simulate(scn, amounts, trials=100_000)
    assert abs(est_is - ref.expected_pnl) <= 4 * np.hypot(se_is, ref.mc_error.expected_pnl_se)


def test_importance_sampling_needs_fewer_trials_for_the_same_error():
    scn, amounts = small()
    plain = tail_estimate(scn, amounts, trials=4 * BLOCK, method="plain")
    tilted = tail_estimate(scn, amounts, trials=4 * BLOCK, method="importance")
    assert tilted.cvar_se < 0.7 * plain.cvar_se   # a variance at most half the plain one, same trials
    assert abs(tilted.cvar - plain.cvar) <= 4 * np.hypot(tilted.cvar_se, plain.cvar_se)


def _coverage(scn, amounts, *, reference_seed: int, first_seed: int) -> None:
    """Importance-sampled 95 % bands (8,192 trials, 200 seeds) against plain Monte Carlo on 1,024,000 trials."""
    reference = tail_estimate(scn, amounts, trials=250 * BLOCK, method="plain", seed=reference_seed)
    covered, widths = 0, []
    for seed in range(200):
        est = tail_estimate(scn, amounts, trials=2 * BLOCK, method="importance", seed=first_seed + seed)
        lo, hi = est.band()
        covered += lo <= reference.cvar <= hi
        widths.append(est.cvar_se)
    rate = covered / 200
    # 95 % nominal; 200 seeds give a binomial sd of 1.5 points, and the reference has its own small error
    assert 0.90 <= rate <= 0.99, f"coverage {rate:.3f}"
    assert reference.cvar_se < 0.5 * np.median(widths)


@pytest.mark.slow
def test_bands_cover_the_plain_monte_carlo_answer_over_200_seeds():
    scn, amounts = small()
    _coverage(scn, amounts, reference_seed=987_654, first_seed=10_000)


def test_stop_rule_reaches_the_target_and_says_how_many_trials():
    scn, amounts = small()
    est = cvar_to_precision(scn, amounts, precision=0.01, method="importance")
    assert est.reached and est.relative_se <= 0.01
    assert est.trials % BLOCK == 0 and est.pilot_trials == BLOCK
    assert f"{est.trials:,} trials" in est.describe() and "reached" in est.describe()
    # one block fewer would not have been enough (or it is the minimum of two blocks)
    assert est.trials >= 2 * BLOCK
    if est.trials > 2 * BLOCK:
        fewer = tail_estimate(scn, amounts, trials=est.trials - BLOCK, method="importance")
        assert fewer.relative_se > 0.01


def test_stop_rule_stops_at_the_cap_and_says_so():
    scn, amounts = small()
    est = cvar_to_precision(scn, amounts, precision=1e-5, max_trials=3 * BLOCK, method="plain")
    assert not est.reached and est.trials == 3 * BLOCK and est.pilot_trials == 0
    assert "not reached" in est.describe()


def test_bad_options_are_refused_with_a_sentence():
    scn, amounts = small()
    with pytest.raises(ValueError, match="must be above 0"):
        cvar_to_precision(scn, amounts, precision=0.0)
    with pytest.raises(ValueError, match="Unknown tail method"):
        tail_estimate(scn, amounts, trials=100, method="qmc")


@pytest.mark.slow
def test_bands_cover_on_the_default_scenario_over_200_seeds():
    """The same coverage on the scenario the benchmark measures (its allocation: requested amounts scaled to the
    programme)."""
    from workbench.default_scenario import default_scenario

    scn = default_scenario()
    p = scn.projects_effective()
    req = {str(i): float(r) for i, r, inc in zip(p["ID"], p["Requested (USD m)"], p["Include"]) if inc}
    amounts = {k: v * scn.size / sum(req.values()) for k, v in req.items()}
    _coverage(scn, amounts, reference_seed=4_242, first_seed=50_000)
