"""Files: open/import workbooks (menu, recent list, drag-and-drop), save, export results, merge.

Opening a workbook starts a new document (:class:`ui.document.Document`) with a new undo
history, as in Word and Excel: unsaved changes are offered for saving first (Save, Discard,
Cancel), and Undo never goes back into another file's content. A workbook with errors is
not opened at all: a non-modal dialog lists every problem located as ``Sheet!Cell`` and
the document stays exactly as it was. Saving writes the scenario as ``.xlsx``; other
readable formats (``.xlsm``, ``.xls``, ``.ods``) are opened but saved as a new ``.xlsx``.
Saving over a file that another program changed since it was opened or saved here asks
first: Overwrite, Save As or Cancel.

Every question is a modal box or file dialog built here (:func:`ask`,
:func:`ask_open_path`, :func:`ask_save_path`); tests answer them as a user would, by
clicking the button of the dialog that is up.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ui.document import FileStamp, same_file
from ui.document import savable_path as savable_path
from ui.issues_panel import wrap_column
from workbench.commands import ReplaceScenario
from workbench.default_scenario import default_scenario
from workbench.issues import Issue

if TYPE_CHECKING:
    from ui.merge_dialog import MergeDialog
    from ui.recovery import RecoveryManager
    from workbench.excel.reader import ImportResult
    from workbench.results import RunResult
    from workbench.scenario import Scenario

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OPEN_FILTER = "Workbooks (*.xlsx *.xlsm *.xls *.ods);;All files (*)"
SAVE_FILTER = "Excel workbook (*.xlsx)"


def dropped_workbook(mime: QMimeData) -> Path | None:
    """The first local workbook file among dropped URLs, else ``None``."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in WORKBOOK_SUFFIXES:
            return Path(url.toLocalFile())
    return None


