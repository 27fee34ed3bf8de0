"""Answer the app's modal dialogs in a test as a user would: click a button, or type a file name and accept.

::

    with Answers() as answers:
        answers.expect("Discard")                 # the next message box: click the button labelled Discard
        answers.expect_file(tmp_path / "a.xlsx")  # the next file dialog: choose this file
        files.open_path(window, path)
    assert answers.seen == [...]

A timer looks for the active modal dialog every few milliseconds (it fires inside the
dialog's own event loop) and gives it the next answer. A dialog that comes up when no answer
is left is rejected (Escape) and recorded in :attr:`Answers.unexpected`; leaving the block
fails the test when a dialog was unexpected or an expected one never came.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox

#: Dynamic property set on a dialog once it has been given its answer.
ANSWERED = "answeredByTest"


class Answers:
    def __init__(self, interval_ms: int = 5) -> None:
        self.queue: list[tuple[str, str]] = []
        self.seen: list[str] = []
        self.given: list[str] = []          # the answer given to each dialog in ``seen``
        self.unexpected: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)

    # ------------------------------------------------------------ expectations
    def expect(self, label: str) -> Answers:
        """The next dialog is a message box: click its button whose text (without '&') is ``label``."""
        self.queue.append(("button", label))
        return self

    def expect_file(self, path: str | Path) -> Answers:
        """The next dialog is a file dialog: choose ``path``."""
        self.queue.append(("file", str(path)))
        return self

    def expect_cancel_file(self) -> Answers:
        """The next dialog is a file dialog: cancel it."""
        self.queue.append(("file", ""))
        return self

    def expect_item(self, text: str) -> Answers:
        """The next dialog is an input dialog offering a list: choose the entry ``text`` and press OK."""
        self.queue.append(("item", text))
        return self

    def pending(self) -> int:
        return len(self.queue)

    # ------------------------------------------------------------ machinery
    def __enter__(self) -> Answers:
        self._timer.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._timer.stop()
        if exc_type is None:
            assert not self.unexpected, f"dialogs nobody expected: {self.unexpected}"
            assert not self.queue, f"expected dialogs that never came: {self.queue}"

    def _poll(self) -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, QDialog) or not widget.isVisible() or widget.property(ANSWERED):
            return
        # marked on the dialog itself: a Python id can come back for the next dialog once this one is deleted, and
        # that dialog would then never be answered (a test hung so, waiting on a second message box)
        widget.setProperty(ANSWERED, True)
        if not self.queue:
            self.unexpected.append(_describe(widget))
            widget.reject()
            return
        kind, value = self.queue.pop(0)
        self.seen.append(_describe(widget))
        self.given.append(value or "(cancelled)")
        if kind == "button" and isinstance(widget, QMessageBox):
            for button in widget.buttons():
                if button.text().replace("&", "") == value:
                    button.click()
                    return
            self.unexpected.append(f"no button {value!r} in {_describe(widget)}")
            widget.reject()
        elif kind == "file" and isinstance(widget, QFileDialog):
            if not value:
                widget.reject()
                return
            widget.setDirectory(str(Path(value).parent))
            widget.selectFile(value)
            if [Path(f) for f in widget.selectedFiles()] != [Path(value)]:
                # the dialog's own default name can come back while its folder is still loading: type the name
                edit = widget.findChild(QLineEdit, "fileNameEdit")
                if edit is not None:
                    edit.setText(Path(value).name)
            widget.accept()
        elif kind == "item" and isinstance(widget, QInputDialog):
            if value not in widget.comboBoxItems():
                self.unexpected.append(f"no entry {value!r} in {_describe(widget)}: {widget.comboBoxItems()}")
                widget.reject()
                return
            widget.setTextValue(value)
            widget.accept()
        else:
            self.unexpected.append(f"{kind} answer {value!r} for {_describe(widget)}")
            widget.reject()


def _describe(widget: QDialog) -> str:
    if isinstance(widget, QMessageBox):
        return f"{widget.windowTitle()}: {widget.text()}"
    return f"{type(widget).__name__}: {widget.windowTitle()}"
