"""Application entry point: builds the QApplication and the main window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv if argv is None else ["workbench", *argv])
    label = QLabel("Scenario Workbench: the desktop window is being built.")
    label.show()
    return app.exec()
