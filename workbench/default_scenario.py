"""The embedded default scenario: the US-Japan strategic investment programme, USD 550 bn.

Built from the seed note (docs/contracts/seed-note.md). Every number here is an illustrative,
editable assumption; the reasoning behind each is in ``docs/assumptions.md``.
"""

from __future__ import annotations

import pandas as pd

from workbench.default_sources import default_sources
from workbench.scenario import Scenario, make_table

DC, SEMI, BATT, REN, BIO = (
    "Data centers", "Semiconductors", "Battery technology", "Renewable energy", "Biotech & pharma",
)
SECTORS = (DC, SEMI, BATT, REN, BIO)
JBIC, NEXI, BANKS = "JBIC", "NEXI", "Japanese megabanks"

FIELDS = {
    "Name": "US-Japan strategic investment programme, USD 550 bn",
    "Description": (
        "Illustrative allocation of Japan's USD 550 bn commitment to US strategic industries "
        "(data centers, semiconductors, batteries, renewables, biotech & pharma), financed by "
        "JBIC equity and loans, NEXI loan guarantees and Japanese megabank loans."
    ),
    "Author": "Scenario Workbench (default scenario)",
    "Programme size (USD bn)": 550.0,
    "Start year": 2026,
    "Horizon (years)": 10,
    "Discount rate": 0.05,
    "Trials": 50_000,
    "Random seed": 20261124,
    "Confidence level": 0.95,
    "JPY per USD": 150.0,
    "Allocation method": "mean-variance",
    "Risk aversion": 2.0,
    "Target expected P&L (USD m)": None,
    "Default threshold": 0.4,
    "Copula": "gaussian",
    "Degrees of freedom": 5.0,
}

# Sector, expected return, volatility, jobs per USD m, value added per USD
SECTOR_ROWS = [
    (DC, 0.100, 0.22, 2.0, 0.85),
    (SEMI, 0.110, 0.28, 3.5, 1.10),
    (BATT, 0.100, 0.26, 4.0, 0.95),
    (REN, 0.075, 0.14, 3.0, 0.80),
    (BIO, 0.100, 0.24, 2.5, 1.20),
]

# Pairwise sector correlations (the rest of the matrix follows by symmetry).
CORRELATIONS = {
    (DC, SEMI): 0.60, (DC, BATT): 0.30, (DC, REN): 0.35, (DC, BIO): 0.20,
    (SEMI, BATT): 0.50, (SEMI, REN): 0.25, (SEMI, BIO): 0.20,
    (BATT, REN): 0.55, (BATT, BIO): 0.15,
    (REN, BIO): 0.15,
}

