"""Stress tests and the tornado computed from the moved projects only give exactly the lone simulations' figures.

:func:`workbench.risk.batch.summarize` simulates the unmoved scenario's funded projects once per block
and, for each variant, only the funded projects its inputs move. The figures must be the same, bit for
bit, as a whole :func:`~workbench.risk.engine.simulate` call with the same overrides and forced events,
on the default scenario and on one whose sectors, projects and copula are changed.
"""

from __future__ import annotations

import pytest

from workbench.pipeline import run_scenario
from workbench.risk.batch import SimulationJob, Summary, summarize
from workbench.risk.engine import simulate
from workbench.risk.model import build_model, moved_projects
from workbench.risk.paths import BLOCK
from workbench.risk.sensitivity import moves, tornado
from workbench.risk.stress import StressSpec, named_stresses, run_stresses

TRIALS = BLOCK + 123     # a whole block and a part block


def _default():
    from workbench.default_scenario import default_scenario

    return default_scenario().with_fields(Trials=TRIALS)


def _changed():
    """Sectors edited (a volatility, an expected return, a sector's event shock), a project moved to another
    sector, a recovery rate, the Student-t copula and another discount rate."""
    scn = _default()
    sectors = scn.sectors.copy()
    sectors.loc[sectors["Sector"] == "Semiconductors", "Volatility"] = 0.31
    sectors.loc[sectors["Sector"] == "Renewable energy", "Expected return"] = 0.035
    projects = scn.projects.copy()
    projects.loc[projects["ID"] == "BT-03", "Sector"] = "Data centers"
    projects.loc[projects["ID"] == "RE-01", "Recovery rate"] = 0.55
    events = scn.risk_events.copy()
    events.loc[1, "Data centers"] = -0.04
    return (scn.with_table("Sectors", sectors).with_table("Projects", projects).with_table("Risk events", events)
            .with_fields(Copula="student-t", **{"Discount rate": 0.045}))


SCENARIOS = {"default": _default, "changed sectors": _changed}


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def case(request):
    scn = SCENARIOS[request.param]()
    run = run_scenario(scn, stress=False, tornado=False)
    return scn, run.allocation.amounts, run.risk


def _lone(scn, amounts, job: SimulationJob) -> Summary:
    return Summary.of(simulate(scn, amounts, **job))


def test_stress_tests_equal_lone_simulations(case):
    scn, amounts, baseline = case
    user = StressSpec("Chips and rates", forced_events={"South China Sea escalation": (2028, 2031)},
                      overrides={("Sectors", "Semiconductors", "Volatility"): 0.4,
                                 ("Scenario", "", "Discount rate"): 0.07})
    specs = [*named_stresses(scn), user]
    got = run_stresses(scn, amounts, baseline, specs)
    assert len(got) == len(specs) == 8
    for spec, res in zip(specs, got):
        lone = _lone(scn, amounts, SimulationJob(trials=baseline.trials, seed=baseline.seed,
                                                 forced_events=spec.forced_events, overrides=spec.overrides))
        assert (res.expected_pnl, res.std, res.var, res.cvar, res.prob_loss) == (
            lone.expected_pnl, lone.std, lone.var, lone.cvar, lone.prob_loss), spec.name
        assert res.expected_pnl_change == lone.expected_pnl - baseline.expected_pnl
        assert res.cvar_change == lone.cvar - baseline.cvar


def test_tornado_equals_lone_simulations(case):
    scn, amounts, _baseline = case
    bars = {bar.input: bar for bar in tornado(scn, amounts)}
    todo = moves(scn)
    assert set(bars) == {mv.label for mv in todo}
    base = _lone(scn, amounts, SimulationJob(trials=TRIALS))
    for mv in todo:
        bar = bars[mv.label]
        low = _lone(scn, amounts, SimulationJob(trials=TRIALS, overrides=mv.low_overrides))
        high = _lone(scn, amounts, SimulationJob(trials=TRIALS, overrides=mv.high_overrides))
        assert (bar.base_expected_pnl, bar.base_cvar) == (base.expected_pnl, base.cvar)
        assert (bar.expected_pnl_low, bar.cvar_low, bar.expected_pnl_high, bar.cvar_high) == (
            low.expected_pnl, low.cvar, high.expected_pnl, high.cvar), mv.label
        assert bar.trials == TRIALS


