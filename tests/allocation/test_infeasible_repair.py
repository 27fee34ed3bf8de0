"""Several independent conflicts: every one named, the smallest first, and one combined repair of
the user's own cells that is proven (re-solved) before it is shown and, applied, runs clean."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

from tests.allocation.helpers import exact_sample, scenario
from workbench.allocation import Infeasible, allocate
from workbench.allocation.infeasibility import _feasible, conflicts
from workbench.allocation.problem import build_problem
from workbench.cli import main


def _two_conflicts():
    """Alpha's minimum (50) against the two financiers' capacities (20 + 20), and Gamma's minimum
    (USD 40 m) against its one project's request (30): no limit is in both."""
    projects = [{"ID": "A", "Sector": "Alpha", "Financier": "JBIC", "Instrument": "Equity", "Requested (USD m)": 80},
                {"ID": "B", "Sector": "Alpha", "Financier": "Banks", "Instrument": "Loan", "Requested (USD m)": 80},
                {"ID": "C", "Sector": "Beta", "Requested (USD m)": 100},
                {"ID": "D", "Sector": "Gamma", "Requested (USD m)": 30}]
    cons = [{"Group": "Sector", "Value": "Alpha", "Min share": 0.5},
            {"Group": "Sector", "Value": "Gamma", "Min (USD m)": 40}]
    fin = [{"Financier": "JBIC", "Instrument": "Equity", "Capacity (USD m)": 20},
           {"Financier": "Banks", "Instrument": "Any", "Capacity (USD m)": 20}]
    return scenario(projects, cons, fin)


def _sample(scn):
    ids = tuple(scn.projects["ID"][scn.projects["Include"]])
    return exact_sample(ids, [0.1] * len(ids), np.eye(len(ids)) * 0.01)


def _infeasible(scn, method="max-return"):
    with pytest.raises(Infeasible) as info:
        allocate(scn, method=method, sample=_sample(scn))
    return info.value


def test_two_independent_conflicts_are_both_named_smallest_first():
    exc = _infeasible(_two_conflicts())
    assert len(exc.sets) == 2
    first, second = ({c.source: c for c in s.conflicts} for s in exc.sets)
    assert set(first) == {"Constraints row 2: Sector Gamma min USD 40 m", "Projects D: Requested 30"}
    assert set(second) == {"Constraints row 1: Sector Alpha min share 0.50", "Financing: JBIC Equity capacity 20",
                           "Financing: Banks (any instrument) capacity 20"}
    # each member's least change resolves its own conflict (the other one aside): none says "cannot"
    assert first["Projects D: Requested 30"].change == "raise it to 40 (by USD 10 m)"
    assert first["Constraints row 2: Sector Gamma min USD 40 m"].change == "lower it to 30 (by USD 10 m)"
    assert second["Constraints row 1: Sector Alpha min share 0.50"].change == "lower it to 0.40 (by USD 10 m)"
    assert all(math.isfinite(c.amount) for c in exc.conflicts)
    text = exc.explain()
    assert "2 independent conflicts" in text and "Conflict 1 of 2" in text and "Conflict 2 of 2" in text
    assert "alone cannot" not in text
    assert [c["conflict"] for c in exc.as_json()] == [1, 1, 2, 2, 2]


def test_the_conflicts_are_disjoint_and_each_irreducible():
    prob = build_problem(_two_conflicts())
    found = conflicts(prob)
    assert len(found) == 2 and not set(found[0]) & set(found[1])
    for iis in found:
        assert not _feasible(prob, set(iis), True, 10.0)
        for j in iis:
            assert _feasible(prob, set(iis) - {j}, True, 10.0)
    # without one member of each, every remaining limit can hold
    everything = set(range(len(prob.limits)))
    assert _feasible(prob, everything - {found[0][0], found[1][0]}, True, 10.0)


def test_one_repair_applied_with_the_real_commands_runs_clean():
    scn = _two_conflicts()
    exc = _infeasible(scn)
    repair = exc.repair
    assert repair is not None
    # the least total relative change: lower Alpha's minimum by 0.10 of 0.50 (20 %) and Gamma's by 10 of 40
    # (25 %); raising a capacity (10 of 20) or D's request (10 of 30) would cost more
    assert {e.where: (e.old, e.new) for e in repair.edits} == {
        "Constraints row 1 (Sector Alpha), Min share": (0.5, 0.4),
        "Constraints row 2 (Sector Gamma), Min (USD m)": (40.0, 30.0)}
    assert repair.relative == pytest.approx(0.2 + 0.25)
    assert "Constraints row 1 (Sector Alpha), Min share: 0.50 -> 0.40" in exc.explain()
    fixed, inverse = repair.command.apply(scn)
    assert fixed.constraints.at[0, "Min share"] == 0.4 and fixed.constraints.at[1, "Min (USD m)"] == 30.0
    res = allocate(fixed, method="max-return", sample=_sample(fixed))
    assert res.status == "optimal"
    assert not build_problem(fixed).violations(np.array([res.amounts[i] for i in fixed.projects["ID"]]))
    back, _ = inverse.apply(fixed)   # one command, one inverse: undo restores the user's values
    assert back.same_content(scn)
    again = pickle.loads(pickle.dumps(exc))    # crosses worker processes with its repair
    assert again.explain() == exc.explain() and again.repair.edits == repair.edits


