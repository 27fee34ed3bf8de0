"""The assumption register: lookups, gaps, edits, and every path a scenario travels."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import openpyxl

from workbench import default_scenario
from workbench.diff import ADDED, CHANGED, REMOVED, diff_scenarios, merge, source_of
from workbench.excel import read_workbook, write_workbook
from workbench.serialize import scenario_from_dict, scenario_to_dict
from workbench.snapshots import Library
from workbench.sources import SetSource, Source, Sources, orphans, overdue, unsourced

KENJI = Source(source="METI survey 2025, table 4", date="2025-09-30", owner="Kenji Sato", grade="A",
               review_by="2026-03-31", note="Rounded to 1 %")


def _bare():
    """The default scenario with an empty register (what a scenario was before the register)."""
    return replace(default_scenario(), sources=Sources())


def test_most_specific_entry_covers_a_number():
    reg = Sources({("Projects", "", ""): Source("sheet"), ("Projects", "", "Specific risk"): Source("column"),
                   ("Projects", "DC-01", ""): Source("row"), ("Projects", "DC-01", "Specific risk"): Source("cell")})
    assert reg.find("Projects", "DC-01", "Specific risk")[1].source == "cell"
    assert reg.find("Projects", "DC-01", "Coupon or fee")[1].source == "row"
    assert reg.find("Projects", "SC-01", "Specific risk")[1].source == "column"
    assert reg.find("Projects", "SC-01", "Coupon or fee")[1].source == "sheet"
    assert reg.find("Sectors", "Data centers", "Volatility") is None
    pair = Sources({("Correlations", "Data centers", "Semiconductors"): Source("pair")})
    assert pair.find("Correlations", "Semiconductors", "Data centers")[1].source == "pair"


def test_default_scenario_carries_its_sources_and_leaves_nothing_unsourced():
    scn = default_scenario()
    assert unsourced(scn) == []
    assert orphans(scn) == []
    hit = scn.sources.find("Scenario", "Programme size (USD bn)", "Value")
    assert hit[1].grade == "A" and "seed-note.md" in hit[1].source
    assert scn.sources.find("Projects", "DC-01", "Requested (USD m)")[1].source.startswith("Seed note")
    assert scn.sources.find("Sectors", "Semiconductors", "Volatility")[1].source == "docs/assumptions.md, Sectors"


def test_unsourced_and_overdue_are_listed():
    scn = _bare()
    gaps = unsourced(scn)
    rows = {(g.table, g.row) for g in gaps}
    assert ("Scenario", "Discount rate") in rows and ("Scenario", "Trials") not in rows
    dc01 = next(g for g in gaps if (g.table, g.row) == ("Projects", "DC-01"))
    assert "Requested (USD m)" in dc01.columns and "Allocated (USD m)" not in dc01.columns
    sourced = scn.sources.with_entry(("Projects", "DC-01", ""), KENJI)
    scn2 = replace(scn, sources=sourced)
    assert ("Projects", "DC-01") not in {(g.table, g.row) for g in unsourced(scn2)}
    assert overdue(scn2, dt.date(2026, 4, 1)) == [(("Projects", "DC-01", ""), KENJI)]
    assert overdue(scn2, dt.date(2026, 3, 31)) == []
    # an entry with no source text does not source anything
    blank = replace(scn, sources=Sources({("Projects", "DC-01", ""): Source(owner="Kenji")}))
    assert ("Projects", "DC-01") in {(g.table, g.row) for g in unsourced(blank)}


def test_set_source_is_a_command_with_its_inverse():
    scn = _bare()
    key = ("Sectors", "Data centers", "Volatility")
    after, undo = SetSource(key, KENJI).apply(scn)
    assert after.sources[key] == KENJI and not scn.sources
    assert after.content_hash() != scn.content_hash()
    assert after.same_inputs(scn) and not after.same_content(scn)   # no model input changed
    back, redo = undo.apply(after)
    assert not back.sources and back.content_hash() == scn.content_hash()
    again, _ = redo.apply(back)
    assert again.content_hash() == after.content_hash()


def test_empty_register_keeps_the_hash_of_before_the_register():
    scn = _bare()
    assert "Sources" not in scn.canonical()
    assert "sources" not in scenario_to_dict(scn)


def test_register_round_trips_through_excel_json_and_snapshots(tmp_path):
    scn = default_scenario()
    scn = replace(scn, sources=scn.sources.with_entry(("Projects", "SC-01", "Coupon or fee"), KENJI)
                  .with_entry(("Constraints", "Sector: *", "Max share"), Source("Cabinet guidance", grade="B")))
    path = tmp_path / "with_sources.xlsx"
    write_workbook(path, scn)
    back = read_workbook(path)
    assert back.ok and not [i for i in back.issues if i.sheet == "Sources"]
    assert back.scenario.sources == scn.sources
    assert back.scenario.content_hash() == scn.content_hash()
    assert scenario_from_dict(scenario_to_dict(scn)).sources == scn.sources
    with Library(tmp_path / "lib.sqlite") as lib:
        sid = lib.save(scn, note="with sources")
        assert lib.restore(sid).sources == scn.sources
        # a source edit is a change of content: a new snapshot, not the old id
        edited = replace(scn, sources=scn.sources.with_entry(("Projects", "SC-01", "Coupon or fee"), None))
        assert lib.save(edited, note="with sources") != sid


def test_workbook_without_sources_sheet_imports_unchanged(tmp_path):
    scn = _bare()
    path = tmp_path / "old.xlsx"
    write_workbook(path, scn)
    wb = openpyxl.load_workbook(path)
    del wb["Sources"]
    wb.save(path)
    got = read_workbook(path)
    assert got.ok
    assert not got.scenario.sources
    assert got.scenario.content_hash() == scn.content_hash()
    assert not [i for i in got.issues if "Sources" in i.text()]


def test_bad_source_rows_are_warnings_naming_the_cell(tmp_path):
    path = tmp_path / "bad.xlsx"
    write_workbook(path, _bare())
    wb = openpyxl.load_workbook(path)
    ws = wb["Sources"]
    ws.append(["Projects", "DC-01", "Expected return", "Sponsor deck", dt.datetime(2025, 5, 1), "Ana", "b",
               "2027-01-31", ""])
    ws.append(["Projetcs", "DC-02", "", "Typo in the sheet"])
    ws.append(["Sectors", "Data centers", "", "Report", "last spring", "", "D", "", ""])
    wb.save(path)
    got = read_workbook(path)
    assert got.ok
    warned = {i.cell: i.text() for i in got.issues if i.sheet == "Sources"}
    assert 'did you mean "Projects"' in warned["A3"]
    assert "not a date" in warned["E4"] and "not A, B or C" in warned["G4"]
    reg = got.scenario.sources
    assert reg[("Projects", "DC-01", "Expected return")] == Source("Sponsor deck", "2025-05-01", "Ana", "B",
                                                                    "2027-01-31")
    assert reg[("Sectors", "Data centers", "")] == Source("Report")
    assert len(reg) == 2


def test_colleagues_sources_merge_with_provenance_and_an_old_workbook_removes_none(tmp_path):
    mine = default_scenario()
    vol = replace(mine.sources[("Sectors", "", "Volatility")], grade="B", review_by="2025-01-01")
    theirs = replace(mine, sources=mine.sources.with_entry(("Projects", "BT-01", "Recovery rate"), KENJI)
                     .with_entry(("Sectors", "", "Volatility"), vol))
    path = tmp_path / "from_kenji.xlsx"
    write_workbook(path, theirs)
    proposal = read_workbook(path)
    d = diff_scenarios(mine, proposal.scenario, where=proposal)
    kinds = {(c.kind, c.table, c.row, c.column) for c in d.changes}
    assert (ADDED, "Sources", "Projects BT-01, Recovery rate", None) in kinds
    assert (CHANGED, "Sources", "Sectors, Volatility (every row)", "Grade, Review by") in kinds
    assert "Grade=\"C\", Review by=\"2027-06-30\" -> Grade=\"B\", Review by=\"2025-01-01\"" in d.text()
    merged = merge(mine, proposal.scenario, d, source=source_of(proposal))
    assert merged.sources == theirs.sources
    assert merged.content_hash() == theirs.content_hash()
    prov = merged.provenance[("Sources", "Projects BT-01, Recovery rate", "Source")]
    assert prov.file == "from_kenji.xlsx" and prov.sheet == "Sources"
    assert [k for k, _ in overdue(merged, dt.date(2026, 12, 4))] == [("Projects", "BT-01", "Recovery rate"),
                                                                      ("Sectors", "", "Volatility")]
    # the same workbook re-exported by the merged scenario keeps the register
    again = tmp_path / "merged.xlsx"
    write_workbook(again, merged)
    assert read_workbook(again).scenario.sources == theirs.sources
    # a colleague's workbook from before the register says nothing about sources
    old = tmp_path / "old.xlsx"
    write_workbook(old, _bare())
    wb = openpyxl.load_workbook(old)
    del wb["Sources"]
    wb.save(old)
    d_old = diff_scenarios(merged, read_workbook(old).scenario)
    assert not [c for c in d_old.changes if c.table == "Sources"]
    assert merge(merged, None, d_old).sources == merged.sources


def test_removed_entry_of_a_register_is_a_change():
    mine = default_scenario()
    theirs = replace(mine, sources=mine.sources.with_entry(("Projects", "DC-01", ""), None))
    d = diff_scenarios(mine, theirs)
    assert [(c.kind, c.row) for c in d.changes] == [(REMOVED, "Projects DC-01 (whole row)")]
    assert merge(mine, theirs, d).sources == theirs.sources


def test_entry_of_a_renamed_row_is_kept_and_listed():
    scn = _bare()
    scn = replace(scn, sources=Sources({("Projects", "DC-01", ""): KENJI}))
    projects = scn.projects.copy()
    projects.loc[projects["ID"] == "DC-01", "ID"] = "DC-99"
    moved = scn.with_table("Projects", projects)
    assert orphans(moved) == [("Projects", "DC-01", "")]
    assert moved.sources == scn.sources


def test_unsourced_is_what_find_says_of_every_input_number():
    from workbench.sources import input_numbers

    scn = default_scenario()
    registers = [scn.sources, Sources(),
                 scn.sources.with_entry(("Projects", "", "Specific risk"), Source(owner="no source text"))
                 .with_entry(("Projects", "SC-02", ""), Source(note="a note only"))
                 .with_entry(("Projects", "SC-03", "Coupon or fee"), Source("cell source"))
                 .with_entry(("Correlations", "", ""), None).with_entry(("Projects", "", ""), None)]
    for reg in registers:
        s = replace(scn, sources=reg)
        expected: dict[tuple[str, str], list[str]] = {}
        for t, r, c in input_numbers(s):
            hit = reg.find(t, r, c)
            if hit is None or not hit[1].has_source:
                expected.setdefault((t, r), []).append(c)
        assert {(g.table, g.row): list(g.columns) for g in unsourced(s)} == expected
    assert expected[("Projects", "SC-02")] and ("Projects", "SC-03") in expected
    assert "Coupon or fee" not in expected[("Projects", "SC-03")]
