"""Help inside the app: the user guide, the results guide and the workbook format, rendered offline.

The guides are the Markdown files of ``docs/`` that ship with the app (:func:`docs_folder`
finds them in a PyInstaller bundle, an installed copy or the source tree). A
:class:`HelpWindow` shows one guide at a time in a ``QTextBrowser`` (links between the
guides and to the screenshots work; links leaving the computer are not followed, the app
never makes a network connection) with a search box that finds a word in every guide:
the hits are listed by guide and section, and choosing one shows it highlighted.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabBar,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

#: Guide key -> (title shown in the Help menu and the tabs, file in the docs folder).
GUIDES: dict[str, tuple[str, str]] = {
    "user-guide": ("User guide", "user-guide.md"),
    "results-guide": ("Results guide", "results-guide.md"),
    "workbook-format": ("Workbook format", "workbook-format.md"),
}
#: Set to a folder holding the guides to read them from there instead.
DOCS_ENV = "WORKBENCH_DOCS_DIR"
#: At most this many search hits are listed.
MAX_HITS = 200


def docs_folders() -> list[Path]:
    """Where the guides may be, in order: ``WORKBENCH_DOCS_DIR``, a bundle, an installed copy, the source tree."""
    out: list[Path] = []
    if os.environ.get(DOCS_ENV):
        out.append(Path(os.environ[DOCS_ENV]))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        out.append(Path(bundle) / "docs")
    out.append(Path(sys.prefix) / "share" / "scenario-workbench" / "docs")
    out.append(Path(__file__).resolve().parent.parent / "docs")
    return out


def docs_folder() -> Path | None:
    """The first folder of :func:`docs_folders` that holds every guide, else ``None``."""
    for folder in docs_folders():
        if all((folder / name).is_file() for _title, name in GUIDES.values()):
            return folder
    return None


@dataclass(frozen=True)
class Hit:
    """One place a searched text occurs: the guide, the section heading above it and the line."""

    guide: str
    section: str
    line: str
    occurrence: int      # which occurrence in the guide's rendered text (0 = the first)


def _plain_lines(markdown: str) -> list[tuple[str, str]]:
    """``(section heading, line)`` of a Markdown text, with the markup a reader does not see removed."""
    out: list[tuple[str, str]] = []
    section = ""
    in_code = False
    for raw in markdown.splitlines():
        if raw.strip().startswith("```"):
            in_code = not in_code
            continue
        line = raw.strip()
        heading = re.match(r"#{1,6}\s+(.*)", line) if not in_code else None
        if heading:
            section = _plain(heading.group(1))
            out.append((section, section))
            continue
        if line:
            out.append((section, _plain(line) if not in_code else line))
    return out


def _plain(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)       # links and images: their text
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return text.strip("|").replace("|", " | ").strip()


def search(texts: dict[str, str], query: str, limit: int = MAX_HITS) -> list[Hit]:
    """Every line of every guide (``key -> Markdown``) holding ``query`` (case-insensitive), in guide order."""
    q = query.strip().lower()
    if not q:
        return []
    hits: list[Hit] = []
    for key, markdown in texts.items():
        seen = 0
        for section, line in _plain_lines(markdown):
            count = line.lower().count(q)
            if count:                      # one hit per line, pointing at its first occurrence
                hits.append(Hit(key, section, line, seen))
                seen += count
                if len(hits) >= limit:
                    return hits
    return hits


class HelpWindow(QDialog):
    """The guides, one tab each, with a search over all of them (non-modal; one per main window)."""

    #: Emitted with the guide key whenever another guide is shown.
    guide_shown = Signal(str)

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scenario Workbench help")
        self.folder = folder if folder is not None else docs_folder()
        self.texts: dict[str, str] = {}
        if self.folder is not None:
            for key, (_title, name) in GUIDES.items():
                self.texts[key] = (self.folder / name).read_text(encoding="utf-8")
        self.current = ""

        self.tabs = QTabBar()
        for _key, (title, _name) in GUIDES.items():
            self.tabs.addTab(title)
        self.tabs.currentChanged.connect(lambda i: self.show_guide(list(GUIDES)[i]))
        self.query = QLineEdit()
        self.query.setPlaceholderText("Search the guides (Enter: next match in this guide)")
        self.query.setClearButtonEnabled(True)
        self.query.textChanged.connect(self._search)
        self.query.returnPressed.connect(self.find_next)
        self.count = QLabel("")
        self.hits = QListWidget()
        self.hits.setWordWrap(True)
        self.hits.setSpacing(3)
        self.hits.setAlternatingRowColors(True)
        self.hits.itemActivated.connect(self._open_hit)
        self.hits.itemClicked.connect(self._open_hit)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)              # links are followed here: only guides and local files
        self.browser.anchorClicked.connect(self._follow)
        self.where = QLabel("")
        self.where.setWordWrap(True)
        close = QPushButton("Close")
        close.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.tabs, 1)
        top.addWidget(self.query, 1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.count)
        side_layout.addWidget(self.hits)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.where, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self.resize(980, 680)
        self.show_guide("user-guide")

    # ------------------------------------------------------------------ public API
    def show_guide(self, key: str) -> None:
        """Show guide ``key`` (one of :data:`GUIDES`) from its top."""
        if key not in GUIDES:
            raise KeyError(f'No guide "{key}": choose one of {", ".join(GUIDES)}.')
        self.current = key
        index = list(GUIDES).index(key)
        if self.tabs.currentIndex() != index:
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(index)
            self.tabs.blockSignals(False)
        if self.folder is None:
            self.browser.setPlainText(
                "The guides were not found next to the app. They are the files " + ", ".join(
                    name for _t, name in GUIDES.values()) + f" of its docs folder; set {DOCS_ENV} to the folder "
                "that holds them.")
            self.where.setText("")
        else:
            path = self.folder / GUIDES[key][1]
            self.browser.setSearchPaths([str(self.folder)])
            self.browser.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
            self.where.setText(f"{GUIDES[key][0]}: {path}")
            self.highlight()
        self.guide_shown.emit(key)

    def rendered_text(self) -> str:
        return self.browser.toPlainText()

    def find_next(self) -> bool:
        """Select the next match of the search text in the guide shown (wrapping to the top); False when none."""
        text = self.query.text().strip()
        if not text:
            return False
        if self.browser.find(text):
            return True
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        return self.browser.find(text)

    def open_hit(self, hit: Hit) -> None:
        """Show the guide of ``hit`` with its occurrence selected."""
        if hit.guide != self.current:
            self.show_guide(hit.guide)
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        text = self.query.text().strip()
        for _ in range(hit.occurrence + 1):
            if not self.browser.find(text):
                break
        self.browser.ensureCursorVisible()

    def hit_list(self) -> list[Hit]:
        return [self.hits.item(i).data(_HIT_ROLE) for i in range(self.hits.count())]

    # ------------------------------------------------------------------ internals
    def highlight(self) -> int:
        """Mark every match of the search text in the guide shown; returns how many."""
        text = self.query.text().strip()
        marks = []
        if text:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#fff3a0"))
            cursor = self.browser.document().find(text)
            while not cursor.isNull():
                mark = QTextEdit.ExtraSelection()
                mark.cursor, mark.format = cursor, fmt
                marks.append(mark)
                cursor = self.browser.document().find(text, cursor)
        self.browser.setExtraSelections(marks)
        return len(marks)

    def _search(self, text: str) -> None:
        self.highlight()
        hits = search(self.texts, text)
        self.hits.clear()
        for hit in hits:
            item = QListWidgetItem(f"{GUIDES[hit.guide][0]} \u203a {hit.section or 'Top'}\n{_shorten(hit.line)}")
            item.setData(_HIT_ROLE, hit)
            item.setToolTip(hit.line)
            self.hits.addItem(item)
        if not text.strip():
            self.count.setText("")
        elif not hits:
            self.count.setText(f"No guide mentions \u201c{text.strip()}\u201d.")
        else:
            guides = len({h.guide for h in hits})
            more = " (the first ones)" if len(hits) >= MAX_HITS else ""
            self.count.setText(f"{len(hits)} match{'es' if len(hits) != 1 else ''} in {guides} "
                               f"guide{'s' if guides != 1 else ''}{more}; choose one to go there.")

    def _open_hit(self, item: QListWidgetItem) -> None:
        hit = item.data(_HIT_ROLE)
        if isinstance(hit, Hit):
            self.open_hit(hit)

    def _follow(self, url: QUrl) -> None:
        """A guide's link: another guide (or a section of it), a local file, or an address that is not followed."""
        if url.scheme() in ("", "file") and self.folder is not None:
            name = Path(url.toLocalFile() or url.path()).name
            for key, (_title, file) in GUIDES.items():
                if name == file:
                    self.show_guide(key)
                    if url.fragment():
                        self.browser.scrollToAnchor(url.fragment())
                    return
            if not name and url.fragment():           # a link within the guide shown
                self.browser.scrollToAnchor(url.fragment())
                return
        self.where.setText(f"Not opened here: {url.toString()} (the app does not go online; "
                           "open it yourself if you need it).")


_HIT_ROLE = 0x0100 + 21


def _shorten(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def show_help(window, key: str = "user-guide") -> HelpWindow:
    """Open (or bring forward) the window's help on guide ``key``."""
    dialog = getattr(window, "help_window", None)
    if dialog is None:
        dialog = HelpWindow(window)
        window.help_window = dialog
    dialog.show_guide(key)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
