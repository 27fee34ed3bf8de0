"""The whole pipeline: validation, allocation, simulation, stress tests, tornado, impact."""

from __future__ import annotations

import pytest

from tests.risk.scenarios import scenario
from workbench.allocation import Infeasible
from workbench.default_scenario import default_scenario
from workbench.impact import economic_impact
from workbench.pipeline import ScenarioInvalid, run_scenario
from workbench.progress import Cancelled
from workbench.risk import simulate
from workbench.risk.report import summary_dict
from workbench.risk.sensitivity import tornado
from workbench.risk.stress import ALL_EVENTS, StressSpec, named_stresses, run_stresses
from workbench.scenario import make_table


@pytest.fixture(scope="module")
def default_run():
    seen = []
    run = run_scenario(default_scenario(), trials=2_000, progress=lambda f, m: seen.append(f))
    return run, seen


def test_default_run_fills_the_result(default_run):
    run, seen = default_run
    scn = default_scenario()
    assert run.method == "mean-variance" and run.trials == 2_000 and run.seed == 20261124
    assert run.scenario_hash == scn.with_fields(Trials=2_000).content_hash()
    assert set(run.allocation.amounts) == set(scn.projects["ID"])
    assert run.risk.amounts == {k: v for k, v in run.allocation.amounts.items()}
    assert [s.name for s in run.stress] == [*scn.risk_events["Event"], ALL_EVENTS]
    for s in run.stress:
        assert s.expected_pnl_change == pytest.approx(s.expected_pnl - run.risk.expected_pnl)
        assert s.expected_pnl_change <= 0    # all default events are adverse; common random numbers
    assert len(run.tornado) == 2 * 5 + 6 + 2
    assert run.impact.amount == pytest.approx(run.allocation.total)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_summary_has_the_documented_keys(default_run):
    from workbench.risk.report import SUMMARY_KEYS
    run, _ = default_run
    s = summary_dict(run)
    assert tuple(s) == SUMMARY_KEYS
    assert sum(s["contributions"].values()) == pytest.approx(s["cvar"], rel=1e-9)
    assert set(s["percentiles"]) == {"1", "5", "25", "50", "75", "95", "99"}
    assert set(s["mc_error"]) >= {"expected_pnl_se", "var_ci", "cvar_ci"}


def test_invalid_scenario_raises_with_issues():
    scn = default_scenario().with_fields(**{"Confidence level": 1.5})
    with pytest.raises(ScenarioInvalid) as info:
        run_scenario(scn, trials=1_000, stress=False, tornado=False)
    assert any(i.is_error and "Confidence" in i.text() for i in info.value.issues)


def test_infeasible_constraints_propagate():
    scn = default_scenario()
    extra = make_table("Constraints", [{"Group": "Sector", "Value": "Semiconductors", "Min share": 0.9}])
    import pandas as pd
    scn = scn.with_table("Constraints", pd.concat([scn.constraints, extra], ignore_index=True))
    with pytest.raises(Infeasible) as info:
        run_scenario(scn, trials=1_000, stress=False, tornado=False)
    assert info.value.conflicts


def test_cancel_in_pipeline():
    with pytest.raises(Cancelled):
        run_scenario(default_scenario(), trials=1_000, should_cancel=lambda: True)


def test_user_defined_stress_and_overrides():
    sectors = [{"Sector": "A", "Expected return": 0.05, "Volatility": 0.2}]
    events = [{"Event": "E", "Annual probability": 0.0, "Duration (years)": 1, "A": -0.2}]
    scn = scenario([{"Specific risk": 0.1}], sectors=sectors, events=events)
    base = simulate(scn, {"P1": 100.0}, trials=2_000)
    specs = [StressSpec("E in 2028", forced_events={"E": (2028,)}),
             StressSpec("lower return", overrides={("Sectors", "A", "Expected return"): 0.0})]
    res = run_stresses(scn, {"P1": 100.0}, base, specs)
    # common random numbers: forcing a -0.2 shock scales every trial's final value by exp(-0.2)
    shocked = simulate(scn, {"P1": 100.0}, trials=2_000, forced_events={"E": 2028})
    assert res[0].expected_pnl == shocked.expected_pnl
    assert res[0].expected_pnl == pytest.approx(
        (base.expected_pnl + 100) * __import__("math").exp(-0.2) - 100, rel=1e-9)
    assert res[1].expected_pnl < base.expected_pnl
    assert [s.name for s in named_stresses(scn)] == ["E"]


