"""Switching values and goal seek against closed forms (lognormal single project), a case with no
crossing, and a constrained case where the allocation switches."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from tests.whatif.cases import lognormal, two_projects
from workbench.risk.engine import simulate
from workbench.whatif.evaluator import Evaluator
from workbench.whatif.inputs import find_input, tornado_inputs
from workbench.whatif.statistics import parse_target
from workbench.whatif.switching import allocation_switch, crossing, goal_seek, switching_values

H = 5


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_switching_value_of_expected_return_is_the_discount_rate(seed):
    # E[NPV] = A ((1 + mu)^H / (1 + r)^H - 1) is 0 exactly at mu = r
    r = 0.03
    scn = lognormal(**{"Random seed": seed, "Discount rate": r})
    ev = Evaluator(scn)
    c = crossing(ev, find_input(scn, "A: expected return"), "expected-npv", 0.0)
    assert c.found and c.se is not None and c.se > 0
    assert abs(c.value - r) <= 3 * c.se, (c.value, c.se)
    # the standard error is the delta method's: SE(mean NPV) / slope, with the slope dE/dmu = A H (1+mu)^(H-1) / (1+r)^H
    slope = 1000.0 * H * (1 + r) ** (H - 1) / (1 + r) ** H
    se_mean = 1000.0 * math.sqrt(math.exp(H * 0.25 ** 2) - 1)/ math.sqrt(ev.trials)   # lognormal sd at mu = r
    assert c.se == pytest.approx(se_mean / slope, rel=0.15)
    assert c.slope == pytest.approx(slope, rel=0.05)


@pytest.mark.parametrize("p", [0.10, 0.25])
def test_goal_seek_probability_of_loss_matches_the_lognormal_quantile(p):
    r, vol = 0.03, 0.25
    scn = lognormal(vol=vol, **{"Discount rate": r})
    ev = Evaluator(scn)
    res = goal_seek(ev, find_input(scn, "A: expected return"), parse_target(f"P(NPV<0)<={p}"))
    exact = (1 + r) * math.exp(vol ** 2 / 2 - vol * norm.ppf(p) / math.sqrt(H)) - 1
    assert res.reachable and res.answer is not None
    assert res.holds_when == ">="          # a minimum expected return
    assert not res.holds_at_scenario_value
    assert abs(res.answer - exact) <= 3 * res.se, (res.answer, exact, res.se)
    # the error band is the binomial standard error over the slope of P(NPV<0) in mu
    z = (math.log(1 + r) - math.log(1 + exact) + vol ** 2 / 2) * math.sqrt(H) / vol
    dp_dmu = norm.pdf(z) * math.sqrt(H) / (vol * (1 + exact))
    assert res.se == pytest.approx(math.sqrt(p * (1 - p) / ev.trials) / dp_dmu, rel=0.3)
    # at the answer the simulated statistic is at the target, checked with the engine itself
    amounts = {"P1": 1000.0}
    at = simulate(find_input(scn, "A: expected return").apply(scn, res.answer), amounts, trials=ev.trials)
    assert at.prob_loss == pytest.approx(p, abs=2 / ev.trials)


def test_no_crossing_within_the_range_is_reported():
    # a 60 % return beats every discount rate up to 50 %: expected NPV never reaches 0
    scn = lognormal(mu=0.6, vol=0.1)
    ev = Evaluator(scn)
    c = crossing(ev, find_input(scn, "Discount rate"), "expected-npv", 0.0)
    assert not c.found and c.value is None and c.se is None
    assert c.message.startswith("None within the range")
    assert min(p.statistic for p in c.curve) > 0
    assert any(p.value == pytest.approx(0.5) for p in c.curve)     # the end of the range was tried


def test_unreachable_goal_says_so():
    scn = lognormal(mu=0.06, vol=0.3)
    ev = Evaluator(scn)
    res = goal_seek(ev, find_input(scn, "Discount rate"), parse_target("P(NPV<0)<=1%"))
    assert not res.reachable and res.answer is None
    assert "cannot be reached within the valid range" in res.message


def test_target_already_met_everywhere():
    # an equity loss is at most the capital, so expected NPV is above -USD 1,500 m at every discount rate
    scn = lognormal(mu=0.06, vol=0.3)
    ev = Evaluator(scn)
    res = goal_seek(ev, find_input(scn, "Discount rate"), parse_target("expected NPV>=-1500"))
    assert res.reachable and res.answer is None and res.holds_at_scenario_value


def test_constrained_allocation_switches_where_the_returns_cross():
    # max-return puts 60 % in the better project, 40 % in the other; sector A overtakes B near 8 %
    scn = two_projects()
    ev = Evaluator(scn)
    inp = find_input(scn, "A: expected return")
    c = allocation_switch(ev, inp)
    assert c.found
    assert c.value == pytest.approx(0.08, abs=0.01)
    below = ev.allocation_at([(inp, c.value - 0.002)])
    above = ev.allocation_at([(inp, c.value + 0.002)])
    assert below == pytest.approx([400.0, 600.0]) and above == pytest.approx([600.0, 400.0])
    # the switch is where the fitting sample's mean unit P&L of A equals B's
    fit_b = ev._fit_unit[1].mean()
    model, touched = ev.model_at([(inp, c.value)])
    assert ev._fit_stream().unit(model, touched)[0].mean() == pytest.approx(fit_b, rel=5e-3)


def test_reallocating_changes_the_statistic_of_a_capacity_like_input():
    # the requested amount of the better project caps what it gets: below 600 the allocation moves
    scn = two_projects()
    ev = Evaluator(scn)
    inp = find_input(scn, "P2: requested amount")
    pnl_full = ev.pnl(inp, 1000.0)
    pnl_capped = ev.pnl(inp, 450.0)
    assert pnl_capped.mean() < pnl_full.mean()
    x = ev.allocation_at([(inp, 450.0)])
    assert x == pytest.approx([550.0, 450.0])


def test_switching_values_cover_every_tornado_input():
    scn = lognormal()
    ev = Evaluator(scn, trials=4096)
    res = switching_values(ev)
    assert [c.input.name for c in res] == [i.name for i in tornado_inputs(scn)]
    assert all(c.evaluations >= 1 for c in res)
    assert np.all([c.found == (c.value is not None) for c in res])
