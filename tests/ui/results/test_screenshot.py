"""Screenshot mode: the window is rendered offscreen to a PNG of at least a laptop screen's size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from ui.screenshot import take_screenshot

ROOT = Path(__file__).resolve().parents[3]


def _colourful(image: QImage) -> int:
    """How many distinct colours a coarse grid of pixels shows (plots have many; a blank window few)."""
    seen = set()
    for x in range(0, image.width(), 12):
        for y in range(0, image.height(), 12):
            seen.add(image.pixel(x, y))
    return len(seen)


def test_take_screenshot_writes_a_png_of_the_results(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert take_screenshot(out, view="distribution", trials=2_000) == 0
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 1440 and image.height() >= 900
    assert _colourful(image) > 20


def test_bad_view_and_bad_file_give_a_message_and_a_nonzero_exit(qapp, tmp_path, capsys):
    assert take_screenshot(tmp_path / "a.png", view="nope") == 2
    assert "Choose one of" in capsys.readouterr().err
    assert take_screenshot(tmp_path / "a.png", file=str(tmp_path / "missing.xlsx"), trials=2_000) == 1
    err = capsys.readouterr().err
    assert "missing.xlsx" in err and "Traceback" not in err
    assert not (tmp_path / "a.png").exists()


def test_main_py_screenshot_of_a_workbook(tmp_path):
    """The README's command in a fresh process, on a workbook (the default scenario, 2,000 trials)."""
    from workbench.default_scenario import default_scenario
    from workbench.excel import write_workbook

    book = tmp_path / "small.xlsx"
    write_workbook(book, default_scenario().with_fields(Trials=2_000))
    out = tmp_path / "main.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--file", str(book),
                           "--view", "allocation"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    image = QImage(str(out))
    assert image.width() >= 1440 and image.height() >= 900
    assert _colourful(image) > 20


def test_a_workbook_with_errors_gives_the_errors_and_no_image(qapp, tmp_path, capsys):
    from workbench.default_scenario import default_scenario
    from workbench.excel import write_workbook

    scn = default_scenario()
    projects = scn.projects.copy()
    projects.loc[0, "Requested (USD m)"] = -5.0
    book = tmp_path / "broken.xlsx"
    write_workbook(book, scn.with_table("Projects", projects))
    out = tmp_path / "never.png"
    assert take_screenshot(out, file=str(book), trials=2_000) == 1
    err = capsys.readouterr().err
    assert "Requested" in err and "Traceback" not in err
    assert not out.exists()
