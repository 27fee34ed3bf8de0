"""The default scenario's assumption register: the sources ``docs/assumptions.md`` gives.

The seed note (``docs/contracts/seed-note.md``) gives the programme's size, sectors,
financiers, the SoftBank-led data center project and three of the risks; everything
else is an illustrative assumption whose reasoning is in ``docs/assumptions.md``. The
grades say so: A for the seed's headline figure, B for numbers of the order of published
data, C for illustrative judgement.
"""

from __future__ import annotations

from workbench.sources import Source, Sources

DATE = "2026-11-24"           # when the default scenario's numbers were set
REVIEW_BY = "2027-06-30"
OWNER = "Scenario Workbench (default scenario)"
SEED = "Seed note, docs/contracts/seed-note.md"
NOTES = "docs/assumptions.md"

SEED_EVENTS = ("Supreme Court tariff ruling reopens the deal", "South China Sea escalation", "Global trade disruption")


def _src(source: str, grade: str, note: str = "") -> Source:
    return Source(source=source, date=DATE, owner=OWNER, grade=grade, review_by=REVIEW_BY, note=note)


def default_sources() -> Sources:
    """The register of :func:`workbench.default_scenario.default_scenario`."""
    entries = {
        ("Scenario", "Programme size (USD bn)", "Value"):
            _src(SEED, "A", "The headline commitment: USD 550 bn."),
        ("Scenario", "Discount rate", "Value"):
            _src(f"{NOTES}, Scenario fields", "B",
                 "Roughly a long-dated USD government yield plus a small policy premium."),
        ("Scenario", "JPY per USD", "Value"):
            _src(f"{NOTES}, Scenario fields", "B", "Near the 2025 average rate; only converts yen amounts."),
        ("Scenario", "Default threshold", "Value"):
            _src(f"{NOTES}, Scenario fields", "C",
                 "With the scenario's volatilities the data-center and biotech loans are BB risks and the "
                 "semiconductor and battery loans single-B: policy lending below the market price of its risk "
                 "(docs/assumptions.md, Loans)."),
        ("Sectors", "", "Expected return"):
            _src(f"{NOTES}, Sectors", "C",
                 "Before risk events; the events then take a few points a year off growth "
                 "(docs/assumptions.md gives each sector's cut and its return net of events)."),
        ("Sectors", "", "Volatility"):
            _src(f"{NOTES}, Sectors", "C", "Illustrative: contracted energy lowest, semiconductors highest."),
        ("Sectors", "", "Jobs per USD m"):
            _src(f"{NOTES}, Sectors", "B", "Of the order of published US input-output multipliers, rounded."),
        ("Sectors", "", "Value added per USD"):
            _src(f"{NOTES}, Sectors", "B", "Of the order of published US input-output multipliers, rounded."),
        ("Correlations", "", ""):
            _src(f"{NOTES}, Correlations", "C", "Shared cycles and drivers; the matrix is positive definite."),
        ("Projects", "", ""):
            _src(f"{NOTES}, Projects", "C", "An illustrative pipeline of 25 candidates; the seed lists no projects."),
        ("Projects", "DC-01", ""):
            _src(f"{SEED}: the SoftBank-led data center project named first", "C",
                 "The project is the seed's; its amounts and rates are illustrative."),
        ("Financing", "", ""):
            _src(f"{NOTES}, Financing capacities", "C",
                 "Financiers from the seed note; capacities illustrative (USD 570 bn in all)."),
        ("Constraints", "", ""):
            _src(f"{NOTES}, Constraints", "C", "What a policy team would set; not an official limit."),
        ("Risk events", "", ""):
            _src(f"{NOTES}, Risk events", "C", "An analyst's additions; probabilities and shocks illustrative."),
    }
    for event in SEED_EVENTS:
        entries[("Risk events", event, "")] = _src(
            f"{SEED} (names the risk); {NOTES}, Risk events", "C",
            "The risk is the seed's; its probability, duration and shocks are illustrative.")
    return Sources(entries)