def test_tornado_moves_in_the_expected_direction():
    sectors = [{"Sector": "A", "Expected return": 0.05, "Volatility": 0.2}]
    events = [{"Event": "E", "Annual probability": 0.2, "Duration (years)": 1, "A": -0.2}]
    scn = scenario([{"Specific risk": 0.1}, {"Instrument": "Loan", "Coupon or fee": 0.05}],
                   sectors=sectors, events=events, **{"Discount rate": 0.05})
    bars = {b.input: b for b in tornado(scn, {"P1": 100.0, "P2": 100.0}, trials=4_000)}
    assert set(bars) == {"A: expected return", "A: volatility", "E: probability", "Discount rate",
                         "Recovery rates (every project)"}
    b = bars["A: expected return"]
    assert b.expected_pnl_low < b.base_expected_pnl < b.expected_pnl_high
    assert b.low_value == pytest.approx(0.04) and b.high_value == pytest.approx(0.06)
    e = bars["E: probability"]
    assert e.low_value == pytest.approx(0.1) and e.high_value == pytest.approx(0.3)
    assert e.expected_pnl_low > e.expected_pnl_high
    d = bars["Discount rate"]
    assert d.expected_pnl_low > d.expected_pnl_high
    rec = bars["Recovery rates (every project)"]
    assert rec.expected_pnl_low <= rec.expected_pnl_high


def test_impact_arithmetic():
    scn = default_scenario()
    amounts = {"DC-01": 1000.0, "SC-01": 500.0, "RE-01": 200.0}
    imp = economic_impact(scn, amounts)
    sectors = scn.sectors.set_index("Sector")
    jobs = 1000 * sectors.at["Data centers", "Jobs per USD m"] + 500 * sectors.at["Semiconductors", "Jobs per USD m"] \
        + 200 * sectors.at["Renewable energy", "Jobs per USD m"]
    va = 1000 * sectors.at["Data centers", "Value added per USD"] + 500 * sectors.at[
        "Semiconductors", "Value added per USD"] + 200 * sectors.at["Renewable energy", "Value added per USD"]
    assert imp.jobs == pytest.approx(jobs) and imp.value_added == pytest.approx(va)
    states = {r.name: r for r in imp.by_state}
    assert states["TX"].amount == 1000.0 and states["AZ"].amount == 500.0 and states["NJ"].amount == 200.0
    assert sum(r.jobs for r in imp.by_sector) == pytest.approx(jobs)
    assert len(imp.by_project) == len(scn.projects)


def test_stress_and_tornado_identical_with_worker_processes():
    sectors = [{"Sector": "A", "Expected return": 0.05, "Volatility": 0.2}]
    events = [{"Event": "E", "Annual probability": 0.2, "Duration (years)": 1, "A": -0.2}]
    scn = scenario([{"Specific risk": 0.1}], sectors=sectors, events=events)
    amounts = {"P1": 100.0}
    base = simulate(scn, amounts, trials=2_000)
    specs = [*named_stresses(scn), StressSpec("vol", overrides={("Sectors", "A", "Volatility"): 0.3})]
    one = run_stresses(scn, amounts, base, specs, workers=1)
    two = run_stresses(scn, amounts, base, specs, workers=2)
    assert one == two
    assert tornado(scn, amounts, trials=2_000, workers=1) == tornado(scn, amounts, trials=2_000, workers=2)


def test_pipeline_identical_with_workers(default_run):
    run, _ = default_run
    par = run_scenario(default_scenario(), trials=2_000, workers=2)
    assert summary_dict(par) == summary_dict(run)


def test_frontier_points_fill_the_frontier():
    run = run_scenario(default_scenario(), trials=1_000, stress=False, tornado=False, frontier_points=3,
                       method="max-return")
    assert run.frontier is not None and len(run.frontier.points) >= 2
    assert run.stress == () and run.tornado == ()
