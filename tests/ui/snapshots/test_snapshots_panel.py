"""The Snapshots panel over a real library: save -> edit -> compare (diff, deltas, waterfall) -> restore."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from ui.snapshots_panel import SnapshotListModel, SnapshotsPanel
from workbench import default_scenario
from workbench.commands import ReplaceScenario, SetCell, SetField
from workbench.diff import diff_scenarios
from workbench.pipeline import run_scenario
from workbench.risk.report import summary_dict
from workbench.snapshots import Library

TRIALS = 2000


class Document:
    """What the main window gives the panel: the current scenario, the last result, an undo history."""

    def __init__(self, scn) -> None:
        self.scenario = scn
        self.result = None
        self.undo: list = []

    def push(self, cmd) -> None:
        self.scenario, inverse = cmd.apply(self.scenario)
        self.undo.append(inverse)
        self.result = None

    def undo_last(self) -> None:
        self.scenario, _ = self.undo.pop().apply(self.scenario)


@pytest.fixture
def doc():
    return Document(SetField("Allocation method", "proportional").apply(default_scenario())[0])


@pytest.fixture
def panel(qtbot, tmp_path, doc):
    lib = Library(tmp_path / "lib.sqlite")
    p = SnapshotsPanel(lib, lambda: doc.scenario, lambda: doc.result)
    p.restore_requested.connect(lambda scn: doc.push(ReplaceScenario(scn, "Restore snapshot")))
    qtbot.addWidget(p)
    p.show()
    yield p
    p.shutdown()
    lib.close()


def test_list_model_passes_the_model_tester(qtmodeltester, tmp_path):
    with Library(tmp_path / "lib.sqlite") as lib:
        base = default_scenario()
        for k in range(3):
            lib.save(base.with_fields(Name=f"s{k}"), note=f"n{k}", tags=("t",))
        model = SnapshotListModel()
        model.set_infos(lib.list())
        qtmodeltester.check(model)
        assert model.index(0, 0).data() == "3" and model.index(0, 3).data() == "n2"


def test_save_edit_compare_restore(qtbot, panel, doc):
    original = doc.scenario
    doc.result = run_scenario(original, trials=TRIALS, stress=False, tornado=False)
    first = panel.save_snapshot("before the meeting")
    assert first == 1 and "Saved snapshot #1" in panel.status.text()
    assert panel.model.infos[0].key_figures()["cvar"] == pytest.approx(summary_dict(doc.result)["cvar"])
    assert panel.proxy.index(0, 5).data() == f"{summary_dict(doc.result)['cvar']:,.0f}"
    assert panel.save_snapshot("before the meeting") == first and "Already saved" in panel.status.text()

    doc.push(SetCell("Projects", 2, "Requested (USD m)", 30000.0))
    doc.push(SetField("Discount rate", 0.07))
    doc.result = run_scenario(doc.scenario, trials=TRIALS, stress=False, tornado=False)
    second = panel.save_snapshot("after the colleague's edits")
    assert panel.library.get(second).parent == first  # derived from the snapshot saved before

    panel.select_ids([first, second])
    assert panel.compare_button.isEnabled()
    cmp = panel.compare_selected()
    expected = diff_scenarios(original, doc.scenario)
    assert panel.comparison.inputs.rowCount() == len(expected.changes) == 2
    cells = {panel.comparison.inputs.item(r, 2).text() for r in range(2)}
    assert cells == {"Requested (USD m)", "Value"}
    figures = [panel.comparison.results.item(r, 0).text() for r in range(panel.comparison.results.rowCount())]
    assert "CVaR (NPV)" in figures and "Expected NPV at the discount rate" in figures
    assert {d.key: d.delta for d in cmp.deltas}["cvar"] == pytest.approx(
        summary_dict(doc.result)["cvar"] - panel.library.get(first).summary["cvar"])

    with qtbot.waitSignal(panel.waterfall_finished, timeout=120_000) as done:
        assert panel.start_waterfall(trials=TRIALS)
    w = done.args[0]
    assert panel.comparison.steps.rowCount() == len(w.steps) + 2 == 4
    assert sum(s.deltas["cvar"] for s in w.steps) == pytest.approx(w.total("cvar"), abs=1e-6)
    assert not panel.comparison.cancel_button.isEnabled()

    panel.select_ids([first])
    restored = panel.restore_selected()
    assert restored.content_hash() == original.content_hash() == doc.scenario.content_hash()
    doc.undo_last()  # one undo step brings the edited scenario back
    assert doc.scenario.content_hash() == panel.library.get(second).content_hash


def test_results_for_other_inputs_are_not_stored(panel, doc):
    doc.result = run_scenario(doc.scenario, trials=TRIALS, stress=False, tornado=False)
    doc.scenario = SetField("Discount rate", 0.06).apply(doc.scenario)[0]  # edited after the run
    sid = panel.save_snapshot("stale result")
    assert panel.library.get(sid).summary is None and "no results" in panel.status.text()


def test_waterfall_cancel(qtbot, panel, doc):
    a = panel.save_snapshot("a")
    doc.push(SetField("Discount rate", 0.07))
    b = panel.save_snapshot("b")
    panel.compare(a, b)
    with qtbot.waitSignal(panel.waterfall_cancelled, timeout=120_000):
        panel.start_waterfall(trials=200_000)
        assert panel.comparison.cancel_button.isEnabled()
        panel.comparison.cancel_button.click()
    assert panel.comparison.steps.rowCount() == 0 and "cancelled" in panel.status.text()


def test_search_delete_undelete_tag_export(qtbot, panel, doc, tmp_path):
    from workbench.excel import read_workbook

    a = panel.save_snapshot("minister briefing")
    doc.push(SetField("Discount rate", 0.07))
    b = panel.save_snapshot("colleague")
    panel.search.setText("minister")
    assert [i.id for i in panel.model.infos] == [a]
    panel.search.clear()
    panel.select_ids([b])
    panel.tag_selected(["board"])
    assert panel.library.get(b).tags == ("board",)
    out = tmp_path / "b.xlsx"
    assert panel.export_snapshot(b, out)
    assert read_workbook(out).scenario.content_hash() == doc.scenario.content_hash()
    panel.delete_selected()
    assert [i.id for i in panel.model.infos] == [a]
    panel.show_deleted.setChecked(True)
    assert [i.id for i in panel.model.infos] == [b] and panel.undelete_button.isVisible()
    panel.select_ids([b])
    panel.undelete_selected()
    panel.show_deleted.setChecked(False)
    assert {i.id for i in panel.model.infos} == {a, b}
    panel.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert panel.proxy.index(0, 0).data() == str(a)


def test_damaged_library_shows_the_message_and_salvage(qtbot, tmp_path, doc):
    path = tmp_path / "lib.sqlite"
    path.write_bytes(os.urandom(8192))
    panel = SnapshotsPanel(path, lambda: doc.scenario, lambda: None)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.library is None and "Salvage" in panel.status.text()
    assert panel.salvage_button.isVisible() and not panel.save_button.isEnabled()
    assert panel.save_snapshot("x") is None
    assert panel.salvage_to(tmp_path / "rescued.sqlite")
    assert panel.library is not None and not panel.salvage_button.isVisible()
    assert panel.save_snapshot("after salvage") == 1
    panel.shutdown()
    panel.library.close()


def test_a_read_only_library_says_so_and_offers_only_reading(qtbot, tmp_path, doc):
    path = tmp_path / "lib.sqlite"
    with Library(path) as lib:
        lib.save(doc.scenario, note="kept")
    lib = Library(path)
    # The tests run as root, who may write anywhere; the library's own permission check
    # (tests/snapshots/test_library_errors.py runs it as an unprivileged user) sets this flag.
    lib.read_only = True
    p = SnapshotsPanel(lib, lambda: doc.scenario, lambda: doc.result)
    qtbot.addWidget(p)
    p.show()
    assert "Read-only library" in p.status.text() and str(path) in p.status.text()
    p.view.selectRow(0)
    assert not p.save_button.isEnabled() and not p.delete_button.isEnabled() and not p.tag_button.isEnabled()
    assert p.restore_button.isEnabled() and p.export_button.isEnabled()
    p.shutdown()
    lib.close()
