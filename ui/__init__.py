"""The Qt shell of Scenario Workbench: everything that imports PySide6 lives here."""
