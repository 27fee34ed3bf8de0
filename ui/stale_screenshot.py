"""The picture of the stale marks in the user guide (``docs/screenshots/stale-marks.png``).

Kept apart from :mod:`ui.stale`, which the main window imports: this script builds a main
window itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui.stale import install

if TYPE_CHECKING:
    from workbench.results import RunResult


def screenshot(out: str, *, trials: int = 20_000, view: str = "stress", size: tuple[int, int] = (1440, 900)) -> int:
    """The picture of the docs: the default scenario run, a sector's expected return edited with auto-run on,
    grabbed when the key figures are back and the stress tests, sensitivity and frontier still recompute.

    ``python -m ui.stale_screenshot OUT.png [VIEW]`` (offscreen; ``VIEW`` is the results view in front,
    stress by default).
    """
    import os
    import tempfile

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("MPLBACKEND", "Agg")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import Settings
    from workbench.commands import SetCell, SetField

    app = QApplication.instance() or QApplication(["scenario-workbench", "-platform", "offscreen"])
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(os.path.join(folder, "settings.ini"))
        settings.set_auto_run(True)
        window = MainWindow(settings=settings, offer_recovery=False)
        wiring = getattr(window, "stale", None) or install(window)
        window.resize(*size)
        window.show()
        loop = QEventLoop()
        window.run_controller.finished.connect(loop.quit)
        window.push(SetField("Trials", trials))
        QTimer.singleShot(600_000, loop.quit)
        loop.exec()
        window.show_view(view)
        grabbed: dict[str, Any] = {}   # the stale views' names and the grabbed image

        def at_stage(name: str, _run: RunResult, _pending: frozenset[str]) -> None:
            if name == "baseline" and "image" not in grabbed:
                grabbed["stale"] = wiring.marks.stale_views()
                grabbed["image"] = window.grab()
                loop.quit()

        window.run_controller.stage.connect(at_stage)
        scn = window.scenario
        row = scn.sectors["Sector"].tolist().index("Data centers")
        window.set_current_table("Sectors")
        window.push(SetCell("Sectors", row, "Expected return", 0.05))
        loop.exec()
        window.run_controller.shutdown()
        image = grabbed.get("image")
        ok = image is not None and image.save(out, "PNG")
        window.undo_stack.setClean()
        window.close()
        app.processEvents()
    print(f"Wrote {out} (views marked stale: {', '.join(grabbed.get('stale', [])) or 'none'})" if ok
          else f"Could not write {out}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    import sys

    sys.exit(screenshot(sys.argv[1], view=sys.argv[2] if len(sys.argv) > 2 else "stress"))
