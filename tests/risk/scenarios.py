"""Small scenarios for the risk tests, built from the schema's tables (no workbook needed)."""

from __future__ import annotations

import pandas as pd

from workbench.scenario import Scenario, make_table


def scenario(projects: list[dict], *, sectors: list[dict] | None = None, events: list[dict] | None = None,
             corr: dict | None = None, **fields) -> Scenario:
    sectors = sectors or [{"Sector": "A", "Expected return": 0.06, "Volatility": 0.20,
                           "Jobs per USD m": 2.0, "Value added per USD": 0.9}]
    names = [s["Sector"] for s in sectors]
    base = {"Name": "test", "Programme size (USD bn)": 10.0, "Start year": 2026, "Horizon (years)": 5,
            "Discount rate": 0.0, "Trials": 10_000, "Random seed": 7, "Confidence level": 0.95,
            "Allocation method": "fixed", "Default threshold": 0.5, "Copula": "gaussian",
            "Degrees of freedom": 5.0}
    base.update(fields)
    rows = []
    for i, p in enumerate(projects):
        row = {"ID": f"P{i + 1}", "Sector": names[0], "Instrument": "Equity", "Requested (USD m)": 1000.0,
               "Specific risk": 0.1, "Include": True}
        row.update(p)
        rows.append(row)
    ev = make_table("Risk events", events or [], extra=names)
    correlations = None
    if len(names) > 1:
        correlations = pd.DataFrame(0.0, index=names, columns=names)
        for s in names:
            correlations.at[s, s] = 1.0
        for (a, b), v in (corr or {}).items():
            correlations.at[a, b] = v
            correlations.at[b, a] = v
    return Scenario(fields=base, sectors=make_table("Sectors", sectors), projects=make_table("Projects", rows),
                    financing=make_table("Financing", []), constraints=make_table("Constraints", []),
                    risk_events=ev, correlations=correlations)