def test_a_repair_may_raise_the_programme_size_and_moves_share_limits_with_it():
    """Minimums written in USD m that add up to more than the programme: raising the size (one cell,
    a small relative change) beats cutting both minimums; the shares written against the size move with
    it and the re-solve proves that the whole set holds."""
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 100},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 100}]
    cons = [{"Group": "Sector", "Value": "Alpha", "Min (USD m)": 60},
            {"Group": "Sector", "Value": "Beta", "Min (USD m)": 45},
            {"Group": "Total", "Value": "*", "Max share": 1.0}]
    scn = scenario(projects, cons)
    exc = _infeasible(scn)
    assert [e.where for e in exc.repair.edits] == ["Scenario, Programme size (USD bn)"]
    assert exc.repair.edits[0].new == pytest.approx(0.105)
    fixed, _ = exc.repair.command.apply(scn)
    res = allocate(fixed, method="max-return", sample=_sample(fixed))
    assert res.status == "optimal" and res.total == pytest.approx(105.0)


def test_a_star_row_changes_its_one_written_value():
    """``Project * max share 0.05`` on twelve projects against a total minimum of 0.9: the repair edits the one
    written cell of the ``*`` row (or the total minimum), never one expanded value."""
    projects = [{"ID": f"P{i:02d}", "Sector": ("Alpha", "Beta", "Gamma")[i % 3], "Requested (USD m)": 50}
                for i in range(12)]
    cons = [{"Group": "Total", "Value": "*", "Min share": 0.9}, {"Group": "Project", "Value": "*", "Max share": 0.05}]
    scn = scenario(projects, cons)
    exc = _infeasible(scn)
    assert len(exc.repair.edits) == 1
    edit = exc.repair.edits[0]
    # relative: raising 0.05 to 0.075 is 50 %; lowering 0.9 to 0.6 is 33 %: the total minimum moves
    assert (edit.where, edit.old, edit.new) == ("Constraints row 1 (Total), Min share", 0.9, 0.6)
    fixed, _ = exc.repair.command.apply(scn)
    assert allocate(fixed, method="max-return", sample=_sample(fixed)).status == "optimal"


# ---------------------------------------------------------------- the command line, on the default scenario
def _default_with_two_conflicts():
    """The default scenario edited as a user would: Semiconductors at least 0.45 of the programme (against
    ``Sector * max share 0.35``), and Data centers at least 0.34 (more than its five requests, DC-01 capped by
    ``Project * max share 0.10``, can take)."""
    from workbench.commands import Macro, SetCell
    from workbench.default_scenario import default_scenario
    scn = default_scenario()
    c = scn.constraints
    row = {v: int(np.flatnonzero((c["Group"] == "Sector") & (c["Value"] == v))[0])
           for v in ("Semiconductors", "Data centers")}
    edit = Macro((SetCell("Constraints", row["Semiconductors"], "Min share", 0.45),
                  SetCell("Constraints", row["Data centers"], "Min share", 0.34)), "two conflicts")
    return edit.apply(scn)[0], row


@pytest.fixture(scope="module")
def default_two(tmp_path_factory):
    from workbench.excel import write_workbook
    scn, row = _default_with_two_conflicts()
    path = tmp_path_factory.mktemp("infeasible") / "two-conflicts.xlsx"
    write_workbook(path, scn)
    return scn, row, path


def test_cli_names_both_conflicts_prints_the_repair_and_exits_1(capsys, default_two):
    _, row, path = default_two
    code = main(["run", "--trials", "1000", str(path)])
    out, err = capsys.readouterr()
    text = out + err
    assert code == 1
    assert "2 independent conflicts" in text
    assert f"Constraints row {row['Semiconductors'] + 1}: Sector Semiconductors min share 0.45" in text
    assert f"Constraints row {row['Data centers'] + 1}: Sector Data centers min share 0.34" in text
    assert "One combined change that makes every limit hold" in text and "proven" in text
    assert "Traceback" not in text
    # 'Sector * max share 0.35' cannot resolve its conflict alone: the semiconductor requests stand in the way
    star = next(line for line in text.splitlines() if "Sector * max share 0.35 (Semiconductors)" in line)
    assert "not enough: these limits also stand in the way" in star and "Projects SC-02: Requested 40,000" in star

    code = main(["run", "--json", "--trials", "1000", str(path)])
    obj = json.loads(capsys.readouterr()[0])
    assert code == 1 and obj["ok"] is False
    assert {c["conflict"] for c in obj["infeasibility"]} == {1, 2}
    assert obj["repair"]["proven"] is True and obj["repair"]["edits"]


def test_the_default_scenario_repaired_runs_clean_from_the_cli(capsys, default_two, tmp_path):
    from workbench.excel import write_workbook
    scn, _, _ = default_two
    with pytest.raises(Infeasible) as info:
        allocate(scn, sample=_default_sample(scn))
    fixed, _ = info.value.repair.command.apply(scn)
    path = tmp_path / "repaired.xlsx"
    write_workbook(path, fixed)
    code = main(["run", "--json", "--trials", "1000", str(path)])
    obj = json.loads(capsys.readouterr()[0])
    assert code == 0 and obj.get("ok", True) is not False


def _default_sample(scn):
    from workbench.risk.engine import fit_sample
    return fit_sample(scn)
