"""Every table model passes pytest-qt's model tester, before and after edits and resets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from ui.correlation_view import CorrelationModel
from ui.table_model import SORT_ROLE, ScenarioTableModel, TableProxy
from ui.undo import ScenarioDocument
from workbench.commands import DeleteRows, InsertRows, SetCell, SetCorrelation
from workbench.default_scenario import default_scenario

TABLES = ("Sectors", "Projects", "Financing", "Constraints", "Risk events")


@pytest.mark.parametrize("table", TABLES)
def test_table_model_passes_model_tester(qtmodeltester, table):
    doc = ScenarioDocument(default_scenario())
    model = ScenarioTableModel(doc, table)
    frame = doc.scenario.table(table)
    assert (model.rowCount(), model.columnCount()) == frame.shape
    qtmodeltester.check(model)
    doc.push(InsertRows(table, ((0, {}),)))          # shape changes: reset
    assert model.rowCount() == len(frame) + 1
    qtmodeltester.check(model)
    doc.push(DeleteRows(table, (0, 1)))
    assert model.rowCount() == len(frame) - 1
    qtmodeltester.check(model)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert model.rowCount() == len(frame)


@pytest.mark.parametrize("table", TABLES)
def test_proxy_passes_model_tester(qtmodeltester, table):
    doc = ScenarioDocument(default_scenario())
    model = ScenarioTableModel(doc, table)
    proxy = TableProxy()
    proxy.setSourceModel(model)
    proxy.sort(0)
    qtmodeltester.check(proxy)
    proxy.setFilterFixedString("a")
    qtmodeltester.check(proxy)


def test_correlation_model_passes_model_tester(qtmodeltester):
    doc = ScenarioDocument(default_scenario())
    model = CorrelationModel(doc)
    n = len(doc.scenario.sector_names)
    assert (model.rowCount(), model.columnCount()) == (n, n)
    qtmodeltester.check(model)
    doc.push(SetCorrelation("Data centers", "Semiconductors", -0.2))
    qtmodeltester.check(model)
    doc.push(InsertRows("Sectors", ((n, {"Sector": "Robotics", "Expected return": 0.07, "Volatility": 0.2}),)))
    assert model.rowCount() == n + 1
    qtmodeltester.check(model)


def test_model_shows_percent_and_money_and_edits_through_commands(qtbot):
    doc = ScenarioDocument(default_scenario())
    model = ScenarioTableModel(doc, "Projects")
    col_req = model.column_index("Requested (USD m)")
    col_risk = model.column_index("Specific risk")
    req = doc.scenario.projects.at[0, "Requested (USD m)"]
    risk = doc.scenario.projects.at[0, "Specific risk"]
    assert model.index(0, col_req).data() == f"{int(req):,}"
    assert model.index(0, col_risk).data() == f"{risk * 100:g} %"
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(model.index(0, col_req), 1234.5)
    assert doc.scenario.projects.at[0, "Requested (USD m)"] == 1234.5
    assert model.index(0, col_req).data() == "1,234.5"
    doc.push(SetCell("Projects", 0, "Specific risk", 0.125))
    assert model.index(0, col_risk).data() == "12.5 %"


def test_proxy_sorts_numbers_as_numbers_with_empty_last():
    doc = ScenarioDocument(default_scenario())
    model = ScenarioTableModel(doc, "Projects")
    proxy = TableProxy()
    proxy.setSourceModel(model)
    col = model.column_index("Expected return")
    proxy.sort(col)
    values = [proxy.index(r, col).data(SORT_ROLE)
              for r in range(proxy.rowCount())]
    raw = list(doc.scenario.projects["Expected return"])
    given = sorted(v for v in raw if v == v)
    assert values[: len(given)] == given
    assert all(v is None for v in values[len(given):])


def test_sorted_and_filtered_view_edits_the_right_rows(qtmodeltester):
    doc = ScenarioDocument(default_scenario())
    model = ScenarioTableModel(doc, "Projects")
    proxy = TableProxy()
    proxy.setSourceModel(model)
    col = model.column_index("Requested (USD m)")
    proxy.sort(col, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    req = doc.scenario.projects["Requested (USD m)"]
    shown = [proxy.index(r, col).data(Qt.ItemDataRole.EditRole) for r in range(proxy.rowCount())]
    assert shown == sorted(req, reverse=True)
    top_position = int(req.to_numpy().argmax())
    persistent = QPersistentModelIndex(proxy.index(0, col))
    assert proxy.setData(proxy.index(0, col), 1.0)                   # the largest request becomes the smallest
    assert doc.scenario.projects.at[top_position, "Requested (USD m)"] == 1.0
    assert persistent.row() == 0                                       # edits do not reorder under the user
    proxy.sort(col, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, col).data(Qt.ItemDataRole.EditRole) == 1.0
    assert proxy.headerData(0, Qt.Orientation.Vertical) == str(top_position + 1)  # row numbers stay the table's
    proxy.setFilterFixedString("semiconductors")
    expected = int((doc.scenario.projects["Sector"] == "Semiconductors").sum())
    assert proxy.rowCount() == expected
    qtmodeltester.check(proxy)


def test_issues_panel_lists_every_problem_up_to_a_cap(qtbot):
    from ui.issues_panel import MAX_SHOWN, IssuesPanel
    from workbench.issues import ERROR, WARNING, Issue

    panel = IssuesPanel()
    qtbot.addWidget(panel)
    few = [Issue(ERROR, "bad", table="Projects", row="P1", column="Sector", row_index=0),
           Issue(WARNING, "odd", table="Financing", row="JBIC / Loan", column="Financier", row_index=1)]
    panel.set_issues(few)
    assert panel.tree.topLevelItemCount() == 2 and panel.header.text() == "1 error, 1 warning"
    with qtbot.waitSignal(panel.issue_activated) as got:
        panel.activate_row(1)
    assert got.args == [few[1]]
    many = [Issue(WARNING, f"w{i}", table="Projects", row=f"P{i}", row_index=i) for i in range(MAX_SHOWN + 5)]
    panel.set_issues(many)
    assert panel.tree.topLevelItemCount() == MAX_SHOWN + 1
    assert "5 more" in panel.tree.topLevelItem(MAX_SHOWN).text(2)
    assert panel.header.text() == f"{MAX_SHOWN + 5:,} warnings"
