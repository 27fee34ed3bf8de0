"""The vectorised engine against a literal, trial-by-trial reading of the spec on the same draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from tests.risk.scenarios import scenario
from workbench.risk import build_model
from workbench.risk.paths import generator, simulate_block


def rich_scenario(**fields):
    sectors = [{"Sector": "A", "Expected return": 0.07, "Volatility": 0.25},
               {"Sector": "B", "Expected return": 0.03, "Volatility": 0.15}]
    events = [{"Event": "E1", "Annual probability": 0.3, "Duration (years)": 2, "A": -0.2, "B": -0.05},
              {"Event": "E2", "Annual probability": 0.15, "Duration (years)": 3, "B": -0.25},
              {"Event": "E3", "Annual probability": 0.5, "Duration (years)": 1, "A": 0.05}]
    projects = [
        {"Sector": "A", "Instrument": "Loan", "Coupon or fee": 0.06, "Recovery rate": 0.4, "Start year": 2027},
        {"Sector": "B", "Instrument": "Equity", "Expected return": 0.09, "Specific risk": 0.2},
        {"Sector": "A", "Instrument": "Guarantee", "Coupon or fee": 0.015, "Recovery rate": 0.3},
        {"Sector": "B", "Instrument": "Loan", "Coupon or fee": 0.05, "Specific risk": 0.3, "Start year": 2028},
        {"Sector": "A", "Instrument": "Equity", "Specific risk": 0.15, "Start year": 2029},
        {"Sector": "B", "Instrument": "Guarantee", "Coupon or fee": 0.02, "Start year": 2027},
    ]
    return scenario(projects, sectors=sectors, events=events, corr={("A", "B"): 0.4},
                    **{"Horizon (years)": 6, "Discount rate": 0.05, "Default threshold": 0.7, **fields})


def reference_unit_pnl(model, seed, stream, block, m, amounts=None):
    """Each project's P&L per USD m, trial by trial, year by year, from the same draws; with
    ``amounts``, also the portfolio's nominal value at each year-end (the fan chart's paths)."""
    gen = generator(seed, stream, block)
    h, s_count, n, e_count = model.horizon, len(model.sectors), model.n, len(model.events)
    z_sec = gen.standard_normal((h, s_count, m))
    z_spec = gen.standard_normal((h, n, m))        # engine order: equity, loans, guarantees
    u = gen.random((h, e_count, m))
    w = gen.chisquare(model.dof, (h, m)) if model.copula == "student-t" else None
    slot = {p: j for j, p in enumerate(model.engine_order)}
    r = model.discount_rate
    out = np.zeros((n, m))
    value = np.zeros((h, m))
    for i in range(m):
        left = [0] * e_count
        shock = np.zeros((h, s_count))
        for t in range(h):
            for e in range(e_count):
                if left[e] == 0 and u[t, e, i] < model.event_prob[e]:
                    left[e] = int(model.event_duration[e])
                if left[e] > 0:
                    shock[t] += model.event_shock[e]
                    left[e] -= 1
        for p in range(n):
            s = model.project_sector[p]
            sig, sp, k0 = model.sector_vol[s], model.specific[p], int(model.start[p])
            logv, default_year = 0.0, None
            x = 0.0 if amounts is None else amounts[p]
            cash = 0.0
            for t in range(k0, h):
                e_s = sum(model.chol[s, j] * z_sec[t, j, i] for j in range(s_count))
                if w is not None:   # t copula, normal margins
                    e_s = float(special.ndtri(special.stdtr(model.dof, e_s / math.sqrt(w[t, i] / model.dof))))
                logv += (math.log1p(model.mu[p]) - sig ** 2 / 2 + sig * e_s + shock[t, s]
                         - sp ** 2 / 2 + sp * z_spec[t, slot[p], i])
                inst = model.instrument[p]
                if default_year is None and math.exp(logv) < model.threshold:
                    default_year = t
                    cash += x * (model.recovery[p] if inst == 1 else -(1 - model.recovery[p])) if inst else 0.0
                elif default_year is None and inst:
                    cash += x * model.coupon[p]
                held = x * math.exp(logv) if inst == 0 else (x if inst == 1 and default_year is None else 0.0)
                value[t, i] += held + cash
            capital = (1 + r) ** -k0
            inst = model.instrument[p]
            if inst == 0:      # equity: value index at the horizon
                out[p, i] = math.exp(logv) * (1 + r) ** -h - capital
                continue
            last = h if default_year is None else default_year    # coupons/fees at year-ends k0 .. last-1
            carry = sum(model.coupon[p] * (1 + r) ** -(t + 1) for t in range(k0, last))
            if inst == 1:      # loan
                end = (model.recovery[p] * (1 + r) ** -(default_year + 1) if default_year is not None
                       else (1 + r) ** -h)
                out[p, i] = carry + end - capital
            else:              # guarantee: no capital out
                pay = (1 - model.recovery[p]) * (1 + r) ** -(default_year + 1) if default_year is not None else 0.0
                out[p, i] = carry - pay
    return (out, value) if amounts is not None else out


@pytest.mark.parametrize(("block", "copula"), [(0, "gaussian"), (3, "gaussian"), (1, "student-t")])
def test_engine_equals_literal_reference(block, copula):
    model = build_model(rich_scenario(Copula=copula, **{"Degrees of freedom": 4.0}))
    m = 300
    fast = simulate_block(model, 42, 1, block, m).unit
    slow = reference_unit_pnl(model, 42, 1, block, m)
    assert np.allclose(fast, slow, rtol=1e-10, atol=1e-12)
    # the draws exercise defaults and events
    assert (slow[[0, 3]] < -0.3).any()
    x = np.array([100.0, 50.0, 80.0, 30.0, 20.0, 60.0])
    paths = simulate_block(model, 42, 1, block, m, amounts=x, values=True)
    _, value = reference_unit_pnl(model, 42, 1, block, m, amounts=x)
    assert np.allclose(paths.value, value, rtol=1e-10, atol=1e-9)
