"""Compare: the input diff of workbench.diff, result deltas, and the waterfall on common random numbers."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from workbench import default_scenario
from workbench.commands import DeleteRows, SetCell, SetField
from workbench.diff import diff_scenarios
from workbench.pipeline import run_scenario
from workbench.progress import Cancelled
from workbench.risk.report import summary_dict
from workbench.snapshots import Library
from workbench.snapshots.compare import change_groups, compare_scenarios, result_deltas, waterfall
from workbench.snapshots.report import comparison_text

TRIALS, SEED = 2000, 99


def base_scenario():
    """The default scenario with a fast, deterministic allocation (the waterfall re-runs it several times)."""
    return SetField("Allocation method", "proportional").apply(default_scenario())[0]


def figures(scn):
    s = summary_dict(run_scenario(scn, trials=TRIALS, seed=SEED, stress=False, tornado=False))
    return s["expected_pnl"], s["cvar"]


@pytest.fixture(scope="module")
def pair():
    old = base_scenario()
    new = SetField("Discount rate", 0.07).apply(old)[0]
    new = SetCell("Sectors", 1, "Volatility", 0.40).apply(new)[0]
    new = SetCell("Projects", 2, "Requested (USD m)", 30000.0).apply(new)[0]
    return old, new


def test_groups_applied_in_turn_rebuild_the_new_scenario(pair):
    old, new = pair
    for max_groups in (12, 1):
        scn = old
        labels = []
        for label, _, apply in change_groups(old, new, max_groups=max_groups):
            scn = apply(scn)
            labels.append(label)
        assert scn.content_hash() == new.content_hash()
    assert labels == ["Scenario: Discount rate", "Sectors", "Projects"]  # by table when rows would be too many


def test_waterfall_steps_are_reruns_on_the_same_random_numbers(pair):
    old, new = pair
    w = waterfall(old, new, trials=TRIALS, seed=SEED)
    assert [s.label for s in w.steps] == ["Scenario: Discount rate", "Sectors: Semiconductors (changed)",
                                          "Projects: DC-03 (changed)"]
    assert (w.base["expected_pnl"], w.base["cvar"]) == figures(old)
    assert (w.final["expected_pnl"], w.final["cvar"]) == figures(new)
    first = SetField("Discount rate", 0.07).apply(old)[0]
    e1, c1 = figures(first)
    assert w.steps[0].deltas["expected_pnl"] == pytest.approx(e1 - w.base["expected_pnl"], abs=1e-6)
    assert w.steps[0].deltas["cvar"] == pytest.approx(c1 - w.base["cvar"], abs=1e-6)
    for key in ("expected_pnl", "cvar"):
        assert sum(s.deltas[key] for s in w.steps) == pytest.approx(w.total(key), abs=1e-6)


def test_a_seed_change_alone_moves_nothing(pair):
    old, _ = pair
    reseeded = SetField("Random seed", 12345).apply(old)[0]
    w = waterfall(old, reseeded, trials=TRIALS, seed=SEED)
    assert [s.label for s in w.steps] == ["Scenario: Random seed (held fixed here)"]
    assert w.steps[0].deltas == {"expected_pnl": 0.0, "cvar": 0.0}


def test_a_group_that_cannot_run_alone_is_merged_with_the_next(pair):
    old, _ = pair
    sector = old.sectors.loc[4, "Sector"]
    rows = tuple(i for i, s in enumerate(old.projects["Sector"]) if s == sector)
    new = DeleteRows("Projects", rows).apply(old)[0]
    new = DeleteRows("Sectors", (4,)).apply(new)[0]
    cons = tuple(i for i, v in enumerate(new.constraints["Value"]) if v == sector)
    if cons:
        new = DeleteRows("Constraints", cons).apply(new)[0]
    keep = [x for x in old.correlations.index if x != sector]
    new = replace(new, correlations=old.correlations.loc[keep, keep].copy(),
                  risk_events=old.risk_events.drop(columns=[sector]))
    w = waterfall(old, new, trials=TRIALS, seed=SEED, max_groups=40)
    assert (w.final["expected_pnl"], w.final["cvar"]) == figures(new)
    merged = [s for s in w.steps if f"Sectors: {sector} (removed)" in s.label]
    assert len(merged) == 1 and " + " in merged[0].label  # it could not run before its projects left
    assert sum(s.deltas["expected_pnl"] for s in w.steps) == pytest.approx(w.total("expected_pnl"), abs=1e-6)


def test_progress_and_cancel(pair):
    old, new = pair
    seen = []
    waterfall(old, new, trials=TRIALS, seed=SEED, progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and all(b >= a - 1e-12 for a, b in itertools.pairwise(seen))
    calls = []

    def cancel_after_first_run() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        waterfall(old, new, trials=TRIALS, seed=SEED, should_cancel=cancel_after_first_run)


def test_compare_snapshots_uses_the_merge_diff_and_stored_results(tmp_path, pair):
    old, new = pair
    ra = run_scenario(old, trials=TRIALS, seed=SEED, stress=False, tornado=False)
    rb = run_scenario(new, trials=TRIALS, seed=SEED, stress=False, tornado=False)
    with Library(tmp_path / "lib.sqlite") as lib:
        a = lib.save(old, note="a", results=ra)
        b = lib.save(new, note="b", results=rb, full_results=True)
        cmp = lib.compare(a, b)
        assert lib.full_results(b)["allocation"]["amounts"] == pytest.approx(rb.allocation.amounts)
    assert cmp.diff.as_json() == diff_scenarios(old, new).as_json()
    deltas = {d.key: d for d in cmp.deltas}
    assert deltas["cvar"].delta == pytest.approx(summary_dict(rb)["cvar"] - summary_dict(ra)["cvar"])
    assert deltas["expected_pnl"].old == pytest.approx(summary_dict(ra)["expected_pnl"])
    assert cmp.waterfall is None and not cmp.identical
    data = cmp.to_json()
    assert data["results"]["cvar"]["delta"] == pytest.approx(deltas["cvar"].delta)
    assert len(data["diff"]["changes"]) == 3
    text = comparison_text(cmp)
    assert "Discount rate: 0.05 -> 0.07" in text and "CVaR" in text


def test_identical_scenarios_compare_as_identical(pair):
    old, _ = pair
    cmp = compare_scenarios(old, base_scenario(), with_waterfall=True)
    assert cmp.identical and cmp.diff.is_empty and cmp.waterfall is None
    assert "identical" in comparison_text(cmp)


def test_result_deltas_skip_missing_and_non_numeric():
    d = {x.key: x for x in result_deltas({"cvar": 1.0, "method": "x", "var": None}, {"cvar": 3.0, "var": 2.0})}
    assert d["cvar"].delta == 2.0 and d["var"].old is None and d["var"].delta is None and "method" not in d
