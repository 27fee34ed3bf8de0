"""Every results view at laptop sizes (1280 x 720, 1366 x 768, 1920 x 1080) and at 200 % scaling, measured on the
real window (``tests/ui/layout/laptop.py``): no legend over data (bars, markers, lines and areas, in pixels), no
text off its figure, no text over text, no font under 9 pt, no results table scrolling sideways or cutting a
header. Also: the window never opens larger than the screen; ``--size`` for screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.layout.laptop import CHECKS, SIZES, window_problems
from ui.results_panel import VIEWS as ALL_VIEWS

VIEWS = list(ALL_VIEWS)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def window(run, tmp_path_factory):
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import Settings
    from workbench.default_scenario import default_scenario

    QApplication.instance() or QApplication([])
    win = MainWindow(settings=Settings(tmp_path_factory.mktemp("s") / "settings.ini"), offer_recovery=False)
    win.show()
    win.results_panel.set_result(run, default_scenario())
    # the Compare view with something to compare: its overlaid distributions and the differences
    win.results_panel.set_comparison(_other(), "Proportional allocation")
    yield win
    win.undo_stack.setClean()
    win.close()


def _other():
    from workbench.default_scenario import default_scenario
    from workbench.pipeline import run_scenario

    return run_scenario(default_scenario(), trials=1000, method="proportional", stress=False, tornado=False,
                        frontier_points=0)


@pytest.mark.slow
@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_is_readable_at_laptop_sizes(window, run, size):
    problems = window_problems(window, run, VIEWS, SIZES[size], size, checks=CHECKS, tables=True)
    assert not problems, "\n".join(problems[:40])


SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication(["t", "-platform", "offscreen"])
from tests.ui.layout.laptop import window_problems
from ui.main_window import MainWindow
from ui.settings import Settings
from workbench.default_scenario import default_scenario
from workbench.pipeline import run_scenario
run = run_scenario(default_scenario(), trials=1000, frontier_points=5)
win = MainWindow(settings=Settings(sys.argv[1]), offer_recovery=False)
win.show()
win.results_panel.set_result(run, default_scenario())
win.results_panel.set_comparison(run_scenario(default_scenario(), trials=1000, method="proportional", stress=False,
                                              tornado=False, frontier_points=0), "Proportional allocation")
ratio = win.results_panel.views["summary"].canvas.canvas.devicePixelRatioF()
problems = window_problems(win, run, sys.argv[2].split(","), (1280, 720), "1280x720 at 200 %")
print("RATIO", ratio)
print("\\n".join(problems[:40]))
win.undo_stack.setClean()
sys.exit(1 if problems else 0)
"""


@pytest.mark.slow
def test_every_view_is_readable_at_200_percent(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", PYTHONPATH=str(ROOT),
               MPLBACKEND="QtAgg")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "s.ini"), ",".join(VIEWS)], env=env,
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert "RATIO 2.0" in done.stdout, done.stdout + done.stderr[-3000:]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_the_window_never_opens_larger_than_the_screen(qtbot, tmp_path):
    from ui.app import fit_to_screen
    from ui.main_window import MainWindow
    from ui.settings import Settings

    win = MainWindow(settings=Settings(tmp_path / "settings.ini"), offer_recovery=False)
    qtbot.addWidget(win)
    avail = win.screen().availableGeometry()
    win.resize(avail.width() + 400, avail.height() + 300)
    fit_to_screen(win)
    assert win.width() <= avail.width() and win.height() <= avail.height()
    assert avail.contains(win.frameGeometry().topLeft())
    win.undo_stack.setClean()


def test_screenshot_size_option():
    from ui.app import main
    from ui.screenshot import parse_size

    assert parse_size("1280x720") == (1280, 720) and parse_size("1366 × 768") == (1366, 768)
    for bad in ("1280", "wide", "100x100", "9000x9000"):
        with pytest.raises(ValueError, match="--size"):
            parse_size(bad)
    assert main(["--screenshot", "x.png", "--size", "big"]) == 2
