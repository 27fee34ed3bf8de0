"""Every validation rule, with a failing case whose issue names the table, row and column."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from workbench import default_scenario, validate
from workbench.commands import DeleteRows, InsertRows, SetCell, SetCorrelation, SetField
from workbench.scenario import make_table


@pytest.fixture(scope="module")
def base():
    return default_scenario()


def row_of(scn, table, key):
    col = {"Projects": "ID", "Sectors": "Sector", "Risk events": "Event", "Financing": "Financier"}[table]
    return scn.table(table)[col].tolist().index(key)


def edit(scn, *commands):
    for cmd in commands:
        scn, _ = cmd.apply(scn)
    return scn


def test_default_scenario_has_no_errors(base):
    issues = validate(base)
    assert [i.text() for i in issues if i.is_error] == []
    assert [i.text() for i in issues] == []


def _set(table, key, column, value):
    def mutate(scn):
        return edit(scn, SetCell(table, row_of(scn, table, key), column, value))
    return mutate


def _field(name, value):
    return lambda scn: edit(scn, SetField(name, value))


def _constraint(**row):
    def mutate(scn):
        n = len(scn.constraints)
        return edit(scn, InsertRows("Constraints", ((n, row),)))
    return mutate


def _corr(a, b, v):
    def mutate(scn):
        corr = scn.correlations.copy()
        corr.at[a, b] = v
        return replace(scn, correlations=corr)
    return mutate


def _events_column(name):
    def mutate(scn):
        events = scn.risk_events.copy()
        events[name] = 0.0
        return scn.with_table("Risk events", events)
    return mutate


CASES = {
    # Scenario fields: required, type, range, choice
    "name required": (_field("Name", ""), "error", "Scenario", "Name", "Value", "required"),
    "size positive": (_field("Programme size (USD bn)", 0), "error", "Scenario", "Programme size (USD bn)",
                      "Value", "above 0"),
    "horizon whole": (_field("Horizon (years)", 2.5), "error", "Scenario", "Horizon (years)", "Value", "whole number"),
    "trials range": (_field("Trials", 10), "error", "Scenario", "Trials", "Value", "1,000"),
    "discount as percent": (_field("Discount rate", 5), "error", "Scenario", "Discount rate", "Value", "0.05"),
    "unknown method": (_field("Allocation method", "max-retrun"), "error", "Scenario", "Allocation method", "Value",
                       'did you mean "max-return"'),
    "copula": (_field("Copula", "clayton"), "error", "Scenario", "Copula", "Value", "gaussian"),
    # cells of the tables: type, range, required, choice, bool
    "requested positive": (_set("Projects", "SC-02", "Requested (USD m)", -5), "error", "Projects", "SC-02",
                           "Requested (USD m)", "above 0"),
    "requested required": (_set("Projects", "SC-02", "Requested (USD m)", None), "error", "Projects", "SC-02",
                           "Requested (USD m)", "required"),
    "fraction above one": (_set("Sectors", "Semiconductors", "Volatility", 30), "error", "Sectors", "Semiconductors",
                           "Volatility", "it is 3000 %. If you meant 30 %, type 30 %"),
    "recovery range": (_set("Projects", "BT-01", "Recovery rate", 1.5), "error", "Projects", "BT-01",
                       "Recovery rate", "from 0 % to 100 %; it is 150 %"),
    "score range": (_set("Projects", "BT-01", "Strategic score", 11), "error", "Projects", "BT-01",
                    "Strategic score", "0 to 10"),
    "instrument choice": (_set("Projects", "RE-01", "Instrument", "Lone"), "error", "Projects", "RE-01",
                          "Instrument", 'did you mean "Loan"'),
    "sector text required": (_set("Sectors", "Biotech & pharma", "Expected return", None), "error", "Sectors",
                             "Biotech & pharma", "Expected return", "required"),
    "financing capacity": (_set("Financing", "NEXI", "Capacity (USD m)", -1), "error", "Financing",
                           "NEXI / Guarantee", "Capacity (USD m)", "at least 0"),
    "event probability": (_set("Risk events", "Global trade disruption", "Annual probability", 2), "error",
                          "Risk events", "Global trade disruption", "Annual probability", "from 0 % to 100 %"),
    # duplicates
    "duplicate id": (_set("Projects", "SC-02", "ID", "SC-01"), "error", "Projects", "SC-01", "ID", "appears twice"),
    # projects
    "unknown sector": (_set("Projects", "SC-02", "Sector", "Semiconductor"), "error", "Projects", "SC-02", "Sector",
                       'did you mean "Semiconductors"'),
    "unknown state": (_set("Projects", "SC-02", "State", "Texsa"), "error", "Projects", "SC-02", "State",
                      'did you mean "Texas"'),
    "ticket above request": (_set("Projects", "BP-05", "Minimum ticket (USD m)", 9_000), "error", "Projects", "BP-05",
                             "Minimum ticket (USD m)", "above the request"),
    "allocated above request": (_set("Projects", "BP-05", "Allocated (USD m)", 9_000), "warning", "Projects",
                                "BP-05", "Allocated (USD m)", "above the request"),
    "start year early": (_set("Projects", "BP-05", "Start year", 2020), "error", "Projects", "BP-05", "Start year",
                         "2026 to 2035"),
    "start year late": (_set("Projects", "BP-05", "Start year", 2036), "error", "Projects", "BP-05", "Start year",
                        "2026 to 2035"),
    # financing
    "unused financier": (_set("Financing", "NEXI", "Financier", "NEXl"), "warning", "Financing", "NEXl / Guarantee",
                         "Financier", 'did you mean "NEXI"'),
    # constraints
    "unknown constraint value": (_constraint(Group="Sector", Value="Semiconductor", **{"Max share": 0.3}), "error",
                                 "Constraints", "row 11", "Value", 'did you mean "Semiconductors"'),
    "total value": (_constraint(Group="Total", Value="all", **{"Max share": 0.9}), "warning", "Constraints",
                    "row 11", "Value", '"*"'),
    "no bounds": (_constraint(Group="Project", Value="DC-01"), "warning", "Constraints", "row 11", "Min share",
                  "sets no limit"),
    "min above max": (_constraint(Group="Sector", Value="*", **{"Min share": 0.5, "Max share": 0.2}), "error",
                      "Constraints", "row 11", "Min share", "above Max share"),
    "min above max amounts": (_constraint(Group="Project", Value="DC-01", **{"Min (USD m)": 9, "Max (USD m)": 1}),
                              "error", "Constraints", "row 11", "Min (USD m)", "above Max (USD m)"),
    "group choice": (_constraint(Group="Sectr", Value="*", **{"Max share": 0.5}), "error", "Constraints", "row 11",
                     "Group", 'did you mean "Sector"'),
    # correlations
    "corr diagonal": (_corr("Data centers", "Data centers", 0.9), "error", "Correlations", "Data centers",
                      "Data centers", "diagonal"),
    "corr range": (lambda s: edit(s, SetCorrelation("Data centers", "Semiconductors", 1.5)), "error", "Correlations",
                   "Data centers", "Semiconductors", "between -1 and 1"),
    "corr symmetric": (_corr("Data centers", "Semiconductors", 0.1), "error", "Correlations", "Data centers",
                       "Semiconductors", "symmetric"),
    "corr label": (lambda s: replace(s, correlations=s.correlations.rename(index={"Semiconductors": "Semis"})),
                   "error", "Correlations", "Semis", None, "not a sector"),
    "corr not psd": (lambda s: edit(s, SetCorrelation("Data centers", "Semiconductors", 0.95),
                                    SetCorrelation("Data centers", "Renewable energy", 0.95),
                                    SetCorrelation("Semiconductors", "Renewable energy", -0.9)),
                     "warning", "Correlations", None, None, "nearest valid matrix"),
    "corr absent": (lambda s: replace(s, correlations=None), "warning", "Correlations", None, None, "independent"),
    # risk events
    "event column": (_events_column("Semiconductor"), "error", "Risk events", "(header)", "Semiconductor",
                     'did you mean "Semiconductors"'),
    "event shock": (_set("Risk events", "Global trade disruption", "Semiconductors", -20), "error", "Risk events",
                    "Global trade disruption", "Semiconductors", "from -5 to 5"),
    "duplicate event": (_set("Risk events", "Global trade disruption", "Event", "South China Sea escalation"), "error",
                        "Risk events", "South China Sea escalation", "Event", "appears twice"),
    # whole tables
    "no sectors": (lambda s: s.with_table("Sectors", s.sectors.iloc[0:0]), "error", "Sectors", None, None, "empty"),
    "no projects": (lambda s: edit(s, DeleteRows("Projects", tuple(range(len(s.projects))))), "error", "Projects",
                    None, None, "empty"),
    "none included": (lambda s: s.with_table("Projects", s.projects.assign(Include=False)), "warning", "Projects",
                      None, "Include", "No project is included"),
    "missing column": (lambda s: s.with_table("Projects", s.projects.drop(columns=["Requested (USD m)"])), "error",
                       "Projects", "(header)", "Requested (USD m)", "no Requested (USD m) column"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rule_reports_table_row_column(base, case):
    mutate, severity, table, row, column, words = CASES[case]
    issues = validate(mutate(base))
    hits = [i for i in issues if i.table == table and i.row == row and i.column == column and words in i.text()]
    assert hits, f"expected {severity} at {table}/{row}/{column} saying {words!r}; got " + "; ".join(
        i.text() for i in issues)
    issue = hits[0]
    assert issue.severity == severity
    text = issue.text()
    for part in (table, row, column):
        if part:
            assert part in text
    # the scenario validated is unchanged: validation never edits
    assert validate(base) == []


def test_all_problems_reported_not_the_first(base):
    scn = edit(base, SetCell("Projects", 0, "Sector", "Nope"), SetCell("Projects", 1, "Recovery rate", 2),
               SetField("Trials", 5))
    errors = [i for i in validate(scn) if i.is_error]
    assert {(i.table, i.column) for i in errors} == {("Projects", "Sector"), ("Projects", "Recovery rate"),
                                                     ("Scenario", "Value")}


def test_row_index_points_at_the_row(base):
    scn = edit(base, SetCell("Projects", 7, "Recovery rate", 3))
    (issue,) = [i for i in validate(scn) if i.column == "Recovery rate"]
    assert issue.row_index == 7
    assert scn.projects.iloc[issue.row_index]["Recovery rate"] == 3


def test_state_by_full_name_is_accepted(base):
    scn = edit(base, SetCell("Projects", 0, "State", "texas"))
    assert validate(scn) == []
    assert scn.projects_effective()["State"].iloc[0] == "TX"


def test_constraint_on_state_given_by_name_matches(base):
    n = len(base.constraints)
    scn = edit(base, InsertRows("Constraints", ((n, {"Group": "State", "Value": "Texas", "Max share": 0.5}),)))
    assert validate(scn) == []


def test_effective_defaults(base):
    scn = edit(base, SetCell("Projects", 1, "Expected return", None), SetCell("Projects", 1, "Start year", None),
               SetCell("Projects", 1, "Specific risk", None))
    p = scn.projects_effective().iloc[1]
    sector_mu = dict(zip(scn.sectors["Sector"], scn.sectors["Expected return"], strict=True))
    assert p["Expected return"] == sector_mu[p["Sector"]]
    assert p["Start year"] == scn.start_year
    assert p["Specific risk"] == pytest.approx(0.10)
    assert math.isnan(scn.projects.iloc[1]["Expected return"])  # the table keeps what the user entered


def test_make_table_keeps_empty_cells_empty():
    frame = make_table("Projects", [{"ID": "A", "Sector": "X", "Requested (USD m)": 5}])
    assert frame["Expected return"].isna().all()
    assert frame["Include"].tolist() == [True]
    assert isinstance(frame, pd.DataFrame)
