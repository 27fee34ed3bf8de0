"""Measures against their definitions, and Euler contributions summing to CVaR."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.default_scenario import default_scenario
from workbench.risk import measures as ms
from workbench.risk import simulate


def test_tail_count_guards_rounding():
    assert ms.tail_count(1000, 0.95) == 50
    assert ms.tail_count(1000, 0.999) == 1
    assert ms.tail_count(1001, 0.95) == 51
    assert ms.tail_count(10, 0.5) == 5
    assert ms.tail_count(3, 0.999) == 1


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=200), st.floats(0.5, 0.999))
def test_var_cvar_by_definition(values, c):
    pnl = np.array(values)
    k = ms.tail_count(len(pnl), c)
    srt = sorted(values)
    assert ms.value_at_risk(pnl, c) == -srt[k - 1]
    assert ms.conditional_value_at_risk(pnl, c) == pytest.approx(-sum(srt[:k]) / k, rel=1e-12, abs=1e-9)
    assert ms.conditional_value_at_risk(pnl, c) >= ms.value_at_risk(pnl, c) - 1e-9
    idx = ms.tail_order(pnl, k)
    assert sorted(pnl[idx].tolist()) == srt[:k]


def test_percentiles_inverted_cdf():
    pnl = np.arange(1.0, 101.0)   # 1..100
    p = ms.percentiles(pnl)
    assert p == {1: 1.0, 5: 5.0, 25: 25.0, 50: 50.0, 75: 75.0, 95: 95.0, 99: 99.0}


def test_euler_contributions_sum_to_cvar_on_default_scenario():
    scn = default_scenario()
    amounts = {pid: 0.4 * req for pid, req in zip(scn.projects["ID"], scn.projects["Requested (USD m)"])}
    r = simulate(scn, amounts, trials=20_000)
    for group in ("project", "sector", "instrument", "financier"):
        total = sum(r.contributions[group].values())
        assert total == pytest.approx(r.cvar, rel=1e-9), group
    assert set(r.contributions["instrument"]) == {"Equity", "Loan", "Guarantee"}
    assert r.tail_trials == ms.tail_count(20_000, 0.95)
    # the measures agree with their definitions on the same sample's quantile grid
    assert r.var == pytest.approx(-np.quantile(r.quantiles, 0.05, method="inverted_cdf"), rel=0.05)
    assert r.quantiles[0] <= r.percentiles[1] <= r.percentiles[99] <= r.quantiles[-1]
    assert r.histogram_counts.sum() == 20_000
    # event attribution splits the trials
    for e in r.events:
        if 0 < e.trials_with < r.trials:
            p = e.trials_with / r.trials
            mix = p * e.expected_pnl_with + (1 - p) * e.expected_pnl_without
            assert mix == pytest.approx(r.expected_pnl, rel=1e-9)
    # expected P&L by project sums to the portfolio's
    assert sum(r.expected_by_project.values()) == pytest.approx(r.expected_pnl, rel=1e-9)
    assert r.guarantees.face == pytest.approx(sum(
        amounts[p] for p, i in zip(scn.projects["ID"], scn.projects["Instrument"]) if i == "Guarantee"))


def test_monte_carlo_error_shrinks_with_trials():
    rng_pnl = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1))).standard_normal(40_000)
    small, big = np.sort(rng_pnl[:10_000]), np.sort(rng_pnl)
    w_small = np.diff(ms.var_confidence_interval(small, 0.95))[0]
    w_big = np.diff(ms.var_confidence_interval(big, 0.95))[0]
    assert w_big == pytest.approx(w_small / 2, rel=0.25)
    se = ms.cvar_standard_error(big, 0.95)
    # normal losses: CVaR = phi(z)/(1-c) at 95 %, and the band covers it
    exact = math.exp(-1.6448536269514722 ** 2 / 2) / math.sqrt(2 * math.pi) / 0.05
    assert abs(ms.conditional_value_at_risk(big, 0.95) - exact) < 4 * se


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=120), st.integers(1, 40), st.lists(st.integers(1, 30),
       min_size=1, max_size=10), st.randoms(use_true_random=False))
def test_streaming_tail_equals_direct_selection(values, k, cuts, rnd):
    """Merging candidates in any batches and any order keeps the k smallest by (P&L, trial index)."""
    from workbench.risk.engine import _Tail
    pnl = np.array(values, dtype=float)     # small integers: many ties
    n = len(pnl)
    k = min(k, n)
    rows = np.stack([pnl * 2, np.arange(n, dtype=float)], axis=1)
    order = np.lexsort((np.arange(n), pnl))[:k]
    expected = rows[order]
    bounds, at = [], 0
    for c in cuts:
        if at >= n:
            break
        bounds.append((at, min(n, at + c)))
        at += c
    if at < n:
        bounds.append((at, n))
    rnd.shuffle(bounds)
    tail = _Tail(k, 2)
    for lo, hi in bounds:
        tail.add(pnl[lo:hi], np.arange(lo, hi), rows[lo:hi])
    assert np.array_equal(tail.canonical_rows(), expected)