# ID, project, sector, sponsor, state, instrument, financier, requested, min ticket,
# expected return (None = sector's), specific risk, coupon/fee, recovery, strategic, start
PROJECT_ROWS = [
    ("DC-01", "SoftBank-led AI data center campus", DC, "SoftBank Group", "TX", "Equity", JBIC,
     100_000, 25_000, 0.10, 0.15, 0.0, 0.40, 9, 2026),
    ("DC-02", "Hyperscale campus power and cooling", DC, "SoftBank Group", "OH", "Loan", BANKS,
     45_000, 10_000, None, 0.08, 0.060, 0.55, 7, 2026),
    ("DC-03", "Edge data center network", DC, "NTT Data", "VA", "Loan", JBIC,
     25_000, 5_000, None, 0.10, 0.058, 0.50, 6, 2027),
    ("DC-04", "AI compute cluster, Arizona", DC, "KDDI consortium", "AZ", "Equity", JBIC,
     30_000, 8_000, 0.09, 0.18, 0.0, 0.40, 7, 2027),
    ("DC-05", "Subsea cable landing and interconnect", DC, "NEC", "OR", "Guarantee", NEXI,
     12_000, 2_000, None, 0.08, 0.012, 0.60, 6, 2028),
    ("SC-01", "Advanced logic fab partnership", SEMI, "Tokyo Electron partners", "AZ", "Equity", JBIC,
     60_000, 20_000, 0.10, 0.20, 0.0, 0.35, 10, 2026),
    ("SC-02", "Memory fab expansion", SEMI, "Kioxia consortium", "NY", "Loan", BANKS,
     40_000, 10_000, None, 0.14, 0.065, 0.45, 8, 2027),
    ("SC-03", "Photoresist and wafer materials plant", SEMI, "Shin-Etsu", "TX", "Equity", JBIC,
     18_000, 3_000, 0.11, 0.16, 0.0, 0.40, 9, 2026),
    ("SC-04", "Semiconductor equipment service hub", SEMI, "Tokyo Electron", "OR", "Guarantee", NEXI,
     15_000, 2_000, None, 0.10, 0.013, 0.50, 7, 2027),
    ("SC-05", "Advanced packaging plant", SEMI, "Ibiden", "OH", "Loan", JBIC,
     22_000, 5_000, None, 0.15, 0.062, 0.45, 8, 2028),
    ("BT-01", "EV battery gigafactory", BATT, "Panasonic Energy", "KS", "Loan", BANKS,
     40_000, 10_000, None, 0.15, 0.063, 0.45, 8, 2026),
    ("BT-02", "Cathode materials plant", BATT, "Sumitomo Metal Mining", "NC", "Guarantee", NEXI,
     20_000, 3_000, None, 0.14, 0.014, 0.50, 7, 2027),
    ("BT-03", "Grid storage battery line", BATT, "Toyota Battery", "NC", "Equity", JBIC,
     25_000, 5_000, 0.09, 0.20, 0.0, 0.40, 7, 2027),
    ("BT-04", "Battery recycling network", BATT, "Mitsubishi Corporation", "NV", "Loan", JBIC,
     10_000, 1_500, None, 0.12, 0.060, 0.50, 6, 2028),
    ("BT-05", "Lithium refining JV", BATT, "Sumitomo Corporation", "GA", "Guarantee", NEXI,
     25_000, 5_000, None, 0.18, 0.015, 0.45, 8, 2029),
    ("RE-01", "Offshore wind farm", REN, "JERA", "NJ", "Loan", BANKS,
     35_000, 8_000, None, 0.10, 0.055, 0.60, 6, 2026),
    ("RE-02", "Utility-scale solar and storage", REN, "Marubeni", "CA", "Guarantee", NEXI,
     30_000, 5_000, None, 0.08, 0.011, 0.60, 6, 2026),
    ("RE-03", "Small modular reactor pilot", REN, "Hitachi-GE", "TN", "Equity", JBIC,
     35_000, 10_000, 0.07, 0.22, 0.0, 0.35, 8, 2028),
    ("RE-04", "Transmission line upgrade", REN, "Mitsui & Co.", "TX", "Loan", BANKS,
     25_000, 5_000, None, 0.06, 0.052, 0.65, 5, 2027),
    ("RE-05", "Green hydrogen hub", REN, "Mitsubishi Heavy Industries", "UT", "Guarantee", NEXI,
     20_000, 3_000, None, 0.16, 0.014, 0.45, 5, 2029),
    ("BP-01", "Active pharmaceutical ingredient plant", BIO, "Takeda", "MA", "Equity", JBIC,
     20_000, 3_000, 0.10, 0.18, 0.0, 0.40, 9, 2026),
    ("BP-02", "Biologics manufacturing expansion", BIO, "Astellas", "NC", "Loan", BANKS,
     18_000, 3_000, None, 0.12, 0.058, 0.50, 7, 2027),
    ("BP-03", "Generic antibiotics supply line", BIO, "Daiichi Sankyo", "PA", "Guarantee", NEXI,
     12_000, 2_000, None, 0.10, 0.012, 0.55, 8, 2027),
    ("BP-04", "Cell and gene therapy CDMO", BIO, "Fujifilm Diosynth", "TX", "Equity", JBIC,
     15_000, 3_000, 0.11, 0.24, 0.0, 0.35, 7, 2028),
    ("BP-05", "Medical isotope production", BIO, "Otsuka", "WI", "Loan", JBIC,
     8_000, 1_000, None, 0.10, 0.057, 0.50, 6, 2029),
]

