"""Shadow prices in both directions: in a degenerate programme the price of raising a limit differs from
the price of lowering it. Each one-sided value is checked against finite differences (the allocation
re-run with the limit moved each way), and the text words each direction as measured."""

from __future__ import annotations

import numpy as np
import pytest

from tests.allocation.helpers import exact_sample, scenario
from workbench.allocation import allocate

IDS = ("A", "B", "C")
STEP = 0.5   # USD m; the programme is USD 100 m


def smp():
    return exact_sample(IDS, [0.3, 0.2, 0.1], np.diag([0.01, 0.02, 0.03]))


def projects(req=(100, 100, 100), tickets=(0, 0, 0)):
    return [{"ID": i, "Sector": s, "Requested (USD m)": r, "Minimum ticket (USD m)": t}
            for i, s, r, t in zip(IDS, ("Alpha", "Beta", "Gamma"), req, tickets, strict=True)]


def finite_differences(run, value):
    """(objective change per USD m raising the limit, per USD m lowering it)."""
    base = run(value).objective
    return (run(value + STEP).objective - base) / STEP, (run(value - STEP).objective - base) / STEP


def binding(res, start):
    return next(b for b in res.binding if b.source.startswith(start))


def test_two_caps_on_the_same_project_degenerate_lp():
    # A is capped twice at 40 (its own row and its sector's): raising either alone changes nothing,
    # lowering either moves USD m from A (0.3) to B (0.2).
    def run(project_cap, sector_cap=40.0):
        cons = [{"Group": "Project", "Value": "A", "Max (USD m)": project_cap},
                {"Group": "Sector", "Value": "Alpha", "Max (USD m)": sector_cap}]
        return allocate(scenario(projects(), cons), method="max-return", sample=smp())

    res = run(40.0)
    for row, fd in (("Constraints row 1", finite_differences(run, 40.0)),
                    ("Constraints row 2", finite_differences(lambda v: run(40.0, v), 40.0))):
        b = binding(res, row)
        assert b.price_up == pytest.approx(fd[0], abs=1e-9) and b.price_up == pytest.approx(0.0, abs=1e-9)
        assert b.price_down == pytest.approx(fd[1], abs=1e-9) and b.price_down == pytest.approx(-0.1, abs=1e-9)
        assert "Raising" in b.text and "changes nothing" in b.text
        assert "lowering it by USD 1 bn costs USD 100 m of expected NPV at 5 %" in b.text
        assert b.shadow_price == pytest.approx(0.0, abs=1e-9)   # the loosening direction: raising


def test_ticket_degenerate_lowering_changes_nothing():
    # The whole programme must go out; A and B are full, so C sits at exactly its ticket (20). Lowering the
    # ticket changes nothing (C still has to take 20); raising it moves USD m from B (0.2) to C (0.1).
    def run(ticket):
        cons = [{"Group": "Total", "Value": "*", "Min share": 1.0}]
        return allocate(scenario(projects(req=(40, 40, 40), tickets=(0, 0, ticket)), cons), method="max-return",
                        sample=smp())

    res = run(20.0)
    assert res.amounts["C"] == pytest.approx(20.0, abs=1e-6)
    up, down = finite_differences(run, 20.0)
    b = binding(res, "Projects C: Minimum ticket")
    assert b.price_up == pytest.approx(up, abs=1e-9) and up == pytest.approx(-0.1, abs=1e-9)
    assert b.price_down == pytest.approx(down, abs=1e-9) and down == pytest.approx(0.0, abs=1e-9)
    assert b.text.startswith("Lowering Projects C: Minimum ticket 20 by USD 1 bn changes nothing")
    assert "raising it by USD 1 bn costs USD 100 m of expected NPV at 5 %" in b.text


def test_move_that_breaks_the_limits_is_named():
    # The whole programme (100) must go out: lowering the programme size below that cannot hold; raising it
    # lets one more USD m go to C (0.1 a USD).
    def run(min_share):
        cons = [{"Group": "Total", "Value": "*", "Min share": min_share}]
        return allocate(scenario(projects(req=(40, 40, 40)), cons), method="max-return", sample=smp())

    res = run(1.0)
    size = binding(res, "Scenario: Programme size")
    assert np.isinf(size.price_down)          # lowering the programme below the required 100: conflict
    assert "lowering it by USD 1 bn makes the limits conflict" in size.text
    assert size.price_up == pytest.approx(0.1, abs=1e-9)   # one more USD m goes to C (0.1)


@pytest.mark.parametrize("method", ["max-return", "max-strategic"])
def test_default_scenario_prices_match_finite_differences(method):
    """Every binding financing capacity's two prices against re-runs with the capacity moved each way."""
    from workbench.default_scenario import default_scenario
    from workbench.risk.engine import fit_sample
    scn = default_scenario()
    sample = fit_sample(scn)
    res = allocate(scn, method=method, sample=sample)
    checked = 0
    for b in res.binding:
        if not b.source.startswith("Financing:"):
            continue
        fin = scn.financing
        row = next(r for r in range(len(fin)) if b.source.startswith(f"Financing: {fin.iloc[r]['Financier']}"))
        cap = float(fin.iloc[row]["Capacity (USD m)"])

        def run(v, row=row, fin=fin):
            f = fin.copy()
            f.loc[row, "Capacity (USD m)"] = v
            return allocate(scn.with_table("Financing", f), method=method, sample=sample)

        step = 10.0
        base = res.objective
        up = (run(cap + step).objective - base) / step
        down = (run(cap - step).objective - base) / step
        assert b.price_up == pytest.approx(up, rel=1e-6, abs=1e-6)
        assert b.price_down == pytest.approx(down, rel=1e-6, abs=1e-6)
        checked += 1
    assert checked
