"""The Snapshots panel: save with a note, list, search, restore, compare (diff, deltas, waterfall), export.

    panel = SnapshotsPanel(library, get_scenario, get_result)
    panel.restore_requested.connect(lambda scn: window.push(ReplaceScenario(scn, "Restore snapshot")))

* ``library``: a :class:`workbench.snapshots.Library`, or a path (``None``: the default
  library). Given a path, the panel opens it itself; a damaged library then shows its
  message in the panel with a *Salvage...* button, and the rest of the app is unaffected.
* ``get_scenario()`` gives the current Scenario; ``get_result()`` the last RunResult or
  None. A snapshot keeps that result's key figures when the result belongs to the
  scenario being saved (same inputs, whatever trials, seed and method it was run with).
* ``restore_requested(object)`` carries the restored Scenario; the main window pushes it on
  its undo stack as one step. The next save records the restored snapshot as its parent.
* The waterfall runs in a background thread (:class:`ui.runner.RunController`) with
  progress and Cancel; call :meth:`shutdown` before the window closes.

Methods for scripts and tests: ``save_snapshot(note)``, ``refresh()``, ``select_ids(ids)``,
``restore_selected()``, ``compare(old_id, new_id)``, ``start_waterfall()``,
``cancel_waterfall()``, ``export_snapshot(id, path)``, ``delete_selected()``,
``undelete_selected()``, ``tag_selected(tags)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.runner import RunController
from ui.snapshot_compare import ComparisonView
from workbench.snapshots import Library, LibraryError, SnapshotInfo

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario

COLUMNS = ("ID", "Time", "Name", "Note", "Expected NPV (USD m)", "CVaR (USD m)", "Tags")
NUMERIC = {0, 4, 5}


def _money(x: object) -> str:
    return f"{x:,.0f}" if isinstance(x, (int, float)) and not isinstance(x, bool) else ""


class SnapshotListModel(QAbstractTableModel):
    """Rows of SnapshotInfo; Qt.UserRole gives the sort key (numbers sort as numbers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.infos: list[SnapshotInfo] = []

    def set_infos(self, infos: list[SnapshotInfo]) -> None:
        self.beginResetModel()
        self.infos = list(infos)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.infos)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def _values(self, info: SnapshotInfo) -> list[Any]:   # cells: numbers, text, or None (summaries are JSON)
        k = info.key_figures()
        return [info.id, info.time.astimezone().strftime("%Y-%m-%d %H:%M"), info.name, info.note,
                k.get("expected_pnl"), k.get("cvar"), ", ".join(info.tags)]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.infos):
            return None
        info = self.infos[index.row()]
        col = index.column()
        value = self._values(info)[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return _money(value) if col in (4, 5) else str(value)
        if role == Qt.ItemDataRole.UserRole:
            if col in NUMERIC:
                return float(value) if value is not None else float("-inf")
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            parent = f"\nDerived from #{info.parent}" if info.parent is not None else ""
            return (f"#{info.id} saved {info.created_at} by {info.author or 'unknown'} (app {info.app_version})\n"
                    f"Content hash {info.content_hash[:16]}{parent}"
                    + ("\nDeleted (Undelete brings it back)" if info.deleted else ""))
        return None


class SnapshotsPanel(QWidget):
    """The snapshot library as a panel (see the module docstring)."""

    restore_requested = Signal(object)
    saved = Signal(int)
    compared = Signal(object)
    waterfall_finished = Signal(object)
    waterfall_failed = Signal(str)
    waterfall_cancelled = Signal()

    def __init__(self, library: Library | str | os.PathLike[str] | None, get_scenario: Callable[[], Scenario],
                 get_result: Callable[[], RunResult | None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.get_scenario = get_scenario
        self.get_result = get_result or (lambda: None)
        self.library: Library | None = None
        self.library_path: str | os.PathLike[str] | None = None
        self.error = ""
        self.current_parent: int | None = None
        self._pair: tuple[int, int] | None = None
        self._build()
        self.worker = RunController(self, run_function=_waterfall_job, delay_ms=0)
        self.worker.progress.connect(self.comparison.set_progress)
        self.worker.finished.connect(self._waterfall_done)
        self.worker.failed.connect(self._waterfall_error)
        self.worker.cancelled.connect(self._waterfall_stopped)
        app = QCoreApplication.instance()
        if app is not None:  # a waterfall under way never outlives the app
            app.aboutToQuit.connect(self.shutdown)
        self.open_library(library)

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note: why this snapshot (e.g. before the minister's meeting)")
        self.note.returnPressed.connect(self.save_snapshot)
        self.save_button = QPushButton("Save snapshot")
        self.save_button.clicked.connect(lambda: self.save_snapshot())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search notes, names, authors, tags")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.show_deleted = QCheckBox("Deleted")
        self.show_deleted.setToolTip("List deleted snapshots (select one and press Undelete)")
        self.show_deleted.toggled.connect(lambda _on: self.refresh())
        self.model = SnapshotListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.view.setWordWrap(False)
        self.view.doubleClicked.connect(lambda _i: self.restore_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Make the selected snapshot the current scenario (one undo step)")
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Compare two selected snapshots: inputs, key results, waterfall")
        self.export_button = QPushButton("Export...")
        self.tag_button = QPushButton("Tag...")
        self.delete_button = QPushButton("Delete")
        self.undelete_button = QPushButton("Undelete")
        self.restore_button.clicked.connect(lambda: self.restore_selected())
        self.compare_button.clicked.connect(lambda: self.compare_selected())
        self.export_button.clicked.connect(self._export_clicked)
        self.tag_button.clicked.connect(self._tag_clicked)
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.undelete_button.clicked.connect(lambda: self.undelete_selected())
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.salvage_button = QPushButton("Salvage into a new library...")
        self.salvage_button.setVisible(False)
        self.salvage_button.clicked.connect(self._salvage_clicked)
        self.comparison = ComparisonView()
        self.comparison.run_button.clicked.connect(lambda: self.start_waterfall())
        self.comparison.cancel_button.clicked.connect(self.cancel_waterfall)

        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.save_button)
        find = QHBoxLayout()
        find.addWidget(self.search, 1)
        find.addWidget(self.show_deleted)
        buttons = QHBoxLayout()
        for b in (self.restore_button, self.compare_button, self.export_button, self.tag_button,
                  self.delete_button, self.undelete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        for part in (top, find):
            ul.addLayout(part)
        ul.addWidget(self.view, 1)
        ul.addLayout(buttons)
        ul.addWidget(self.status)
        ul.addWidget(self.salvage_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.comparison)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # ---------------------------------------------------------------- library
    def open_library(self, library: Library | str | os.PathLike[str] | None) -> bool:
        """Use ``library`` (an open Library or a path); a damaged one is reported in the panel."""
        if isinstance(library, Library):
            self.library, self.library_path, self.error = library, library.path, ""
        else:
            from workbench.snapshots import library_path

            self.library_path = library_path(library)
            try:
                self.library, self.error = Library(self.library_path), ""
            except LibraryError as exc:
                self.library, self.error = None, str(exc)
        self.salvage_button.setVisible(self.library is None)
        self._say(self.error or self._read_only_note(), error=bool(self.error))
        self.refresh()
        return self.library is not None

    def _read_only_note(self) -> str:
        if self.library is None or not self.library.read_only:
            return ""
        return (f"Read-only library: you may not write {self.library.path} or its folder. You can list, compare, "
                "restore and export its snapshots; saving, tagging and deleting are off.")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")

    def refresh(self) -> None:
        """Reload the list (keeping the selection where possible)."""
        keep = self.selected_ids()
        infos: list[SnapshotInfo] = []
        if self.library is not None:
            try:
                infos = self.library.list(query=self.search.text().strip() or None,
                                          deleted=True if self.show_deleted.isChecked() else False)
            except LibraryError as exc:
                self._say(str(exc), error=True)
        self.model.set_infos(infos)
        self.select_ids(keep)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = self.library is not None
        writable = ok and not self.library.read_only
        n = len(self.selected_ids())
        deleted = self.show_deleted.isChecked()
        self.save_button.setEnabled(writable)
        self.note.setEnabled(writable)
        self.restore_button.setEnabled(ok and n == 1)
        self.export_button.setEnabled(ok and n == 1)
        self.tag_button.setEnabled(writable and n >= 1)
        self.compare_button.setEnabled(ok and n == 2)
        self.delete_button.setVisible(not deleted)
        self.undelete_button.setVisible(deleted)
        self.delete_button.setEnabled(writable and n >= 1)
        self.undelete_button.setEnabled(writable and n >= 1)

    # -------------------------------------------------------------- selection
    def selected_ids(self) -> list[int]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.infos[r].id for r in rows if r < len(self.model.infos)]

    def select_ids(self, ids: list[int]) -> None:
        sel = self.view.selectionModel()
        sel.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r, info in enumerate(self.model.infos):
            if info.id in ids:
                sel.select(self.proxy.mapFromSource(self.model.index(r, 0)), flags)

    # ----------------------------------------------------------------- actions
    def save_snapshot(self, note: str | None = None) -> int | None:
        """Save the current scenario (and the matching result's key figures); return the id."""
        if self.library is None:
            return None
        note = self.note.text().strip() if note is None else note
        scn = self.get_scenario()
        result = _matching_result(scn, self.get_result())
        known = {i.id for i in self.model.infos}
        try:
            sid = self.library.save(scn, note=note, results=result, parent=self.current_parent)
        except LibraryError as exc:
            self._say(str(exc), error=True)
            return None
        self.current_parent = sid
        self.note.clear()
        self.refresh()
        self.select_ids([sid])
        extra = "" if result is not None else " (no results: run the scenario first to keep its key figures)"
        self._say(f"Already saved as #{sid}." if sid in known else f"Saved snapshot #{sid}{extra}.")
        self.saved.emit(sid)
        return sid

    def restore_selected(self) -> Scenario | None:
        ids = self.selected_ids()
        if self.library is None or len(ids) != 1:
            return None
        try:
            scn = self.library.restore(ids[0])
        except LibraryError as exc:
            self._say(str(exc), error=True)
            return None
        self.current_parent = ids[0]
        self._say(f"Restored snapshot #{ids[0]} (Undo brings back what you had).")
        self.restore_requested.emit(scn)
        return scn

    def compare_selected(self):
        """Compare the two selected snapshots, the older one first."""
        ids = sorted(self.selected_ids())
        return self.compare(ids[0], ids[1]) if len(ids) == 2 else None

    def compare(self, old_id: int, new_id: int):
        """Compare two snapshots (input diff and stored key results) and show it; the waterfall is on demand."""
        if self.library is None:
            return None
        self.cancel_waterfall()
        try:
            cmp = self.library.compare(old_id, new_id)
        except LibraryError as exc:
            self._say(str(exc), error=True)
            return None
        self._pair = (old_id, new_id)
        self.comparison.show_comparison(cmp)
        self.compared.emit(cmp)
        return cmp

    def start_waterfall(self, trials: int | None = None) -> bool:
        """Run the waterfall of the shown comparison in the background (progress, Cancel)."""
        if self.library is None or self._pair is None:
            return False
        old, new = (self.library.restore(i) for i in self._pair)
        trials = int(trials or self.comparison.trials.value())
        self.comparison.set_running(True)
        self.worker.start((old, new), trials=trials)
        return True

    def cancel_waterfall(self) -> None:
        if self.worker.is_running():
            self.worker.cancel()

    def _waterfall_done(self, w) -> None:
        self.comparison.set_running(False)
        self.comparison.show_waterfall(w)
        self.waterfall_finished.emit(w)

    def _waterfall_error(self, message: str) -> None:
        self.comparison.set_running(False)
        self._say(f"The waterfall could not be computed: {message}", error=True)
        self.waterfall_failed.emit(message)

    def _waterfall_stopped(self) -> None:
        self.comparison.set_running(False)
        self._say("Waterfall cancelled.")
        self.waterfall_cancelled.emit()

    def export_snapshot(self, sid: int, path: str | os.PathLike[str]) -> bool:
        try:
            self.library.export(sid, path)
        except Exception as exc:  # the writer's message says what went wrong; the old file is untouched
            self._say(f"Could not export snapshot #{sid} to {path}: {exc}", error=True)
            return False
        self._say(f"Snapshot #{sid} exported to {path}.")
        return True

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        for sid in ids:
            self.library.delete(sid)
        self.refresh()
        if ids:
            self._say(f"Deleted {', '.join(f'#{i}' for i in ids)}: tick 'Deleted' and press Undelete to bring back.")

    def undelete_selected(self) -> None:
        for sid in self.selected_ids():
            self.library.undelete(sid)
        self.refresh()

    def tag_selected(self, tags: list[str]) -> None:
        for sid in self.selected_ids():
            self.library.tag(sid, *tags)
        self.refresh()

    def shutdown(self, ms: int = 30_000) -> bool:
        """Stop a waterfall under way and wait for its thread (call before closing)."""
        return self.worker.shutdown(ms)

    # ------------------------------------------------------- dialogs (buttons)
    def _export_clicked(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            path, _ = QFileDialog.getSaveFileName(self, "Export snapshot", f"snapshot-{ids[0]}.xlsx",
                                                  "Excel workbook (*.xlsx)")
            if path:
                self.export_snapshot(ids[0], path)

    def _tag_clicked(self) -> None:
        text, ok = QInputDialog.getText(self, "Tag snapshots", "Tags (comma separated):")
        if ok and text.strip():
            self.tag_selected([t.strip() for t in text.split(",") if t.strip()])

    def _salvage_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Salvage into a new library", "rescued-library.sqlite",
                                              "Snapshot library (*.sqlite)")
        if path:
            self.salvage_to(path)

    def salvage_to(self, path: str | os.PathLike[str]) -> bool:
        """Copy what is readable of the damaged library into ``path`` and switch to it."""
        from workbench.snapshots import salvage

        try:
            report = salvage(self.library_path, path)
        except LibraryError as exc:
            self._say(str(exc), error=True)
            return False
        ok = self.open_library(path)
        self._say(report.message() + (" The panel now uses the new library." if ok else ""))
        return ok


def _matching_result(scn, result):
    """``result`` when it was computed from exactly ``scn`` (the run keeps its input's content hash), else None."""
    if result is None or not getattr(result, "input_hash", ""):
        return None
    return result if scn.content_hash() == result.input_hash else None


def _waterfall_job(pair, *, progress=None, should_cancel=None, trials: int | None = None, **_run_options):
    from workbench.snapshots.compare import waterfall

    old, new = pair
    return waterfall(old, new, trials=trials, progress=progress, should_cancel=should_cancel)