def test_summaries_of_mixed_jobs_equal_lone_simulations(case):
    """Other seeds, trial counts and a change of layout (a project excluded) in one call."""
    scn, amounts, _baseline = case
    funded = sorted(pid for pid, v in amounts.items() if v > 0)
    jobs = [SimulationJob(trials=BLOCK + 7),
            SimulationJob(trials=TRIALS, seed=99, overrides={("Projects", funded[0], "Specific risk"): 0.3}),
            SimulationJob(trials=TRIALS, overrides={("Projects", "*", "Coupon or fee"): 0.02}),
            SimulationJob(trials=TRIALS, overrides={("Projects", funded[1], "Include"): False}),
            SimulationJob(trials=TRIALS, overrides={("Scenario", "", "Default threshold"): 0.5}),
            SimulationJob(trials=TRIALS, forced_events={"AI demand correction": 2030})]
    amounts_kept = {pid: (0.0 if pid == funded[1] else v) for pid, v in amounts.items()}
    got = summarize(scn, amounts_kept, jobs)
    assert got == [_lone(scn, amounts_kept, job) for job in jobs]


def test_moved_projects_are_those_whose_inputs_move():
    scn = _default()
    base = build_model(scn)

    def moved(overrides, forced=None):
        from workbench.risk.model import apply_overrides
        return {base.ids[i] for i in moved_projects(base, build_model(apply_overrides(scn, overrides)), forced)}

    semis = {pid for pid, s in zip(base.ids, base.project_sector) if base.sectors[s] == "Semiconductors"}
    assert moved({("Sectors", "Semiconductors", "Volatility"): 0.3}) == semis
    assert moved({("Projects", "BP-02", "Recovery rate"): 0.2}) == {"BP-02"}
    # an event that shocks no Biotech project leaves them unmoved
    event = "AI demand correction"
    hit = {base.sectors[s] for s in range(len(base.sectors))
           if base.event_shock[base.events.index(event), s] != 0.0}
    expected = {pid for pid, s in zip(base.ids, base.project_sector) if base.sectors[s] in hit}
    assert moved({("Risk events", event, "Annual probability"): 0.5}) == expected
    assert expected and "BP-01" not in expected
    assert moved_projects(base, build_model(scn.with_fields(**{"Discount rate": 0.06}))) is None


def test_patched_models_equal_built_models(case):
    """Every override of the stress tests and the tornado, set on the built model's arrays, gives the model
    build_model gives; an override it does not know (or a value that is not a number) is left to build_model."""
    import dataclasses

    import numpy as np

    from workbench.risk.model import apply_overrides, patched_model

    scn, _amounts, _baseline = case
    base = build_model(scn)
    overrides = [o for mv in moves(scn) for o in (mv.low_overrides, mv.high_overrides)]
    overrides += [s.overrides for s in named_stresses(scn) if s.overrides]
    overrides += [{("Sectors", "Semiconductors", "Expected return"): 0.02,
                   ("Projects", "SC-02", "Expected return"): 0.3, ("Projects", "*", "Specific risk"): 0.2,
                   ("Scenario", "", "Discount rate"): 0.07}]
    assert len(overrides) > 30
    for ov in overrides:
        patched = patched_model(base, scn, ov)
        built = build_model(apply_overrides(scn, ov))
        assert patched is not None, ov
        for f in dataclasses.fields(built):
            a, b = getattr(patched, f.name), getattr(built, f.name)
            assert (np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b), (ov, f.name)
    assert patched_model(base, scn, {("Scenario", "", "Trials"): 100}) is None
    assert patched_model(base, scn, {("Sectors", "Semiconductors", "Volatility"): "high"}) is None
    assert patched_model(base, scn, {("Sectors", "No such sector", "Volatility"): 0.2}) is None
