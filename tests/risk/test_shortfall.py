"""Why less than the programme is allocated (workbench/shortfall.py), on small scenarios worked by hand.

Programme USD 100 m; A1 (Alpha, JBIC equity, asks 50), A2 (Beta, bank loan, asks 40) and
A3 (Gamma, JBIC equity, asks 30). The most the limits allow and the limit that holds it
there are worked out by hand in each test.
"""

from __future__ import annotations

import pytest

from tests.allocation.helpers import scenario
from workbench.results import AllocationResult
from workbench.shortfall import shortfall

RATE = 0.05


def _scn(jbic_equity: float, tickets: tuple[float, float, float] = (0.0, 0.0, 0.0)):
    projects = [
        {"ID": "A1", "Sector": "Alpha", "Instrument": "Equity", "Financier": "JBIC", "Requested (USD m)": 50.0},
        {"ID": "A2", "Sector": "Beta", "Instrument": "Loan", "Financier": "Banks", "Requested (USD m)": 40.0},
        {"ID": "A3", "Sector": "Gamma", "Instrument": "Equity", "Financier": "JBIC", "Requested (USD m)": 30.0},
    ]
    for p, t in zip(projects, tickets):
        p["Minimum ticket (USD m)"] = t
    financing = [{"Financier": "JBIC", "Instrument": "Equity", "Capacity (USD m)": jbic_equity},
                 {"Financier": "Banks", "Instrument": "Loan", "Capacity (USD m)": 1000.0}]
    return scenario(projects, financing=financing, size_bn=0.1)


def _alloc(amounts: dict[str, float], method: str = "max-return") -> AllocationResult:
    return AllocationResult(method=method, amounts=amounts, by_sector={}, by_instrument={}, by_financier={},
                            by_state={}, status="optimal", gap=0.0, seconds=0.0)


def test_nothing_to_explain_when_the_whole_programme_is_committed():
    scn = _scn(jbic_equity=200.0)
    assert shortfall(scn, _alloc({"A1": 50.0, "A2": 40.0, "A3": 10.0}), {}, RATE) is None


def test_a_capacity_holds_the_total_below_the_programme():
    # JBIC equity 45 caps A1 + A3: at most 45 + 40 = 85 of the 100.
    scn = _scn(jbic_equity=45.0)
    gap = shortfall(scn, _alloc({"A1": 45.0, "A2": 40.0, "A3": 0.0}), {"A1": 0.1, "A2": 0.1, "A3": -0.2}, RATE)
    assert gap is not None
    assert gap.most_allowed == pytest.approx(85.0, abs=1e-6)
    assert gap.unallocated == pytest.approx(15.0)
    assert len(gap.holding_limits) == 1 and "JBIC Equity capacity" in gap.holding_limits[0]
    text = gap.text()
    assert "The limits allow at most USD 85 m" in text and gap.holding_limits[0] in text
    assert "negative expected NPV" not in text      # the limits, not the candidates, stop it here


def test_candidates_with_negative_npv_are_named_when_the_limits_would_allow_more():
    scn = _scn(jbic_equity=200.0)
    mean = {"A1": 0.08, "A2": -0.03, "A3": -0.01}
    gap = shortfall(scn, _alloc({"A1": 50.0, "A2": 0.0, "A3": 0.0}), mean, RATE)
    assert gap.most_allowed == pytest.approx(100.0, abs=1e-6)      # the programme size itself
    assert gap.negative_npv == ("A2", "A3") and gap.positive_with_room == ()
    text = gap.text()
    assert "The limits would allow USD 50 m more, but every candidate with room left has negative expected " \
           "NPV at 5 % (A2 and A3)" in text


def test_a_method_that_stops_short_by_its_objective_says_so():
    scn = _scn(jbic_equity=200.0)
    gap = shortfall(scn, _alloc({"A1": 30.0, "A2": 20.0, "A3": 0.0}, "mean-variance"),
                    {"A1": 0.08, "A2": 0.02, "A3": -0.01}, RATE)
    assert gap.positive_with_room == ("A1", "A2") and gap.negative_npv == ("A3",)
    text = gap.text()
    assert "the mean-variance method stops short by its own objective" in text
    assert "A3 have negative expected NPV at 5 %" in text


def test_minimum_tickets_cost_is_stated():
    # JBIC equity 60; A1 takes 40 to 50 or nothing, A3 exactly 30 or nothing: both need 70 > 60, so JBIC
    # funds A1 alone (50): 50 + 40 = 90 with tickets, 60 + 40 = 100 without.
    scn = _scn(jbic_equity=60.0, tickets=(40.0, 0.0, 30.0))
    gap = shortfall(scn, _alloc({"A1": 50.0, "A2": 40.0, "A3": 0.0}), {"A1": 0.1, "A2": 0.1, "A3": 0.1}, RATE)
    assert gap.most_allowed == pytest.approx(90.0, abs=1e-6)
    assert gap.tickets_cost == pytest.approx(10.0, abs=1e-6)
    assert "The minimum tickets take USD 10 m off what the other limits allow" in gap.text()


def test_a_limit_on_the_good_candidates_and_negative_npv_on_the_rest_are_both_named():
    # JBIC equity 45 holds A1 + A3 (positive NPV) at 45; only A2 (negative NPV) could add its 40.
    scn = _scn(jbic_equity=45.0)
    gap = shortfall(scn, _alloc({"A1": 45.0, "A2": 0.0, "A3": 0.0}), {"A1": 0.1, "A2": -0.02, "A3": 0.05}, RATE)
    assert gap.most_allowed == pytest.approx(85.0, abs=1e-6)
    assert gap.most_without_negative == pytest.approx(45.0, abs=1e-6)
    assert len(gap.limits_without_negative) == 1 and "JBIC Equity capacity" in gap.limits_without_negative[0]
    text = gap.text()
    assert "Without adding to the candidates with negative expected NPV at 5 % (A2), the limits allow at most " \
           "USD 45 m" in text
    assert gap.limits_without_negative[0] in text and "stops short by its own objective" not in text
