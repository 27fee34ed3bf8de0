"""The real main window as the staged-results tests use it: auto-run on, a first run shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workbench.commands import SetField


def auto_run_window(qtbot, folder: Path, trials: int, timeout: int) -> Iterator:
    """Yield the main window over the default scenario with auto-run on and ``trials`` trials, once that run has
    finished; closed without prompts afterwards (use with ``yield from`` in a fixture)."""
    from ui.main_window import MainWindow
    from ui.settings import Settings

    settings = Settings(folder / "settings.ini")
    settings.set_auto_run(True)
    win = MainWindow(settings=settings, offer_recovery=False)
    win.show()
    qtbot.waitExposed(win)
    win.push(SetField("Trials", trials))
    assert win.menu_actions.auto_run.isChecked()
    qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.trials == trials, timeout=timeout)
    assert win.run_controller.wait(timeout)
    yield win
    win.run_controller.shutdown()
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


def cell_text(table, row: int, column: int):
    model = table.model()
    return model.data(model.index(row, column))


def key_figures(panel) -> list[list]:
    """The Summary view's key-figures table as its cells read."""
    table = panel.table("summary")
    return [[cell_text(table, r, c) for c in range(table.model().columnCount())]
            for r in range(table.model().rowCount())]
