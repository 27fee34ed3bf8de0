"""A switching-value search whose next step vanishes in floating-point rounding ends that side
instead of dividing by zero (the default scenario at seed 1001, data centers' neighbour biotech)."""

from __future__ import annotations

from workbench.default_scenario import default_scenario
from workbench.whatif.evaluator import Evaluator
from workbench.whatif.inputs import find_input
from workbench.whatif.switching import crossing


def test_biotech_return_at_seed_1001_finds_its_crossing():
    scn = default_scenario().with_fields(**{"Random seed": 1001})
    ev = Evaluator(scn, trials=20_000)
    inp = find_input(scn, "Biotech & pharma: expected return")
    c = crossing(ev, inp, "expected-npv", 0.0)
    assert c.found
    at = ev.pnl(inp, c.value).mean()
    # the root: expected NPV there is within the statistic's own Monte Carlo error of 0
    assert abs(at) <= 3 * c.curve[0].se
    below = ev.pnl(inp, c.value - 0.01).mean()
    above = ev.pnl(inp, c.value + 0.01).mean()
    assert below < 0 < above
