"""Menus and the toolbar of the main window, with the platform's standard shortcuts."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from types import SimpleNamespace

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QMessageBox, QStyle, QToolBar

from ui import compare_view, files, help, repair
from ui.settings import preferences_dialog

Key = QKeySequence.StandardKey


def _action(window, text: str, slot, shortcut=None, tip: str = "", icon: QStyle.StandardPixmap | None = None,
            checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, Key)
                            else [QKeySequence(shortcut)])
    if tip:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    action.setCheckable(checkable)
    if slot is not None and checkable:
        action.toggled.connect(slot)
    elif slot is not None:
        action.triggered.connect(lambda _checked=False, s=slot: s())
    return action


def _on_page(window, method: str) -> None:
    """Run a table command on the current tab, or let a focused text box handle copy/paste itself."""
    focus = QApplication.focusWidget()
    if isinstance(focus, QLineEdit) and method in ("copy", "paste", "clear_cells"):
        {"copy": focus.copy, "paste": focus.paste, "clear_cells": focus.del_}[method]()
        return
    page = window.current_page()
    fn = getattr(page, method, None)
    if fn is None:
        window.notify("Choose a table first: this works on the tables, not on the Scenario form.")
        return
    fn()


def _find(window) -> None:
    page = window.current_page()
    box = getattr(page, "filter", None)
    if box is None:
        window.set_current_table("Projects")
        box = window.current_page().filter
    box.setFocus()
    box.selectAll()


def build(window) -> SimpleNamespace:
    sp = QStyle.StandardPixmap
    stack = window.undo_stack
    a = SimpleNamespace()
    a.new = _action(window, "&New from the default scenario", partial(files.new_default, window), Key.New,
                    "Start a new document from the built-in default scenario (unsaved changes are offered for "
                    "saving first).", sp.SP_FileIcon)
    a.open = _action(window, "&Open workbook...", partial(files.open_dialog, window), Key.Open,
                     "Open a scenario workbook (.xlsx, .xlsm, .xls, .ods); you can also drop one on the window.",
                     sp.SP_DialogOpenButton)
    a.merge = _action(window, "&Merge from a colleague's workbook...", partial(files.merge_dialog, window),
                      "Ctrl+Shift+M", "Compare a colleague's workbook with yours and choose which changes to "
                      "take.", sp.SP_FileDialogContentsView)
    a.save = _action(window, "&Save", partial(files.save, window), Key.Save,
                     "Save the scenario as an .xlsx workbook.", sp.SP_DialogSaveButton)
    a.save_as = _action(window, "Save &As...", partial(files.save_as, window), Key.SaveAs,
                        "Save the scenario to a new workbook.")
    a.export = _action(window, "&Export results workbook...", partial(files.export_results, window), "Ctrl+E",
                       "Write the scenario and the latest results to a workbook for colleagues.",
                       sp.SP_ArrowDown)
    a.quit = _action(window, "&Quit", window.close, Key.Quit, "Close Scenario Workbench.")
    a.undo = stack.createUndoAction(window, "&Undo")
    a.undo.setShortcuts(QKeySequence.keyBindings(Key.Undo))
    a.undo.setIcon(window.style().standardIcon(sp.SP_ArrowBack))
    a.undo.setIconText("Undo")   # the toolbar's label; the menu item says what (Undo Edit Projects ...)
    a.redo = stack.createRedoAction(window, "&Redo")
    a.redo.setShortcuts(QKeySequence.keyBindings(Key.Redo))
    a.redo.setIcon(window.style().standardIcon(sp.SP_ArrowForward))
    a.redo.setIconText("Redo")
    a.copy = _action(window, "&Copy", partial(_on_page, window, "copy"), Key.Copy,
                     "Copy the selected cells (paste them into Excel).")
    a.paste = _action(window, "&Paste", partial(_on_page, window, "paste"), Key.Paste,
                      "Paste cells copied from Excel or from this table at the selected cell (one undo step).")
    a.delete = _action(window, "C&lear cells", partial(_on_page, window, "clear_cells"), Key.Delete,
                       "Empty the selected cells (their defaults then apply).")
    a.find = _action(window, "&Find / filter rows", partial(_find, window), Key.Find,
                     "Show only the rows containing a text.")
    a.add_row = _action(window, "&Add row", partial(_on_page, window, "add_row"), "Ctrl+I",
                        "Add a row to the current table.")
    a.duplicate = _action(window, "D&uplicate rows", partial(_on_page, window, "duplicate_rows"), "Ctrl+D",
                          "Copy the selected rows.")
    a.delete_rows = _action(window, "&Delete rows", partial(_on_page, window, "delete_rows"), "Ctrl+-",
                            "Delete the selected rows.")
    a.run = _action(window, "&Run", window.run_now, "F5",
                    "Allocate the programme and simulate its risk, in the background.", sp.SP_MediaPlay)
    a.cancel = _action(window, "&Cancel run", window.cancel_run, "Shift+F5", "Stop the run under way.",
                       sp.SP_MediaStop)
    a.cancel.setEnabled(False)
    a.apply_allocation = _action(window, "&Apply allocation to Projects", window.apply_allocation, None,
                                 "Write the last run's allocation into the Allocated (USD m) column (one undo "
                                 "step); the method fixed then evaluates it.")
    a.auto_run = _action(window, "&Auto-run after edits", window.settings.set_auto_run, None,
                         "Re-run a moment after you stop editing.", checkable=True)
    a.auto_run.setChecked(window.settings.auto_run())
    a.preferences = _action(window, "Pre&ferences...", partial(preferences_dialog, window), Key.Preferences,
                            "Auto-run, window layout, where settings are kept.")
    if a.preferences.shortcut().isEmpty():
        a.preferences.setShortcut(QKeySequence("Ctrl+,"))
    a.reset_layout = _action(window, "Reset &layout", window.reset_layout, None,
                             "Tables left, results right, Issues below, at the default size.")

    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    for act in (a.new, a.open):
        file_menu.addAction(act)
    a.recent_menu = file_menu.addMenu("Open &recent")
    a.recent_menu.aboutToShow.connect(partial(_fill_recent, window, a.recent_menu))
    _fill_recent(window, a.recent_menu)
    file_menu.addAction(a.merge)
    file_menu.addSeparator()
    for act in (a.save, a.save_as, a.export):
        file_menu.addAction(act)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)

    edit_menu = menu.addMenu("&Edit")
    for act in (a.undo, a.redo, None, a.copy, a.paste, a.delete, None, a.add_row, a.duplicate, a.delete_rows,
                None, a.find, None, a.preferences):
        edit_menu.addSeparator() if act is None else edit_menu.addAction(act)

    run_menu = menu.addMenu("&Run")
    for act in (a.run, a.cancel, a.auto_run, a.apply_allocation):
        run_menu.addAction(act)
    a.repair = repair.install(window, run_menu)   # 'Apply these changes' after an infeasible run
    run_menu.addSeparator()
    compare_menu = run_menu.addMenu("Compare &with...")
    a.compare_snapshot = _action(window, "A &snapshot...", partial(compare_view.compare_with_snapshot, window), None,
                                 "Compare the current results with a snapshot of the library: key figures, "
                                 "distributions, allocation, and the waterfall of what moved the result.")
    a.compare_workbook = _action(window, "A &workbook...", partial(compare_view.compare_with_workbook, window), None,
                                 "Compare the current results with a colleague's workbook (run in the background "
                                 "with the same trials and seed).")
    compare_menu.addAction(a.compare_snapshot)
    compare_menu.addAction(a.compare_workbook)

    view_menu = menu.addMenu("&View")
    tables = view_menu.addMenu("&Tables")
    from ui.results_panel import VIEWS
    from ui.table_page import TABLE_TABS

    for i, name in enumerate(TABLE_TABS):
        act = tables.addAction(name, partial(window.set_current_table, name))
        act.setShortcut(QKeySequence(f"Alt+{i + 1}"))
    results = view_menu.addMenu("&Results")
    for i, (name, title) in enumerate(VIEWS.items()):
        act = results.addAction(title, partial(window.show_view, name))
        if i < 9:
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
    view_menu.addSeparator()
    view_menu.addAction(window.issues_dock.toggleViewAction())
    view_menu.addAction(a.reset_layout)
    a.view_menu = view_menu

    help_menu = menu.addMenu("&Help")
    a.help_guides = {}
    for i, (key, (title, _file)) in enumerate(help.GUIDES.items()):
        act = help_menu.addAction(f"&{title}", partial(help.show_help, window, key))
        act.setStatusTip(f"Read the {title.lower()} in a window of its own (searchable, offline).")
        if i == 0:
            act.setShortcuts(QKeySequence.keyBindings(Key.HelpContents))
        a.help_guides[key] = act
    help_menu.addSeparator()
    help_menu.addAction("&Quick start", partial(_quick_start, window))
    help_menu.addAction("&About Scenario Workbench", partial(_about, window))

    toolbar = QToolBar("Main toolbar", window)
    toolbar.setObjectName("MainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for act in (a.open, a.save, None, a.undo, a.redo, None, a.run, a.cancel, a.auto_run, None, a.merge,
                a.export):
        toolbar.addSeparator() if act is None else toolbar.addAction(act)
    toolbar.widgetForAction(a.auto_run).setText("Auto-run")   # Undo and Redo show their icon text
    for act, stack_signal in ((a.undo, stack.undoTextChanged), (a.redo, stack.redoTextChanged)):
        stack_signal.connect(partial(_tip_what, act))
        _tip_what(act)
    window.addToolBar(toolbar)
    a.toolbar = toolbar
    window.addActions([a.find])
    for act in (a.copy, a.paste, a.delete):  # only while the tables have the focus: other panels copy their own
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        window.tabs.addAction(act)
    return a


def _tip_what(action: QAction, _text: str = "") -> None:
    """The toolbar's Undo/Redo tooltip says what it undoes or redoes, and its key."""
    if not shiboken6.isValid(action):   # the window is being destroyed; its stack still says goodbye
        return
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    what = action.text().replace("&", "") if action.isEnabled() else f"Nothing to {action.iconText().lower()}"
    action.setToolTip(f"{what} ({keys})" if keys else what)


