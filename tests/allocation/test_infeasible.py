"""Infeasible limits: an irreducible conflicting set, named as the user wrote it, with the least change."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.allocation.helpers import exact_sample, sample, scenario
from workbench.allocation import Infeasible, allocate
from workbench.allocation.infeasibility import explain, find_conflict
from workbench.allocation.problem import build_problem, fmt_usd


def _smp(ids):
    return exact_sample(ids, [0.1] * len(ids), np.eye(len(ids)) * 0.01)


def _explained(scn, method="max-return", ids=None):
    ids = ids or tuple(scn.projects["ID"][scn.projects["Include"]])
    with pytest.raises(Infeasible) as info:
        allocate(scn, method=method, sample=_smp(ids))
    return info.value


def test_sector_minimum_against_two_capacities():
    projects = [{"ID": "A", "Sector": "Alpha", "Financier": "JBIC", "Instrument": "Equity", "Requested (USD m)": 80},
                {"ID": "B", "Sector": "Alpha", "Financier": "Banks", "Instrument": "Loan", "Requested (USD m)": 80},
                {"ID": "C", "Sector": "Beta", "Requested (USD m)": 100}]
    cons = [{"Group": "Total", "Value": "*", "Max share": 1.0},
            {"Group": "Sector", "Value": "Alpha", "Min share": 0.5}]
    fin = [{"Financier": "JBIC", "Instrument": "Equity", "Capacity (USD m)": 20},
           {"Financier": "Banks", "Instrument": "Any", "Capacity (USD m)": 20},
           {"Financier": "JBIC", "Instrument": "Loan", "Capacity (USD m)": 5}]  # limits nothing here
    exc = _explained(scenario(projects, cons, fin))
    got = {c.source: c for c in exc.conflicts}
    assert set(got) == {"Constraints row 2: Sector Alpha min share 0.50", "Financing: JBIC Equity capacity 20",
                        "Financing: Banks (any instrument) capacity 20"}
    assert got["Constraints row 2: Sector Alpha min share 0.50"].change == "lower it to 0.40 (by USD 10 m)"
    assert got["Financing: JBIC Equity capacity 20"].change == "raise it to 30 (by USD 10 m)"
    assert got["Financing: Banks (any instrument) capacity 20"].amount == pytest.approx(10, abs=1e-6)
    text = exc.explain()
    assert "Sector Alpha min share 0.50" in text and "lower it to 0.40" in text
    assert json.loads(json.dumps(exc.as_json()))[0].keys() == {"conflict", "source", "change", "amount"}


def test_minimum_ticket_against_a_project_cap():
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 80, "Minimum ticket (USD m)": 50},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 80}]
    cons = [{"Group": "Project", "Value": "*", "Max share": 0.3},
            {"Group": "Project", "Value": "A", "Min (USD m)": 10}]
    exc = _explained(scenario(projects, cons))
    got = {c.source: c.change for c in exc.conflicts}
    assert got == {
        "Constraints row 1: Project * max share 0.30 (A)": "raise it to 0.50 (by USD 20 m)",
        "Constraints row 2: Project A min USD 10 m": "lower it to 0 (by USD 10 m)",
        "Projects A: Minimum ticket 50": "lower it to 30 (by USD 20 m)",
    }


def test_without_tickets_the_ticket_conflict_disappears():
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 80, "Minimum ticket (USD m)": 50},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 80}]
    cons = [{"Group": "Project", "Value": "*", "Max share": 0.3},
            {"Group": "Project", "Value": "A", "Min (USD m)": 10}]
    prob = build_problem(scenario(projects, cons))
    assert explain(prob, tickets=True) is not None  # A must be funded, at 50 or more, under a cap of 30
    assert explain(prob, tickets=False) is None  # funded at any amount, A fits between 10 and 30


def test_total_minimum_above_all_requests():
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 50},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 30}]
    exc = _explained(scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 0.9}]))
    got = {c.source: c.change for c in exc.conflicts}
    assert got == {"Constraints row 1: Total min share 0.90": "lower it to 0.80 (by USD 10 m)",
                   "Projects A: Requested 50": "raise it to 60 (by USD 10 m)",
                   "Projects B: Requested 30": "raise it to 40 (by USD 10 m)"}


def test_conflict_is_irreducible():
    """Every member is needed: drop any one and the rest can hold."""
    from workbench.allocation.infeasibility import _feasible
    projects = [{"ID": f"P{i}", "Sector": ("Alpha", "Beta", "Gamma")[i % 3], "Requested (USD m)": 30,
                 "Financier": "F" if i < 3 else "G"} for i in range(6)]
    cons = [{"Group": "Sector", "Value": "*", "Min share": 0.3}, {"Group": "Total", "Value": "*", "Max share": 0.85}]
    fin = [{"Financier": "F", "Instrument": "Any", "Capacity (USD m)": 40}]
    prob = build_problem(scenario(projects, cons, fin))
    iis = find_conflict(prob)
    assert iis
    assert not _feasible(prob, set(iis), True, 10.0)
    for j in iis:
        assert _feasible(prob, set(iis) - {j}, True, 10.0)


def test_unreachable_target_is_named():
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 100}]
    scn = scenario(projects, **{"Target expected P&L (USD m)": 50.0})
    exc = _explained(scn, method="min-cvar")
    got = {c.source: c.change for c in exc.conflicts}
    assert "Scenario: Target expected P&L 50 (USD m)" in got
    assert got["Scenario: Target expected P&L 50 (USD m)"] == "lower it to 10 (by USD 40 m)"   # 0.1 * 100


def test_infeasible_survives_pickling():
    import pickle
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 50}]
    exc = _explained(scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 0.9}]))
    again = pickle.loads(pickle.dumps(exc))
    assert again.conflicts == exc.conflicts and again.explain() == exc.explain()


def test_a_large_family_is_one_item():
    """Twelve requests that together fall short of the total minimum: one item, the least total change."""
    projects = [{"ID": f"P{i:02d}", "Sector": ("Alpha", "Beta", "Gamma")[i % 3], "Requested (USD m)": 5}
                for i in range(12)]
    exc = _explained(scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 0.9}]))
    got = {c.source: c for c in exc.conflicts}
    assert set(got) == {"Constraints row 1: Total min share 0.90",
                        "Projects: Requested of 12 projects (P00, P01, P02, P03, P04 and 7 more)"}
    fam = got["Projects: Requested of 12 projects (P00, P01, P02, P03, P04 and 7 more)"]
    assert fam.amount == pytest.approx(90 - 60, abs=1e-6)
    assert fam.change == "raise them by USD 30 m in total"


def test_a_star_row_family_changes_its_one_value():
    """Project * max share 0.05 on twelve projects against a total minimum of 0.9: the one written
    value must rise to 0.9 / 12 = 0.075."""
    projects = [{"ID": f"P{i:02d}", "Sector": ("Alpha", "Beta", "Gamma")[i % 3], "Requested (USD m)": 50}
                for i in range(12)]
    cons = [{"Group": "Total", "Value": "*", "Min share": 0.9}, {"Group": "Project", "Value": "*", "Max share": 0.05}]
    exc = _explained(scenario(projects, cons))
    star = next(c for c in exc.conflicts if c.source.startswith("Constraints row 2: Project * max share 0.05"))
    assert "binding for 12 of its values" in star.source
    assert star.change == "raise it to 0.075 (by USD 2.5 m)"


def test_nothing_included():
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 50, "Include": False}]
    empty = sample((), np.zeros((50, 0)))
    res = allocate(scenario(projects), method="max-return", sample=empty)
    assert res.amounts == {"A": 0.0} and res.status == "optimal"
    with pytest.raises(Infeasible) as info:
        allocate(scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 0.5}]), method="max-return",
                 sample=empty)
    assert info.value.conflicts[0].source == "Constraints row 1: Total min share 0.50"
    assert "no included project" in info.value.conflicts[0].change


def _default_with_semis_min(share: float, *, drop_sector_cap: bool):
    """The default scenario, edited with commands as a user would: the Semiconductors minimum raised
    to ``share``, and (``drop_sector_cap``) the row ``Sector * max share 0.35`` deleted."""
    from workbench.commands import DeleteRows, SetCell
    from workbench.default_scenario import default_scenario
    scn = default_scenario()
    c = scn.constraints
    semis = int(np.flatnonzero((c["Group"] == "Sector") & (c["Value"] == "Semiconductors"))[0])
    star = int(np.flatnonzero((c["Group"] == "Sector") & (c["Value"] == "*"))[0])
    scn, _ = SetCell("Constraints", semis, "Min share", share).apply(scn)
    if drop_sector_cap:
        scn, _ = DeleteRows("Constraints", (star,)).apply(scn)
        semis -= semis > star
    c = scn.constraints
    cap = float(c.loc[(c["Group"] == "Project") & (c["Value"] == "*"), "Max share"].iloc[0]) * scn.size
    p = scn.projects_effective()
    semis_p = p[(p["Sector"] == "Semiconductors") & p["Include"]]
    # The most the sector can take: each project its request, at most the single-project cap.
    most = float(np.minimum(semis_p["Requested (USD m)"].to_numpy(), cap).sum())
    label = f"Constraints row {semis + 1}: Sector Semiconductors min share {share:.2f}"
    return scn, label, tuple(semis_p["ID"]), share * scn.size - most


def test_sector_minimum_names_only_that_sectors_requests():
    """Without ``Sector * max``, a Semiconductors minimum above what its projects request conflicts with
    those requests only (each capped, for SC-01, by ``Project * max share 0.10``): no other project's
    request can help, so none is named."""
    from workbench.allocation.infeasibility import _feasible
    scn, label, semis, deficit = _default_with_semis_min(0.45, drop_sector_cap=True)
    prob = build_problem(scn)
    iis = find_conflict(prob)
    named = {prob.limits[j].label: prob.limits[j] for j in iis}
    assert label in named
    covered = []
    for lim in named.values():
        if lim.label == label:
            continue
        # a request, or the single-project cap row, of a semiconductor project: nothing else
        assert lim.kind == "request" or (lim.kind == "constraint" and "Project * max share" in lim.label)
        assert len(lim.members) == 1
        covered.append(prob.ids[lim.members[0]])
    assert sorted(covered) == sorted(semis)   # each semiconductor project bounded once, by request or cap
    assert not _feasible(prob, set(iis), True, 10.0)
    for j in iis:
        assert _feasible(prob, set(iis) - {j}, True, 10.0)

    exc = _explained(scn, ids=tuple(scn.projects["ID"]))
    got = {c.source: c for c in exc.conflicts}
    assert set(got) == set(named)
    assert got[label].amount == pytest.approx(deficit, abs=1e-3)
    assert got[label].change == f"lower it to {math.floor((0.45 * scn.size - deficit) / scn.size * 1e4) / 1e4:.4f} " \
                                f"(by USD {fmt_usd(deficit)} m)"
    others = [c for s, c in got.items() if s != label]
    # no single request (or cap) alone can close the gap: each project can rise at most to the cap
    # (what else stands in the way, when it lies outside the conflict: that project's cap)
    assert all(not math.isfinite(c.amount) and ("alone cannot" in c.change or "also stand in the way" in c.change)
               for c in others)
    assert f"by USD {fmt_usd(deficit)} m in total would let every limit hold" in exc.explain()
    assert not any(i.startswith(("DC-", "BT-", "RE-", "BP-")) for i in exc.explain().split())


def test_sector_minimum_against_the_sector_cap_is_two_rows():
    """With ``Sector * max share 0.35`` kept, the conflict is the two rows. Raising the cap alone cannot
    help (the requests still fall short of the minimum); lowering the minimum to what they allow can."""
    scn, label, _, deficit = _default_with_semis_min(0.45, drop_sector_cap=False)
    exc = _explained(scn)
    got = {c.source: c for c in exc.conflicts}
    star = next(s for s in got if s != label)
    assert set(got) == {label, star} and "Sector * max share 0.35 (Semiconductors)" in star
    assert not math.isfinite(got[star].amount)
    # what stands in the way of the cap alone: the semiconductor requests, named
    assert "alone is not enough: these limits also stand in the way" in got[star].change
    assert "Projects SC-02: Requested 40,000" in got[star].change
    assert got[label].amount == pytest.approx(deficit, abs=1e-3)


def test_a_large_family_names_only_the_members_that_matter():
    """30 requests, of which the 10 Alpha ones fall short of the Alpha minimum: one item naming those 10.
    The total minimum makes many other requests tight while the limits are relaxed; they are not named."""
    projects = [{"ID": f"P{i:02d}", "Sector": ("Alpha", "Beta", "Gamma")[i % 3], "Requested (USD m)": 2 + i % 4}
                for i in range(30)]
    cons = [{"Group": "Total", "Value": "*", "Min share": 0.8, "Max share": 1.0},
            {"Group": "Sector", "Value": "Alpha", "Min share": 0.5}]
    exc = _explained(scenario(projects, cons))
    got = {c.source: c for c in exc.conflicts}
    alpha = [p for p in projects if p["Sector"] == "Alpha"]
    ids = [p["ID"] for p in alpha]
    fam = f"Projects: Requested of {len(ids)} projects ({', '.join(ids[:5])} and {len(ids) - 5} more)"
    assert set(got) == {"Constraints row 2: Sector Alpha min share 0.50", fam}
    short = 0.5 * 100 - sum(p["Requested (USD m)"] for p in alpha)      # S = USD 100 m
    assert got[fam].amount == pytest.approx(short, abs=1e-6)
    assert got[fam].change == f"raise them by USD {fmt_usd(short)} m in total"
    assert got["Constraints row 2: Sector Alpha min share 0.50"].amount == pytest.approx(short, abs=1e-6)
