"""Small scenarios with closed forms for the what-if tests, built from the schema's tables."""

from __future__ import annotations

import pandas as pd

from workbench.scenario import Scenario, make_table


def scenario(projects: list[dict], *, sectors: list[dict], constraints: list[dict] | None = None,
             events: list[dict] | None = None, financing: list[dict] | None = None, **fields) -> Scenario:
    names = [s["Sector"] for s in sectors]
    base = {"Name": "what-if test", "Programme size (USD bn)": 1.0, "Start year": 2026, "Horizon (years)": 5,
            "Discount rate": 0.03, "Trials": 20_000, "Random seed": 11, "Confidence level": 0.95,
            "Allocation method": "fixed", "Default threshold": 0.5, "Copula": "gaussian", "Degrees of freedom": 5.0}
    base.update(fields)
    rows = []
    for i, p in enumerate(projects):
        row = {"ID": f"P{i + 1}", "Sector": names[0], "Instrument": "Equity", "Requested (USD m)": 1000.0,
               "Specific risk": 0.0, "Include": True}
        row.update(p)
        rows.append(row)
    sec = [{"Jobs per USD m": 1.0, "Value added per USD": 1.0, **s} for s in sectors]
    corr = pd.DataFrame(0.0, index=names, columns=names)
    for s in names:
        corr.at[s, s] = 1.0
    return Scenario(fields=base, sectors=make_table("Sectors", sec), projects=make_table("Projects", rows),
                    financing=make_table("Financing", financing or []),
                    constraints=make_table("Constraints", constraints or []),
                    risk_events=make_table("Risk events", events or [], extra=names), correlations=corr)


def lognormal(mu: float = 0.06, vol: float = 0.25, **fields) -> Scenario:
    """One equity project of USD 1,000 m, no specific risk: ln V_H ~ N(H (ln(1+mu) - vol^2/2), H vol^2)."""
    return scenario([{"Allocated (USD m)": 1000.0}], sectors=[{"Sector": "A", "Expected return": mu,
                                                               "Volatility": vol}], **fields)


def two_projects(method: str = "max-return") -> Scenario:
    """Two equity projects in two independent sectors; each may take at most 60 % of the USD 1 bn."""
    return scenario(
        [{"Sector": "A"}, {"Sector": "B"}],
        sectors=[{"Sector": "A", "Expected return": 0.05, "Volatility": 0.10},
                 {"Sector": "B", "Expected return": 0.08, "Volatility": 0.10}],
        constraints=[{"Group": "Project", "Value": "*", "Max share": 0.6},
                     {"Group": "Total", "Value": "*", "Min share": 1.0}],
        **{"Allocation method": method})