class ImportProblemsDialog(QDialog):
    """Every problem of a workbook, located as Sheet!Cell (non-modal)."""

    def __init__(self, path: Path, issues: list[Issue], imported: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Problems in {path.name}")
        self.setWindowModality(Qt.WindowModality.NonModal)
        errors = [i for i in issues if i.is_error]
        if imported:
            text = (f"{path.name} was opened, with {len(issues)} warning{'s' if len(issues) != 1 else ''} "
                    "to review:")
        else:
            text = (f"Nothing was imported from {path.name}: it has {len(errors)} error"
                    f"{'s' if len(errors) != 1 else ''}. Your scenario is unchanged. Fix these cells in the "
                    "workbook and open it again:")
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Severity", "Where", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        wrap_column(self.tree, 2)
        for issue in issues:
            item = QTreeWidgetItem(["Error" if issue.is_error else "Warning", issue.location(),
                                    issue.message + (f" {issue.suggestion}" if issue.suggestion else "")])
            item.setToolTip(2, issue.text())
            self.tree.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(820, 360)

    def lines(self) -> list[str]:
        return [" | ".join(self.tree.topLevelItem(i).text(c) for c in range(3))
                for i in range(self.tree.topLevelItemCount())]


def read(window, path: Path) -> Scenario | None:
    """The scenario of a workbook, or ``None`` after showing why it cannot be used."""
    result = read_result(window, path)
    return None if result is None else result.scenario


def read_result(window, path: Path) -> ImportResult | None:
    """The ImportResult of a usable workbook, or ``None`` after showing why it cannot be used."""
    from workbench.excel.untrusted import read_untrusted

    if not path.exists():
        window.message("Cannot open", f"There is no file {path}.")
        return None
    try:
        result = read_untrusted(path)  # in a child process: a crafted file cannot take the window down
    except Exception as exc:  # the reader should report issues; never show a traceback anyway
        log.exception("reading %s", path)
        window.message("Cannot open", f"{path.name} could not be read: {exc}")
        return None
    issues = list(getattr(result, "issues", []))
    scn = getattr(result, "scenario", None)
    if scn is None or any(i.is_error for i in issues):
        if not issues:
            issues = [Issue("error", "The file holds no scenario.", sheet="Scenario")]
        show_problems(window, path, issues, imported=False)
        return None
    warnings = [i for i in issues if not i.is_error]
    if warnings:
        show_problems(window, path, warnings, imported=True)
    return result


def show_problems(window, path: Path, issues: list[Issue], imported: bool) -> ImportProblemsDialog:
    if window.import_dialog is not None:
        window.import_dialog.close()
    window.import_dialog = ImportProblemsDialog(path, issues, imported, window)
    window.import_dialog.show()
    return window.import_dialog


def ask(window, title: str, text: str, informative: str, choices: list[tuple[str, str]],
        default: str, escape: str = "cancel") -> str:
    """A modal question; returns the key of the button clicked (``escape``'s key when the box is closed).

    ``choices`` are ``(key, label)`` pairs; the key ``"cancel"`` gets the reject role.
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, window)
    box.setInformativeText(informative)
    buttons: dict[str, QAbstractButton] = {}
    for key, label in choices:
        role = (QMessageBox.ButtonRole.RejectRole if key == "cancel" else
                QMessageBox.ButtonRole.DestructiveRole if key in ("discard", "overwrite") else
                QMessageBox.ButtonRole.AcceptRole)
        buttons[key] = box.addButton(label, role)
    box.setDefaultButton(buttons[default])  # type: ignore[arg-type]
    if escape in buttons:
        box.setEscapeButton(buttons[escape])
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return next((k for k, b in buttons.items() if b is clicked), escape)


def ask_open_path(window, caption: str) -> str:
    name, _ = QFileDialog.getOpenFileName(window, caption, window.settings.last_folder(), OPEN_FILTER)
    return name


def ask_save_path(window, caption: str, suggested: str) -> str:
    name, _ = QFileDialog.getSaveFileName(window, caption, suggested, SAVE_FILTER)
    return name


def settle_unsaved(window, doing: str) -> bool:
    """Before the document is replaced: True when its unsaved changes were saved or the user let them go.

    ``doing`` completes "Save them before ...?" (e.g. "opening colleague.xlsx").
    """
    if not window.document.modified:
        return True
    answer = window.confirm_unsaved(f"Save them before {doing}?")
    if answer == QMessageBox.StandardButton.Cancel:
        return False
    if answer == QMessageBox.StandardButton.Save:
        return save(window)
    return True


def open_path(window, path: str | Path) -> bool:
    """Open a workbook as a new document (asking to save unsaved changes first); False when nothing changed."""
    path = Path(path)
    stamp = FileStamp.of(path)   # before reading: a change made while it is read shows at the next save
    scn = read(window, path)     # first: a workbook that cannot be opened asks nothing and changes nothing
    if scn is None:
        window.statusBar().showMessage(f"Nothing was imported from {path.name}.", 15_000)
        return False
    if not settle_unsaved(window, f"opening {path.name}"):
        if window.import_dialog is not None:     # its warnings were about a workbook that is not opened after all
            window.import_dialog.close()
        window.statusBar().showMessage(f"{path.name} was not opened.", 15_000)
        return False
    if stamp is None or stamp.changed_on_disk():   # saved over while asking (it was this very file): read it again
        stamp = FileStamp.of(path)
        scn = read(window, path)
        if scn is None:
            window.statusBar().showMessage(f"Nothing was imported from {path.name}.", 15_000)
            return False
    window.document.start(scn, path, stamp)
    window.settings.add_recent_file(path)
    window.settings.set_last_folder(str(path.parent))
    if window.current_path is None:
        window.statusBar().showMessage(f"Opened {path.name}; Save writes it as a new .xlsx workbook.", 15_000)
    else:
        window.statusBar().showMessage(f"Opened {path.name}.", 15_000)
    window._update_title()
    return True


def open_dialog(window) -> bool:
    name = ask_open_path(window, "Open a scenario workbook")
    return open_path(window, name) if name else False


def new_default(window) -> bool:
    """A new document on the default scenario (asking to save unsaved changes first)."""
    if not settle_unsaved(window, "starting from the default scenario"):
        return False
    window.document.start(default_scenario())
    window._update_title()
    return True


def _write(window, path: Path, results: RunResult | None) -> bool:
    from workbench.excel import write_workbook

    try:
        write_workbook(path, window.scenario, results=results)
    except OSError as exc:
        window.message("Cannot save", f"{path} could not be written: {exc.strerror or exc}. Check the folder "
                       "exists, is writable, and the file is not open in Excel.")
        return False
    except Exception as exc:
        log.exception("writing %s", path)
        window.message("Cannot save", f"{path.name} could not be written: {exc}")
        return False
    return True


def _xlsx(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(path.suffix + ".xlsx") if path.suffix.lower() not in WORKBOOK_SUFFIXES \
            else path.with_suffix(".xlsx")
    return path


def save_to(window, path: str | Path) -> bool:
    """Save the scenario to ``path`` (``.xlsx`` added when missing); the document belongs to it from now on.

    Saving to the document's own file when another program changed it since it was opened
    or saved here asks first (:func:`resolve_conflict`).
    """
    path = _xlsx(path)
    doc = window.document
    if same_file(path, doc.path) and doc.changed_on_disk():
        return resolve_conflict(window)
    return _save_here(window, path)


def _save_here(window, path: Path) -> bool:
    if not _write(window, path, None):
        return False
    window.document.saved_to(path)
    window.settings.add_recent_file(path)
    window.settings.set_last_folder(str(path.parent))
    window.statusBar().showMessage(f"Saved {path.name}.", 10_000)
    window._update_title()
    return True


def resolve_conflict(window) -> bool:
    """The document's file changed on disk since it was read or written here: Overwrite, Save As or Cancel."""
    path = window.document.path
    answer = ask(window, "The file changed on disk",
                 f"{path.name} was changed by another program since you opened or saved it here.",
                 "Overwrite it with your scenario (the other program's changes are lost), save your scenario "
                 "as a new workbook, or cancel and look at the file first.",
                 [("overwrite", "Overwrite"), ("save_as", "Save As..."), ("cancel", "Cancel")], default="save_as")
    if answer == "overwrite":
        return _save_here(window, path)
    if answer == "save_as":
        return save_as(window)
    window.statusBar().showMessage(f"Not saved: {path.name} is as the other program left it.", 15_000)
    return False


def save(window) -> bool:
    if window.current_path is None:
        return save_as(window)
    return save_to(window, window.current_path)


def _suggested_name(window, suffix: str = "") -> str:
    folder = window.settings.last_folder() or str(Path.home())
    stem = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in (window.scenario.name or "scenario"))[:60]
    return str(Path(folder) / f"{stem.strip() or 'scenario'}{suffix}.xlsx")


