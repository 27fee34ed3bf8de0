"""The main window: the scenario's tables on the left, the results on the right.

Layout at a laptop's 1440 x 900: a splitter with the table tabs (Scenario, Sectors,
Projects, Financing, Constraints, Correlations, Risk events) beside the results panel,
the Issues panel docked below with the Snapshots panel as a second tab. Menus and
toolbar use the platform's standard shortcuts; Run is F5. The status bar shows the
validation status and, while a run is under way, a progress bar with Cancel.

Public API used by the screenshot mode and the tests: :attr:`scenario`,
:attr:`undo_stack`, :meth:`push`, :meth:`load_scenario`, :meth:`run_now`,
:attr:`run_controller`, :attr:`results_panel`, :meth:`show_view`,
:meth:`set_current_table`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QSplitter, QTabWidget, QWidget

from ui import actions, briefing, estimate, files, run_checks, sources_view, stale, whatif_dialogs
from ui.correlation_view import CorrelationView
from ui.document import Document
from ui.issues_panel import IssuesPanel, summary
from ui.scenario_form import ScenarioForm
from ui.settings import Settings
from ui.status import RunStatus
from ui.table_page import TABLE_TABS, TablePage
from workbench import schema
from workbench.commands import ApplyAllocation
from workbench.default_scenario import default_scenario
from workbench.issues import Issue
from workbench.scenario import Scenario

if TYPE_CHECKING:
    from types import SimpleNamespace

    from ui.files import ImportProblemsDialog
    from ui.merge_dialog import MergeDialog
    from ui.recovery import RecoveryManager
    from ui.runner import RunController
    from ui.snapshots_panel import SnapshotsPanel
    from ui.stale import StaleWiring
    from workbench.commands import Command
    from workbench.results import RunResult

DEFAULT_SIZE = (1440, 900)
#: Share of the window's width the table tabs get by default; the results (plots and tables) get the rest.
TABLES_SHARE = 0.36
#: Default height (pixels) of the Issues/Snapshots strip: the tab bar, the summary line and a few rows.
DOCK_HEIGHT = 120
#: Bump when the docks or toolbars change, so an old saved layout is not restored over the new one.
LAYOUT_VERSION = 2


class MainWindow(QMainWindow):
    """Scenario Workbench's window over one :class:`~ui.document.Document` (the scenario, its file, its undo)."""

    whatif: SimpleNamespace   # the What if menu and its dialogs (ui.whatif_dialogs.install)
    stale: StaleWiring        # the results' stale marks (ui.stale.install)

    def __init__(self, scenario: Scenario | None = None, *, settings: Settings | None = None,
                 library: str | None = None, run_controller: RunController | None = None, restore_layout: bool = True,
                 offer_recovery: bool = False):
        super().__init__()
        self.settings = settings or _default_settings()
        self.document = Document(scenario or default_scenario(), self)
        self.last_result: RunResult | None = None
        #: The last run of a method other than ``fixed`` that allocated something (what "copy" offers).
        self.last_optimised: RunResult | None = None
        self.result_scenario: Scenario | None = None
        self.messages: list[QMessageBox] = []
        self.snapshots_panel: SnapshotsPanel | None = None
        self.recovery: RecoveryManager | None = None
        self.import_dialog: ImportProblemsDialog | None = None
        self.merge_dialog: MergeDialog | None = None
        self.setWindowTitle("Scenario Workbench")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        # tables
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.form = ScenarioForm(self.document)
        self.form.edit_rejected.connect(self.notify)
        self.tabs.addTab(self.form, "Scenario")
        self.pages: dict[str, TablePage | CorrelationView] = {}
        for name in TABLE_TABS[1:]:
            if name == "Correlations":
                page: TablePage | CorrelationView = CorrelationView(self.document, self.notify)
            else:
                page = TablePage(self.document, name, self.notify, self._choices)
            self.pages[name] = page
            self.tabs.addTab(page, name)
        for i, name in enumerate(TABLE_TABS):
            self.tabs.setTabToolTip(i, _tab_tip(name))

        # results and the run
        from ui.results_panel import ResultsPanel
        from ui.runner import RunController

        self.results_panel = ResultsPanel()
        self.run_controller = run_controller or RunController(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.results_panel)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        # issues
        self.issues_panel = IssuesPanel()
        self.issues_panel.issue_activated.connect(self.go_to_issue)
        self.issues_dock = QDockWidget("Issues", self)
        self.issues_dock.setObjectName("IssuesDock")
        self.issues_dock.setWidget(self.issues_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.issues_dock)
        self._had_issues: bool | None = None          # the strip follows the issues: see _follow_issues
        self._collapsed_docks: list[QDockWidget] = []

        self.status = RunStatus(self)
        self.menu_actions = actions.build(self)
        whatif_dialogs.install(self)   # the What if menu, before View
        self.snapshots_dock = files.add_snapshots_dock(self, library)
        self.sources_dock = sources_view.add_sources_dock(self)   # the assumption register, beside Issues
        briefing.install(self)                                      # File > Write briefing...

        self.document.changed.connect(self._on_changed)
        self.document.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.document.file_changed.connect(self._update_title)
        self.run_controller.finished.connect(self._on_run_finished)
        self.run_controller.failed.connect(self._on_run_failed)
        stale.install(self)   # results views marked stale after an edit, cleared stage by stage
        estimate.install(self)   # after an edit: key figures of the first trials at once, labelled, then the exact
        self._on_changed(self.document.scenario)
        self.resize(*DEFAULT_SIZE)
        self._default_split()
        self._layout_restored = restore_layout and self._restore_layout()
        self._follow_issues(bool(self.issues_panel.issues), force=True)   # a restored layout may show an empty strip
        self._restore_tabs()
        self.results_panel.viewChanged.connect(self.settings.set_last_view)
        self.tabs.currentChanged.connect(lambda i: self.settings.set_last_table(TABLE_TABS[i]))
        self.recovery = files.start_recovery(self, offer=offer_recovery)

    # ------------------------------------------------------------ public API
    @property
    def scenario(self) -> Scenario:
        return self.document.scenario

    @property
    def undo_stack(self):
        return self.document.undo_stack

    @property
    def current_path(self) -> Path | None:
        """The ``.xlsx`` file Save writes (``None``: Save asks where)."""
        return self.document.path

    def push(self, command: Command) -> bool:
        """Apply a pure workbench command as one undo step; a refused command changes nothing."""
        try:
            self.document.push(command)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            self.notify(f"Nothing changed: {exc}")
            return False
        return True

    def load_scenario(self, scn: Scenario, path: str | Path | None = None) -> None:
        """Show ``scn`` as a fresh document (no undo history), from ``path`` when given (no questions asked)."""
        self.document.start(scn, path)
        self.last_result = None
        self.result_scenario = None
        self.results_panel.set_result(None)
        self._update_title()

    def run_now(self) -> bool:
        """Run the current scenario in the background (results or a clear message follow by signal).

        A scenario with errors is still handed to the run, which refuses it with the list of
        problems (a message box, like any failed run); the Issues panel is brought forward.
        Returns whether the scenario was free of errors.
        """
        if not run_checks.ready_to_run(self):
            return False
        errors = [i for i in self.document.issues if i.is_error]
        if errors:
            self.issues_dock.show()
            self.issues_dock.raise_()
            self.statusBar().showMessage(f"The scenario has {len(errors)} error{'s' if len(errors) != 1 else ''} "
                                         "to fix before it can run: see the Issues panel.", 15_000)
        self._run_scenario = self.scenario
        self.run_controller.start(self.scenario)
        return not errors

    def apply_allocation(self) -> bool:
        """Write the last run's allocation into Projects' Allocated (USD m), as one undo step."""
        if self.last_result is None:
            self.notify("There is no allocation to apply yet: press Run (F5) first.")
            return False
        return self.push(ApplyAllocation(dict(self.last_result.allocation.amounts)))

    def cancel_run(self) -> None:
        self.run_controller.cancel()

    def show_view(self, name: str) -> None:
        self.results_panel.show_view(name)

    def set_current_table(self, name: str) -> QWidget:
        """Bring the tab of table ``name`` (one of :data:`TABLE_TABS`) to the front."""
        index = TABLE_TABS.index(name)
        self.tabs.setCurrentIndex(index)
        return self.tabs.widget(index)

    def current_page(self) -> Any:
        return self.tabs.currentWidget()

    # --------------------------------------------------------------- issues
    def go_to_issue(self, issue: Issue) -> None:
        """Select the table and the cell an issue is about."""
        if issue is None or issue.table not in TABLE_TABS:
            return
        page = self.set_current_table(issue.table)
        if issue.table == "Scenario":
            self.form.focus_field(issue.row or "")
        elif issue.table == "Correlations":
            page.select_cell(issue.row or issue.column, issue.column)
        elif issue.row_index is not None:
            page.select_cell(issue.row_index, issue.column)
        else:
            page.view.setFocus()

    # -------------------------------------------------------------- messages
    def notify(self, text: str) -> None:
        """A short message in the status bar; long ones (several lines) also in a non-modal box."""
        self.statusBar().showMessage(text.splitlines()[0] if text else "", 15_000)
        if "\n" in text:
            self.message("Scenario Workbench", text)

    def message(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
                details: str = "") -> QMessageBox:
        """A non-modal message box (kept in :attr:`messages` so tests can read and close it)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        if details:
            box.setDetailedText(details)
        box.finished.connect(lambda _r, b=box: self.messages.remove(b) if b in self.messages else None)
        self.messages.append(box)
        box.show()
        return box

    # ------------------------------------------------------------ internals
    def _choices(self, table: str, col: schema.Column) -> tuple[list[str], bool] | None:
        scn = self.scenario
        if table == "Projects" and col.name == "Sector":
            return scn.sector_names, False
        if col.name == "Financier":
            names = {str(x) for x in scn.projects["Financier"] if x} | {str(x) for x in scn.financing["Financier"]
                                                                     if x}
            return sorted(names), True
        if table == "Projects" and col.name == "State":
            return [f"{code}" for code in sorted(schema.US_STATES)], True
        return None

    def _on_changed(self, scn: Scenario) -> None:
        issues = self.document.issues + run_checks.issues(scn)
        self.issues_panel.set_issues(issues)
        self.status.set_validation(summary(issues), any(i.is_error for i in issues))
        self._follow_issues(bool(issues))
        self._update_title()
        stale = self.last_result is not None and (self.result_scenario is None
                                                  or not self.result_scenario.same_inputs(scn))
        self.status.set_stale(stale)
        if self.menu_actions.auto_run.isChecked() and not any(i.is_error for i in issues):
            if run_checks.nothing_to_evaluate(scn):
                self.statusBar().showMessage("Auto-run waits: " + run_checks.MESSAGE, 15_000)
            else:
                self._run_scenario = scn
                self.run_controller.schedule(scn)
        files.autosave(self)

    def _strip_docks(self) -> list[QDockWidget]:
        """The docks of the Issues strip: Issues and the docks tabbed with it (Snapshots, Sources)."""
        return [self.issues_dock, *(d for d in self.tabifiedDockWidgets(self.issues_dock) if d is not None)]

    def _follow_issues(self, has_issues: bool, force: bool = False) -> None:
        """The Issues strip collapses when the scenario has no problems and comes back when it has some.

        When the problems go away, the strip's docks that are docked (not floating) are hidden, so the tables
        and the results take the whole height; the status bar still says "No problems found" and View > Issues
        opens the panel. When problems appear, the docks hidden that way come back with Issues in front.
        """
        if not force and has_issues == self._had_issues:
            return
        self._had_issues = has_issues
        if has_issues:
            for dock in self._collapsed_docks:
                dock.show()
            self._collapsed_docks = []
            self.issues_dock.show()
            self.issues_dock.raise_()
            return
        docks = [d for d in self._strip_docks() if not d.isFloating() and not d.isHidden()]
        for dock in docks:
            dock.hide()
        self._collapsed_docks = [*self._collapsed_docks, *(d for d in docks if d not in self._collapsed_docks)]

    def _on_run_finished(self, run: RunResult) -> None:
        self.last_result = run
        if run_checks.optimised(run):
            self.last_optimised = run
        self.result_scenario = getattr(self, "_run_scenario", self.scenario)
        self.results_panel.set_result(run, self.result_scenario)
        self.status.set_stale(not self.result_scenario.same_inputs(self.scenario))
        run_checks.after_run(self, run)

    def _on_run_failed(self, message: str) -> None:
        self.message("The run did not finish", message)

    def _on_clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _update_title(self) -> None:
        where = self.document.where()
        self.setWindowTitle(f"{self.scenario.name or 'Untitled scenario'} ({where})[*] - Scenario Workbench")
        self.setWindowModified(not self.undo_stack.isClean())

    def _restore_layout(self) -> bool:
        geometry, state, split = (self.settings.window_geometry(), self.settings.window_state(),
                                  self.settings.splitter_state())
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)
        if split is not None:
            self.splitter.restoreState(split)
        return state is not None

    def _restore_tabs(self) -> None:
        """The results view and the table tab that were in front when the app last closed."""
        from ui.results_panel import VIEWS

        view, table = self.settings.last_view(), self.settings.last_table()
        if view in VIEWS:
            self.results_panel.show_view(view)
        if table in TABLE_TABS:
            self.set_current_table(table)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored:  # first start: a short Issues strip, the tables and results above it
            self._layout_restored = True
            self._default_split()
            self.resizeDocks([self.issues_dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)

    def _default_split(self) -> None:
        """Tables on the left (:data:`TABLES_SHARE` of the width), results on the right."""
        total = max(self.width(), DEFAULT_SIZE[0])
        left = int(TABLES_SHARE * total)
        self.splitter.setSizes([left, total - left])

    def reset_layout(self) -> None:
        """Back to the default layout: tables left, results right, Issues (and Snapshots) below."""
        for dock in (self.issues_dock, self.snapshots_dock):
            if dock is not None:
                dock.setFloating(False)
                self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
                dock.show()
        if self.snapshots_dock is not None:
            self.tabifyDockWidget(self.issues_dock, self.snapshots_dock)
        self.issues_dock.raise_()
        self.menu_actions.toolbar.show()
        self.resize(*DEFAULT_SIZE)
        self._default_split()
        self.resizeDocks([self.issues_dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)

    def save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState(LAYOUT_VERSION), self.splitter.saveState())
        self.settings.set_last_view(self.results_panel.current_view())
        self.settings.set_last_table(TABLE_TABS[self.tabs.currentIndex()])
        self.settings.sync()

    # ------------------------------------------------------------- events
    def confirm_unsaved(self, question: str = "Save them before closing?") -> QMessageBox.StandardButton:
        """Ask whether to save unsaved changes: Save, Discard or Cancel (modal)."""
        where = self.current_path.name if self.current_path else "a workbook"
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"The scenario has changes that are not saved in {where}.",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(question)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.undo_stack.isClean():
            answer = self.confirm_unsaved()
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not files.save(self)):
                event.ignore()
                return
        self.save_layout()
        files.shutdown(self)
        briefing.shutdown(self)
        whatif_dialogs.shutdown(self)
        for box in list(self.messages):
            box.close()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if files.dropped_workbook(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = files.dropped_workbook(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        files.open_path(self, path)


def _default_settings() -> Settings:
    """The user's settings; a headless (offscreen) window uses throwaway ones, so screenshots are reproducible
    and never change the user's layout."""
    if QGuiApplication.platformName() == "offscreen" and not os.environ.get("WORKBENCH_SETTINGS_DIR"):
        return Settings(Path(tempfile.mkdtemp(prefix="workbench-settings-")) / "settings.ini")
    return Settings()


def _tab_tip(name: str) -> str:
    if name == "Scenario":
        return "The scenario's settings: name, programme size, years, trials, allocation method."
    if name == "Correlations":
        return "How sector returns move together, as an editable heat map."
    return f"The {name} table."
