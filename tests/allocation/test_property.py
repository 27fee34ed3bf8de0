"""Property: whatever feasible limits a user writes, every method's answer keeps all of them.

Limits are built around a random reference allocation that meets them, so each generated
problem is feasible; the check below recomputes every group's sum from the tables
directly (not through the engine's own constraint builder).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.allocation.helpers import sample, scenario
from workbench import schema
from workbench.allocation import allocate

SECTORS = ("Alpha", "Beta", "Gamma")
STATES = ("TX", "Ohio", "california")
METHODS = ("proportional", "max-return", "max-strategic", "mean-variance", "min-cvar", "risk-parity")


def _key(group, v):
    if group == "State":
        return schema.state_code(str(v))
    if group == "Year":
        return int(float(v))
    return str(v)


def _members(projects, group, value):
    col = {"Sector": "Sector", "Instrument": "Instrument", "Financier": "Financier", "State": "State",
           "Sponsor": "Sponsor", "Project": "ID", "Year": "Start year"}[group]
    return [i for i, p in enumerate(projects) if _key(group, p.get(col, "")) == _key(group, value)]


def _values(projects, group):
    if group == "Sector":
        return list(SECTORS)
    if group == "Instrument":
        return list(schema.INSTRUMENTS)
    col = {"Financier": "Financier", "State": "State", "Sponsor": "Sponsor", "Project": "ID",
           "Year": "Start year"}[group]
    return sorted({_key(group, p[col]) for p in projects if p.get(col, "") != ""}, key=str)


@st.composite
def problems(draw):
    n = draw(st.integers(3, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    projects = []
    x0 = np.zeros(n)
    for i in range(n):
        req = float(rng.uniform(5, 60))
        ticket = float(rng.uniform(0.1, 0.6) * req) if rng.random() < 0.3 else 0.0
        p = {"ID": f"P{i}", "Sector": SECTORS[rng.integers(3)], "Requested (USD m)": req,
             "Minimum ticket (USD m)": ticket, "Instrument": schema.INSTRUMENTS[rng.integers(3)],
             "Financier": ("F1", "F2", "")[rng.integers(3)], "State": STATES[rng.integers(3)],
             "Sponsor": ("S1", "S2")[rng.integers(2)], "Start year": 2026 + int(rng.integers(3)),
             "Strategic score": float(rng.integers(0, 11))}
        projects.append(p)
        if rng.random() < 0.75:
            x0[i] = rng.uniform(max(ticket, 0.01 * req), req)
    size = float(x0.sum() * rng.uniform(1.0, 1.6) + 1.0)
    cons = []
    for _ in range(draw(st.integers(0, 6))):
        group = ("Total", "Sector", "Instrument", "Financier", "State", "Sponsor", "Project", "Year")[rng.integers(8)]
        vals = _values(projects, group) if group != "Total" else ["*"]
        value = "*" if (group == "Total" or rng.random() < 0.4 or not vals) else str(vals[rng.integers(len(vals))])
        if group == "State" and value != "*" and rng.random() < 0.5:
            value = schema.US_STATES[value]       # written as a name
        sums = [x0.sum()] if group == "Total" else [
            x0[_members(projects, group, v)].sum() for v in (vals if value == "*" else [value])]
        if not sums:
            continue
        lo, hi = min(sums) * rng.uniform(0, 1), max(sums) + rng.uniform(0, 20)
        row = {"Group": group, "Value": value}
        if rng.random() < 0.5:
            row["Min share" if rng.random() < 0.5 else "Min (USD m)"] = lo
        if rng.random() < 0.7:
            row["Max share" if rng.random() < 0.5 else "Max (USD m)"] = hi
        for k in ("Min share", "Max share"):
            if k in row:
                row[k] = min(row[k] / size, 1.0)
        cons.append(row)
    fin = []
    for f in ("F1", "F2"):
        for inst in ("Any", *schema.INSTRUMENTS):
            if rng.random() < 0.3:
                idx = [i for i, p in enumerate(projects) if p["Financier"] == f and inst in ("Any", p["Instrument"])]
                fin.append({"Financier": f, "Instrument": inst, "Capacity (USD m)": x0[idx].sum() + rng.uniform(0, 10)})
    pnl = 0.05 + rng.normal(0, 0.2, (300, n)) + rng.normal(0, 0.1, (300, 1))
    return projects, cons, fin, size, pnl


def _check(projects, cons, fin, size, x):
    tol = 1e-6 * size
    assert np.all(x >= -tol)
    assert x.sum() <= size + tol
    for p, a in zip(projects, x, strict=True):
        assert a <= p["Requested (USD m)"] + tol
        assert a <= tol or a >= p["Minimum ticket (USD m)"] - tol, (p["ID"], a)
    for row in cons:
        group, value = row["Group"], row["Value"]
        if group == "Total":
            sets = [list(range(len(projects)))]
        else:
            vals = _values(projects, group) if value == "*" else [value]
            sets = [_members(projects, group, v) for v in vals]
        for idx in sets:
            s = x[idx].sum()
            assert s >= row.get("Min share", 0) * size - tol and s >= row.get("Min (USD m)", 0) - tol, row
            assert s <= row.get("Max share", 1e18 / size) * size + tol and s <= row.get("Max (USD m)", 1e18) + tol, row
    for f in fin:
        idx = [i for i, p in enumerate(projects) if p["Financier"] == f["Financier"]
               and f["Instrument"] in ("Any", p["Instrument"])]
        assert x[idx].sum() <= f["Capacity (USD m)"] + tol, f


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(METHODS))
def test_every_limit_holds_on_the_answer(problem, method):
    projects, cons, fin, size, pnl = problem
    scn = scenario(projects, cons, fin, size_bn=size / 1000)
    res = allocate(scn, method=method, sample=sample([p["ID"] for p in projects], pnl), time_limit=20)
    x = np.array([res.amounts[p["ID"]] for p in projects])
    _check(projects, cons, fin, size, x)
