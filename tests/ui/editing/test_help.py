"""Help inside the app, labelled Undo/Redo, tabs restored on restart, wrapped problem texts (the real window)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from ui import help
from ui.main_window import MainWindow
from workbench.commands import SetField
from workbench.issues import Issue

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_help_menu_opens_each_guide_rendered_from_the_shipped_markdown(window):
    for key, (title, name) in help.GUIDES.items():
        window.menu_actions.help_guides[key].trigger()
        dialog = window.help_window
        assert dialog.isVisible() and dialog.current == key
        text = dialog.rendered_text()
        first_heading = next(line for line in (DOCS / name).read_text(encoding="utf-8").splitlines()
                             if line.startswith("# "))[2:]
        assert text.startswith(first_heading)              # rendered: the heading without its '#'
        assert "**" not in text[:2000] and "| --- |" not in text and "|---|" not in text
        assert title in [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert window.menu_actions.help_guides["user-guide"].shortcut().toString() == "F1"


def test_help_search_finds_a_word_in_every_guide_and_goes_there(window):
    dialog = help.show_help(window, "user-guide")
    word = "openpyxl"
    holding = {key for key, (_t, name) in help.GUIDES.items()
               if word in (DOCS / name).read_text(encoding="utf-8").lower()}
    assert holding and "user-guide" not in holding       # the word must lead out of the guide shown
    dialog.query.setText(word)
    hits = dialog.hit_list()
    assert {h.guide for h in hits} == holding
    dialog.hits.itemClicked.emit(dialog.hits.item(0))
    assert dialog.current == hits[0].guide
    assert dialog.browser.textCursor().selectedText().lower() == word

    dialog.query.setText("CVaR")
    assert dialog.highlight() == dialog.rendered_text().lower().count("cvar")   # every match marked
    guides = {h.guide for h in dialog.hit_list()}
    assert guides == {key for key, (_t, name) in help.GUIDES.items()
                      if "cvar" in (DOCS / name).read_text(encoding="utf-8").lower()}
    assert len(guides) >= 2 and "matches in" in dialog.count.text()
    dialog.query.setText("no guide says zqxj")
    assert dialog.hit_list() == [] and "No guide mentions" in dialog.count.text()


def test_links_between_guides_stay_inside_and_web_links_are_not_followed(window):
    from PySide6.QtCore import QUrl

    dialog = help.show_help(window, "user-guide")
    dialog.browser.anchorClicked.emit(QUrl("results-guide.md"))
    assert dialog.current == "results-guide"
    dialog.browser.anchorClicked.emit(QUrl("https://example.org/page"))
    assert dialog.current == "results-guide" and "Not opened here" in dialog.where.text()


def test_search_reads_markdown_as_shown():
    texts = {"user-guide": "# Top\n\nSome **bold** text about `Run`.\n\n## Files\n| a | Run it |\n"}
    hits = help.search(texts, "run")
    assert [(h.section, h.occurrence) for h in hits] == [("Top", 0), ("Files", 1)]
    twice = help.search({"user-guide": "Run, run and run again.\n\nThen run."}, "run")
    assert [h.occurrence for h in twice] == [0, 3]             # one hit per line, at its first occurrence
    assert hits[0].line == "Some bold text about Run."


def test_guides_are_found_in_a_bundle_folder(monkeypatch, tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "docs").mkdir(parents=True)
    for _title, name in help.GUIDES.values():
        (bundle / "docs" / name).write_text(f"# {name}\n", encoding="utf-8")
    monkeypatch.setattr("sys._MEIPASS", str(bundle), raising=False)
    assert help.docs_folder() == bundle / "docs"


def test_toolbar_undo_and_redo_have_labels_and_say_what(window):
    for action, label in ((window.menu_actions.undo, "Undo"), (window.menu_actions.redo, "Redo")):
        button = window.menu_actions.toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton)
        assert button.text() == label
        assert button.toolButtonStyle() != Qt.ToolButtonStyle.ToolButtonIconOnly
    window.push(SetField("Author", "me"))
    button = window.menu_actions.toolbar.widgetForAction(window.menu_actions.undo)
    assert button.text() == "Undo"                                   # stays short after an edit
    assert window.menu_actions.undo.toolTip() == "Undo Set Author (Ctrl+Z)"    # the tooltip says what
    assert window.menu_actions.redo.toolTip().startswith("Nothing to redo")


def test_last_results_view_and_table_tab_come_back_on_restart(qtbot, settings):
    first = MainWindow(settings=settings, offer_recovery=False)
    qtbot.addWidget(first)
    first.show()
    first.show_view("stress")
    first.set_current_table("Financing")
    first.close()
    second = MainWindow(settings=settings, offer_recovery=False)
    qtbot.addWidget(second)
    second.show()
    assert second.results_panel.current_view() == "stress"
    assert second.current_page() is second.pages["Financing"]
    second.show_view("tornado")
    second.set_current_table("Sectors")
    second.close()
    third = MainWindow(settings=settings, offer_recovery=False)
    qtbot.addWidget(third)
    assert third.results_panel.current_view() == "tornado" and third.current_page() is third.pages["Sectors"]
    third.close()


def test_long_problem_texts_wrap_instead_of_being_cut(window, qtbot):
    long = ("Projects DC-01: the requested amount " + "is far above what every limit in Constraints allows " * 4
            + "and the end of this sentence must stay readable.")
    window.issues_panel.set_issues([Issue("warning", long, table="Projects", row="DC-01")])
    window.issues_dock.show()
    window.resizeDocks([window.issues_dock], [260], Qt.Orientation.Vertical)
    tree = window.issues_panel.tree
    qtbot.waitUntil(lambda: tree.viewport().width() > 0)
    tree.doItemsLayout()
    item = tree.topLevelItem(0)
    rect = tree.visualItemRect(item)
    width = tree.columnWidth(2)
    metrics = tree.fontMetrics()
    needed_lines = metrics.horizontalAdvance(long) // max(width, 1) + 1
    assert needed_lines >= 2                                   # the text is longer than its column
    assert rect.height() >= needed_lines * metrics.lineSpacing()
    assert tree.textElideMode() == Qt.TextElideMode.ElideNone and tree.wordWrap()



def test_the_import_problems_dialog_wraps_long_problems_too(qtbot, tmp_path):
    from ui.files import ImportProblemsDialog

    long = "Projects!H7: " + "this value cannot be read as an amount in USD millions " * 5 + "(end)."
    dialog = ImportProblemsDialog(tmp_path / "colleague.xlsx", [Issue("error", long, sheet="Projects", cell="H7")],
                                  imported=False)
    qtbot.addWidget(dialog)
    dialog.resize(600, 400)
    dialog.show()
    qtbot.waitExposed(dialog)
    tree = dialog.tree
    tree.doItemsLayout()
    metrics = tree.fontMetrics()
    needed_lines = metrics.horizontalAdvance(long) // max(tree.columnWidth(2), 1) + 1
    assert needed_lines >= 2
    assert tree.visualItemRect(tree.topLevelItem(0)).height() >= needed_lines * metrics.lineSpacing()