def save_as(window) -> bool:
    name = ask_save_path(window, "Save the scenario as a workbook", _suggested_name(window))
    return save_to(window, name) if name else False


def export_to(window, path: str | Path) -> bool:
    """Write the scenario and the latest results to ``path``."""
    if window.last_result is None:
        window.message("No results yet", "There are no results to export yet: press Run (F5) first, then export.")
        return False
    if window.result_scenario is not None and not window.result_scenario.same_inputs(window.scenario):
        window.message("Results are out of date", "The scenario changed since the last run, so the results "
                       "would not match it. Press Run (F5), then export again.")
        return False
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    if not _write(window, path, window.last_result):
        return False
    window.statusBar().showMessage(f"Exported results to {path}.", 15_000)
    return True


def export_results(window) -> bool:
    if window.last_result is None:
        return export_to(window, "")
    name = ask_save_path(window, "Export the results workbook", _suggested_name(window, " - results"))
    return export_to(window, name) if name else False


def merge_dialog(window, path: str | Path | None = None) -> MergeDialog | None:
    """Pick a colleague's workbook and show the merge dialog (non-modal); the dialog when shown."""
    from ui.merge_dialog import MergeDialog

    if path is None:
        name = ask_open_path(window, "Merge from a colleague's workbook")
        if not name:
            return None
        path = name
    path = Path(path)
    imported = read_result(window, path)
    if imported is None:
        return None
    dialog = MergeDialog(window.scenario, imported, source=path.name, parent=window)
    dialog.merged.connect(window.push)
    window.merge_dialog = dialog
    dialog.show()
    return dialog


# ------------------------------------------------------------ snapshots and recovery
def add_snapshots_dock(window, library: str | None) -> QDockWidget | None:
    """The snapshot library as a dock beside the Issues panel (a damaged library shows its message there)."""
    from ui.snapshots_panel import SnapshotsPanel

    try:
        panel = SnapshotsPanel(library, lambda: window.scenario, lambda: window.last_result)
    except Exception as exc:  # the app opens whatever state the library is in
        log.warning("snapshot library unavailable: %s", exc)
        window.message("Snapshot library unavailable",
                       f"The snapshot library could not be opened: {exc}\nThe rest of the app works; snapshots are "
                       "unavailable until the library is repaired or moved away.")
        return None
    panel.restore_requested.connect(lambda scn: window.push(ReplaceScenario(scn, "Restore snapshot")))
    dock = QDockWidget("Snapshots", window)
    dock.setObjectName("SnapshotsDock")
    scroller = QScrollArea()  # the panel is tall; in a short bottom strip it scrolls instead of squeezing the tables
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QScrollArea.Shape.NoFrame)
    scroller.setWidget(panel)
    dock.setWidget(scroller)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(window.issues_dock, dock)
    window.issues_dock.raise_()
    window.menu_actions.view_menu.addAction(dock.toggleViewAction())
    window.snapshots_panel = panel
    return dock


def start_recovery(window, offer: bool) -> RecoveryManager | None:
    """Autosave of unsaved edits; when ``offer``, ask now whether to restore a crashed session's."""
    from ui.recovery import RecoveryManager

    try:
        manager = RecoveryManager(window, meta=lambda: {"file": str(window.current_path or "")})
    except Exception as exc:  # an unwritable data folder must not stop the app
        log.warning("crash recovery unavailable: %s", exc)
        return None
    if offer:  # before the window shows: a crashed session's edits come back as one undo step
        manager.offer()
    return manager


def autosave(window) -> None:
    manager = getattr(window, "recovery", None)
    if manager is not None:
        manager.schedule()


def shutdown(window) -> None:
    """Before the window closes: stop background work and remove the recovery record."""
    window.run_controller.shutdown()
    compare = getattr(window, "compare_window", None)
    if compare is not None:
        compare.shutdown()
    panel = getattr(window, "snapshots_panel", None)
    if panel is not None:
        panel.shutdown()
    manager = getattr(window, "recovery", None)
    if manager is not None:
        manager.close()
