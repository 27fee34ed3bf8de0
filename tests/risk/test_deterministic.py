"""Zero volatility and no random events: the simulation must reproduce plain arithmetic."""

from __future__ import annotations

import math

import pytest

from tests.risk.scenarios import scenario
from workbench.risk import fit_sample, simulate

R = 0.05
H = 5


def flat(projects, events=None, **fields):
    sectors = [{"Sector": "A", "Expected return": 0.04, "Volatility": 0.0}]
    return scenario(projects, sectors=sectors, events=events, **{"Discount rate": R, "Horizon (years)": H,
                                                                 "Trials": 1000, **fields})


def d(k):
    return (1 + R) ** -k


def annuity(k0, end):
    """Coupons at the year-ends of years k0 .. end-1."""
    return sum(d(t + 1) for t in range(k0, end))


def test_equity_loan_guarantee_without_default():
    scn = flat([
        {"Instrument": "Equity", "Expected return": 0.07, "Specific risk": 0.0, "Start year": 2028},
        {"Instrument": "Loan", "Coupon or fee": 0.06, "Specific risk": 0.0, "Start year": 2027},
        {"Instrument": "Guarantee", "Coupon or fee": 0.012, "Specific risk": 0.0},
    ])
    x = {"P1": 300.0, "P2": 200.0, "P3": 500.0}
    r = simulate(scn, x, trials=1000)
    eq = 300 * (1.07 ** (H - 2) * d(H) - d(2))
    loan = 200 * (0.06 * annuity(1, H) + d(H) - d(1))
    guar = 500 * 0.012 * annuity(0, H)
    by = r.contributions["project"]
    assert by["P1"] == pytest.approx(-eq, rel=1e-12)
    assert by["P2"] == pytest.approx(-loan, rel=1e-12)
    assert by["P3"] == pytest.approx(-guar, rel=1e-12)
    total = eq + loan + guar
    assert r.expected_pnl == pytest.approx(total, rel=1e-12)
    assert r.var == pytest.approx(-total, rel=1e-12)
    assert r.cvar == pytest.approx(-total, rel=1e-12)
    assert r.std == pytest.approx(0.0, abs=1e-9)
    assert r.prob_loss == 0.0
    assert r.guarantees.expected_payout == 0.0
    # the fitting sample holds the same unit P&L
    u = fit_sample(scn, trials=100)
    assert u.mean == pytest.approx([eq / 300, loan / 200, guar / 500], rel=1e-12)


def test_default_pays_recovery_and_guarantee_pays_out():
    # value index 0.7 after one year, 0.49 after two: default at the second year-end after start
    scn = flat([
        {"Instrument": "Loan", "Expected return": -0.3, "Coupon or fee": 0.06, "Recovery rate": 0.4,
         "Specific risk": 0.0, "Start year": 2027},
        {"Instrument": "Guarantee", "Expected return": -0.3, "Coupon or fee": 0.02, "Recovery rate": 0.25,
         "Specific risk": 0.0},
        {"Instrument": "Equity", "Expected return": -0.3, "Specific risk": 0.0},
    ])
    r = simulate(scn, {"P1": 100.0, "P2": 100.0, "P3": 100.0}, trials=1000)
    loan = 100 * (0.06 * d(2) + 0.4 * d(3) - d(1))          # coupon at end of 2027, recovery at end of 2028
    guar = 100 * (0.02 * d(1) - 0.75 * d(2))                # fee at end of 2026, payout at end of 2027
    eq = 100 * (0.7 ** H * d(H) - 1)                        # equity ignores default
    by = r.contributions["project"]
    assert -by["P1"] == pytest.approx(loan, rel=1e-12)
    assert -by["P2"] == pytest.approx(guar, rel=1e-12)
    assert -by["P3"] == pytest.approx(eq, rel=1e-12)
    g = r.guarantees
    assert g.face == 100.0
    assert g.expected_payout == pytest.approx(75.0)
    assert g.expected_payout_pv == pytest.approx(75.0 * d(2))
    assert g.probability_of_payout == 1.0


def test_threshold_zero_never_defaults():
    scn = flat([{"Instrument": "Loan", "Expected return": -0.5, "Coupon or fee": 0.05, "Specific risk": 0.0}],
               **{"Default threshold": 0.0})
    r = simulate(scn, {"P1": 100.0}, trials=1000)
    assert r.expected_pnl == pytest.approx(100 * (0.05 * annuity(0, H) + d(H) - 1), rel=1e-12)


def test_forced_and_certain_events_add_their_shocks():
    events = [
        {"Event": "certain", "Annual probability": 1.0, "Duration (years)": 2, "A": -0.1},
        {"Event": "never", "Annual probability": 0.0, "Duration (years)": 2, "A": -0.3},
    ]
    scn = flat([{"Instrument": "Equity", "Expected return": 0.0, "Specific risk": 0.0}], events=events,
               **{"Discount rate": 0.0})
    r = simulate(scn, {"P1": 100.0}, trials=1000)
    # a certain event is under way every year (it restarts as soon as it ends)
    assert r.expected_pnl == pytest.approx(100 * (math.exp(-0.1 * H) - 1), rel=1e-12)
    assert r.events[0].probability == 1.0 and r.events[1].probability == 0.0
    # forcing "never" to start in 2027 adds -0.3 in 2027 and 2028; overlapping events add
    f = simulate(scn, {"P1": 100.0}, trials=1000, forced_events={"never": [2027]})
    assert f.expected_pnl == pytest.approx(100 * (math.exp(-0.1 * H - 0.6) - 1), rel=1e-12)
    # forced in the last year: only one year of the shock falls inside the horizon
    g = simulate(scn, {"P1": 100.0}, trials=1000, forced_events={"never": 2030})
    assert g.expected_pnl == pytest.approx(100 * (math.exp(-0.1 * H - 0.3) - 1), rel=1e-12)


def test_fan_chart_is_the_value_path():
    scn = flat([{"Instrument": "Equity", "Expected return": 0.10, "Specific risk": 0.0, "Start year": 2027},
                {"Instrument": "Loan", "Coupon or fee": 0.05, "Specific risk": 0.0}])
    r = simulate(scn, {"P1": 100.0, "P2": 50.0}, trials=1000)
    expected = [(100 * 1.1 ** t if t >= 1 else 0.0) + 50 + 50 * 0.05 * (t + 1) for t in range(H)]
    for row in r.fan.values:
        assert row == pytest.approx(expected, rel=1e-12)
    assert list(r.fan.years) == [2026 + t for t in range(H)]
    assert list(r.fan.invested) == [50.0, 150.0, 150.0, 150.0, 150.0]