def _fill_recent(window, menu: QMenu) -> None:
    menu.clear()
    recent = window.settings.recent_files()
    if not recent:
        menu.addAction("(no recent workbooks)").setEnabled(False)
        return
    for path in recent:
        menu.addAction(Path(path).name, partial(files.open_path, window, path)).setToolTip(path)
    menu.addSeparator()
    menu.addAction("Clear the list", window.settings.clear_recent_files)


QUICK_START = """<h3>Quick start</h3>
<ol>
<li><b>Run</b> (F5) allocates the programme and simulates its risk; the results appear on the right.</li>
<li><b>Edit</b> any cell (double-click or just type). Fractions are percentages: type 8.5 for 8.5 %.
Invalid cells turn red; hover for the reason. The Issues panel lists every problem: click one to go there.</li>
<li><b>Undo</b> (Ctrl+Z) and <b>Redo</b> (Ctrl+Shift+Z / Ctrl+Y) every edit; the Edit menu says what.</li>
<li><b>Copy and paste</b> blocks of cells to and from Excel.</li>
<li><b>Open</b> a colleague's workbook (Ctrl+O or drop it on the window), or <b>Merge</b> it to pick changes.</li>
<li><b>Export results</b> (Ctrl+E) writes the scenario and the results to a workbook.</li>
</ol>"""


def _quick_start(window) -> None:
    window.message("Quick start", QUICK_START, icon=QMessageBox.Icon.Information)


def _about(window) -> None:
    window.message("About Scenario Workbench",
                   "Scenario Workbench: plan the allocation and risk of an investment programme. "
                   f"Settings are kept in {window.settings.path}.", icon=QMessageBox.Icon.Information)
