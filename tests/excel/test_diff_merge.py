"""Merge from a colleague: diff, accept all or some, provenance beside the content."""

from __future__ import annotations

import openpyxl
import pytest

from workbench import default_scenario
from workbench.diff import ADDED, CHANGED, REMOVED, diff_scenarios, merge, source_of
from workbench.excel import read_workbook, write_workbook


@pytest.fixture
def proposal(tmp_path):
    """A colleague's edit of the template: a changed amount, a new project, a removed one,
    a changed field, a changed correlation."""
    path = tmp_path / "from_kenji.xlsx"
    write_workbook(path, default_scenario())
    wb = openpyxl.load_workbook(path)
    wb["Scenario"]["B4"] = "Kenji Sato"          # Author
    wb["Scenario"]["B5"] = 600                   # Programme size (USD bn)
    ws = wb["Projects"]
    ws["H3"] = 47_000                            # DC-02 Requested
    ws.append(["NEW-1", "New fab", "Semiconductors", "Tokyo Electron", "AZ", "Equity", "JBIC", 5000])
    ws.delete_rows(4)                            # DC-03
    wb["Correlations"]["C2"] = wb["Correlations"]["B3"] = 0.7   # Data centers / Semiconductors, both halves
    wb.save(path)
    result = read_workbook(path)
    assert result.ok, [i.text() for i in result.issues]
    return result


def test_diff_lists_added_removed_and_changed_cells(proposal):
    current = default_scenario()
    d = diff_scenarios(current, proposal.scenario, where=proposal)
    kinds = {(c.kind, c.table, c.row, c.column) for c in d.changes}
    assert (CHANGED, "Projects", "DC-02", "Requested (USD m)") in kinds
    assert (ADDED, "Projects", "NEW-1", None) in kinds
    assert (REMOVED, "Projects", "DC-03", None) in kinds
    assert (CHANGED, "Scenario", "Programme size (USD bn)", "Value") in kinds
    corr = next(c for c in d.changes if c.table == "Correlations")
    assert (corr.old, corr.new) == (0.6, 0.7)
    req = d.by_id["Projects|DC-02|Requested (USD m)"]
    assert (req.old, req.new, req.where) == (45_000.0, 47_000.0, "Projects!H3")
    assert d.summary()["Projects"] == {"added": 1, "removed": 1, "changed": 1}
    assert list(d.by_table()) == ["Scenario", "Projects", "Correlations"]


def test_ids_are_stable_across_runs(proposal):
    a = diff_scenarios(default_scenario(), proposal.scenario)
    b = diff_scenarios(default_scenario(), proposal.scenario, where=proposal)
    assert [c.id for c in a.changes] == [c.id for c in b.changes]


def test_accept_all_gives_the_proposal_and_records_provenance(proposal):
    current = default_scenario()
    d = diff_scenarios(current, proposal.scenario, where=proposal)
    merged = merge(current, proposal.scenario, d, source=source_of(proposal))
    assert merged.content_hash() == proposal.scenario.content_hash()
    assert current.content_hash() == default_scenario().content_hash()  # untouched
    p = merged.provenance[("Projects", "DC-02", "Requested (USD m)")]
    assert (p.file, p.sheet, p.cell, p.author) == ("from_kenji.xlsx", "Projects", "H3", "Kenji Sato")
    assert p.imported_at == proposal.imported_at
    assert merged.provenance[("Scenario", "Programme size (USD bn)", "Value")].cell == "B5"
    new_row = merged.provenance[("Projects", "NEW-1", "Requested (USD m)")]
    assert new_row.sheet == "Projects" and new_row.cell.startswith("H")
    assert merged.provenance[("Correlations", "Data centers", "Semiconductors")].cell == "C2"


def test_accept_chosen_cells_only(proposal):
    current = default_scenario()
    d = diff_scenarios(current, proposal.scenario, where=proposal)
    merged = merge(current, proposal.scenario, d, ["Projects|DC-02|Requested (USD m)", "Projects|NEW-1|+row"],
                   source=source_of(proposal))
    p = merged.projects.set_index("ID")
    assert p.at["DC-02", "Requested (USD m)"] == 47_000 and "NEW-1" in p.index and "DC-03" in p.index
    assert merged.fields["Programme size (USD bn)"] == 550
    assert set(merged.provenance) == {("Projects", "DC-02", "Requested (USD m)")} | {
        ("Projects", "NEW-1", c) for c in ("ID", "Project", "Sector", "Sponsor", "State", "Instrument", "Financier",
                                          "Requested (USD m)", "Include")}
    # what is left to take is exactly what was not accepted
    rest = diff_scenarios(merged, proposal.scenario)
    assert {c.id for c in rest.changes} == {c.id for c in d.changes} - {
        "Projects|DC-02|Requested (USD m)", "Projects|NEW-1|+row"}


def test_provenance_sits_beside_the_content(proposal):
    current = default_scenario()
    d = diff_scenarios(current, proposal.scenario, where=proposal)
    merged = merge(current, proposal.scenario, d, ["Projects|DC-02|Requested (USD m)"], source=source_of(proposal))
    plain = merge(current, proposal.scenario, d, ["Projects|DC-02|Requested (USD m)"])
    assert merged.provenance and not plain.provenance
    assert merged.content_hash() == plain.content_hash()


def test_removing_a_row_drops_its_provenance(proposal):
    current = default_scenario()
    d = diff_scenarios(current, proposal.scenario, where=proposal)
    once = merge(current, proposal.scenario, d, ["Projects|NEW-1|+row"], source=source_of(proposal))
    back = diff_scenarios(once, current)
    again = merge(once, current, back, ["Projects|NEW-1|-row"])
    assert not any(k[1] == "NEW-1" for k in again.provenance)
    assert again.content_hash() == current.content_hash()


def test_no_differences(tmp_path):
    path = tmp_path / "same.xlsx"
    write_workbook(path, default_scenario())
    d = diff_scenarios(default_scenario(), read_workbook(path).scenario)
    assert d.is_empty and d.text() == "No differences."
