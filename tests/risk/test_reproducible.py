"""Bit-identical results whatever the chunk size or worker count; independent streams."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.risk.scenarios import scenario
from workbench.default_scenario import default_scenario
from workbench.progress import Cancelled
from workbench.risk import fit_sample, simulate
from workbench.risk.paths import BLOCK


def small():
    sectors = [{"Sector": "A", "Expected return": 0.07, "Volatility": 0.25},
               {"Sector": "B", "Expected return": 0.04, "Volatility": 0.15}]
    events = [{"Event": "E1", "Annual probability": 0.2, "Duration (years)": 2, "A": -0.2, "B": -0.05},
              {"Event": "E2", "Annual probability": 0.1, "Duration (years)": 1, "B": -0.3}]
    projects = [{"Sector": "A"}, {"Sector": "B", "Instrument": "Loan", "Coupon or fee": 0.06},
                {"Sector": "B", "Instrument": "Guarantee", "Coupon or fee": 0.02, "Start year": 2027},
                {"Sector": "A", "Instrument": "Loan", "Coupon or fee": 0.05, "Financier": "F"}]
    return scenario(projects, sectors=sectors, events=events, corr={("A", "B"): 0.5})


AMOUNTS = {"P1": 100.0, "P2": 200.0, "P3": 150.0, "P4": 50.0}


def flatten(obj):
    """Every number of a result, as a list (arrays included), for exact comparison."""
    if dataclasses.is_dataclass(obj):
        out = []
        for f in dataclasses.fields(obj):
            if f.name != "seconds":
                out += flatten(getattr(obj, f.name))
        return out
    if isinstance(obj, dict):
        return [x for k in sorted(obj, key=str) for x in [str(k), *flatten(obj[k])]]
    if isinstance(obj, (list, tuple)):
        return [x for v in obj for x in flatten(v)]
    if isinstance(obj, np.ndarray):
        return obj.ravel().tolist()
    return [obj]


def same(a, b):
    fa, fb = flatten(a), flatten(b)
    assert len(fa) == len(fb)
    for x, y in zip(fa, fb):
        assert x == y or (isinstance(x, float) and np.isnan(x) and np.isnan(y)), (x, y)


def test_identical_across_chunk_sizes():
    scn = small()
    n = 2 * BLOCK + 123
    ref = simulate(scn, AMOUNTS, trials=n)
    for chunk in (1, BLOCK, 2 * BLOCK, 10 * BLOCK):
        same(ref, simulate(scn, AMOUNTS, trials=n, chunk_size=chunk))


def test_identical_across_worker_counts():
    scn = small()
    n = 3 * BLOCK + 5
    ref = simulate(scn, AMOUNTS, trials=n, chunk_size=BLOCK)
    par = simulate(scn, AMOUNTS, trials=n, chunk_size=BLOCK, workers=2, min_parallel_trials=0)
    same(ref, par)


def test_seed_changes_results_and_streams_are_independent():
    scn = small()
    a = simulate(scn, AMOUNTS, trials=BLOCK, seed=1)
    b = simulate(scn, AMOUNTS, trials=BLOCK, seed=2)
    assert a.expected_pnl != b.expected_pnl
    fit = fit_sample(scn, trials=BLOCK, seed=1)
    x = np.array([AMOUNTS[i] for i in fit.ids])
    fit_pnl = fit.pnl @ x
    assert fit_pnl.mean() != a.expected_pnl        # a different stream
    # the same seed gives the same fitting sample
    assert np.array_equal(fit.pnl, fit_sample(scn, trials=BLOCK, seed=1).pnl)


def test_fit_sample_is_linear_and_matches_reporting_model():
    scn = small()
    fit = fit_sample(scn, trials=20_000)
    assert fit.ids == ("P1", "P2", "P3", "P4")
    assert fit.pnl.shape == (20_000, 4)
    assert fit.mean.shape == (4,) and fit.cov.shape == (4, 4)
    assert np.allclose(fit.cov, np.cov(fit.pnl, rowvar=False))
    # same model, different streams: the portfolio means agree within Monte Carlo error
    x = np.array([AMOUNTS[i] for i in fit.ids])
    port = fit.pnl @ x
    rep = simulate(scn, AMOUNTS, trials=20_000)
    se = np.hypot(port.std() / np.sqrt(len(port)), rep.mc_error.expected_pnl_se)
    assert abs(port.mean() - rep.expected_pnl) < 4 * se


def test_fit_sample_size_follows_scenario_trials():
    scn = default_scenario()
    assert fit_sample(scn.with_fields(Trials=5_000)).trials == 5_000
    fit = fit_sample(scn.with_fields(Trials=1_000_000), trials=None)
    assert fit.trials == 20_000
    included = tuple(i for i, inc in zip(scn.projects["ID"], scn.projects["Include"]) if inc)
    assert fit.ids == included


def test_excluded_projects_are_left_out():
    scn = small()
    p = scn.projects.copy()
    p.loc[1, "Include"] = False
    scn = scn.with_table("Projects", p)
    assert fit_sample(scn, trials=100).ids == ("P1", "P3", "P4")
    with pytest.raises(ValueError, match="P2"):
        simulate(scn, AMOUNTS, trials=1000)
    r = simulate(scn, {**AMOUNTS, "P2": 0.0}, trials=1000)
    assert "P2" not in r.amounts


def test_cancel_stops_and_progress_reports():
    scn = small()
    seen = []

    def progress(f, m):
        seen.append(f)

    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(Cancelled):
        simulate(scn, AMOUNTS, trials=10 * BLOCK, chunk_size=BLOCK, should_cancel=cancel)
    simulate(scn, AMOUNTS, trials=3 * BLOCK, chunk_size=BLOCK, progress=progress)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 4


def test_variants_sharing_draws_equal_lone_simulations():
    from workbench.risk.batch import simulate_variants
    scn = small()
    jobs = [{"trials": 2 * BLOCK + 50},
            {"trials": 2 * BLOCK + 50, "forced_events": {"E1": (2026,)}},
            {"trials": 2 * BLOCK + 50, "overrides": {("Sectors", "A", "Volatility"): 0.3}},
            {"trials": BLOCK + 7, "overrides": {("Scenario", "", "Discount rate"): 0.02}},
            {"trials": 3 * BLOCK, "seed": 99}]
    shared = simulate_variants(scn, AMOUNTS, jobs)
    for job, got in zip(jobs, shared):
        same(simulate(scn, AMOUNTS, **job), got)