FINANCING_ROWS = [
    (JBIC, "Equity", 160_000),
    (JBIC, "Loan", 100_000),
    (NEXI, "Guarantee", 130_000),
    (BANKS, "Loan", 180_000),
]

# Group, value, min share, max share, min USD m, max USD m
CONSTRAINT_ROWS = [
    ("Total", "*", 0.80, 1.00, None, None),
    ("Sector", "*", None, 0.35, None, None),
    ("Sector", DC, 0.10, None, None, None),
    ("Sector", SEMI, 0.10, None, None, None),
    ("Sector", BATT, 0.05, None, None, None),
    ("Sector", REN, 0.05, None, None, None),
    ("Sector", BIO, 0.05, None, None, None),
    ("Project", "*", None, 0.10, None, None),
    ("Instrument", "Guarantee", None, 0.25, None, None),
    ("Year", "2026", None, 0.45, None, None),
]

# Event, annual probability, duration, shocks by sector (DC, SEMI, BATT, REN, BIO)
EVENT_ROWS = [
    ("Supreme Court tariff ruling reopens the deal", 0.20, 1, (-0.03, -0.06, -0.05, -0.02, -0.03)),
    ("South China Sea escalation", 0.03, 2, (-0.12, -0.25, -0.15, -0.06, -0.08)),
    ("Global trade disruption", 0.05, 1, (-0.08, -0.12, -0.12, -0.06, -0.05)),
    ("AI demand correction", 0.05, 2, (-0.15, -0.08, 0.0, -0.03, 0.0)),
    ("US clean-energy credit reversal", 0.08, 2, (0.0, 0.0, -0.10, -0.10, 0.0)),
    ("US drug-pricing reform", 0.08, 2, (0.0, 0.0, 0.0, 0.0, -0.10)),
]


def default_scenario() -> Scenario:
    """A fresh copy of the embedded default scenario."""
    sectors = make_table("Sectors", [
        {"Sector": s, "Expected return": mu, "Volatility": vol, "Jobs per USD m": jobs,
         "Value added per USD": va}
        for s, mu, vol, jobs, va in SECTOR_ROWS
    ])
    cols = ["ID", "Project", "Sector", "Sponsor", "State", "Instrument", "Financier", "Requested (USD m)",
            "Minimum ticket (USD m)", "Expected return", "Specific risk", "Coupon or fee", "Recovery rate",
            "Strategic score", "Start year"]
    projects = make_table("Projects", [dict(zip(cols, row, strict=True)) | {"Include": True} for row in PROJECT_ROWS])
    financing = make_table("Financing", [
        {"Financier": f, "Instrument": i, "Capacity (USD m)": c} for f, i, c in FINANCING_ROWS
    ])
    constraints = make_table("Constraints", [
        {"Group": g, "Value": v, "Min share": lo, "Max share": hi, "Min (USD m)": mn, "Max (USD m)": mx}
        for g, v, lo, hi, mn, mx in CONSTRAINT_ROWS
    ])
    events = make_table("Risk events", [
        {"Event": e, "Annual probability": p, "Duration (years)": d} | dict(zip(SECTORS, shocks, strict=True))
        for e, p, d, shocks in EVENT_ROWS
    ], extra=list(SECTORS))
    corr = pd.DataFrame(1.0, index=list(SECTORS), columns=list(SECTORS))
    for (a, b), rho in CORRELATIONS.items():
        corr.at[a, b] = rho
        corr.at[b, a] = rho
    return Scenario(
        fields=dict(FIELDS), sectors=sectors, projects=projects, financing=financing,
        constraints=constraints, risk_events=events, correlations=corr, sources=default_sources(),
    )
