"""UI latency benchmark: is the window responsive while the models run, and how fast are big tables?

    python benchmarks/ui_latency.py [--trials 1000000] [--rows 50000] [--skip-run]

Measures, offscreen:

1. **GUI gap during a run**: a 10 ms ``QTimer`` ticks on the GUI thread while
   :class:`ui.runner.RunController` runs the pipeline on the default scenario with
   ``--trials`` trials (allocation + simulation; stress tests and tornado off so that the
   figure is about one long simulation). Reports the longest gap between two ticks (target
   at most 50 ms), the 99th percentile gap and the run's duration.
2. **Time to the first shown window**: a fresh ``python`` process builds the main window
   with the default scenario and shows it; measured from process start to the first
   event-loop turn after ``show()``.
3. **A 50,000-project table**: the main window's table page (the lead engineer's
   ``ScenarioTableModel`` and ``TableProxy``) over a scenario with ``--rows`` projects:
   time to build, to sort by Requested (USD m) both ways, and to scroll page by page
   (each page repainted synchronously).

Prints one line per figure and, with ``--markdown``, a table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICK_MS = 10


def gui_gap_during_run(trials: int) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.runner import RunController
    from workbench.default_scenario import default_scenario

    app = QApplication.instance() or QApplication([])
    scn = default_scenario()
    controller = RunController(options={"trials": trials, "stress": False, "tornado": False,
                                        "frontier_points": 0})
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    outcome: dict[str, object] = {}
    controller.finished.connect(lambda run: (outcome.setdefault("run", run), loop.quit()))
    controller.failed.connect(lambda msg: (outcome.setdefault("failed", msg), loop.quit()))
    timer.start()
    t0 = time.perf_counter()
    controller.start(scn)
    loop.exec()
    seconds = time.perf_counter() - t0
    timer.stop()
    controller.shutdown()
    app.processEvents()
    if "failed" in outcome:
        raise SystemExit(f"The run failed: {outcome['failed']}")
    gaps = [1000 * (b - a) for a, b in itertools.pairwise(ticks)]
    gaps.sort()
    return {"run_seconds": seconds, "ticks": len(ticks), "max_gap_ms": gaps[-1],
            "p99_gap_ms": gaps[int(0.99 * (len(gaps) - 1))], "median_gap_ms": statistics.median(gaps)}


FIRST_WINDOW = r"""
import os, sys, time
t0 = float(sys.argv[1])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.main_window import MainWindow
w = MainWindow()
w.resize(1440, 900)
w.show()
def shown():
    print(f"{time.time() - t0:.3f}", flush=True)
    w.run_controller.shutdown()
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def time_to_first_window(repeats: int = 3) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", FIRST_WINDOW, repr(t0)], cwd=ROOT, capture_output=True,
                             text=True, timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        if out.returncode != 0:
            raise SystemExit(f"The window did not start:\n{out.stderr[-2000:]}")
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return {"first_window_s_median": statistics.median(times), "first_window_s_min": min(times)}


def big_scenario(rows: int):
    import pandas as pd

    from workbench.default_scenario import default_scenario

    scn = default_scenario()
    base = scn.projects
    reps = -(-rows // len(base))
    frame = pd.concat([base] * reps, ignore_index=True).iloc[:rows].copy()
    frame["ID"] = [f"P-{i:06d}" for i in range(rows)]
    frame["Requested (USD m)"] = [float(10 + (i * 7919) % 5000) for i in range(rows)]
    return scn.with_table("Projects", frame.reset_index(drop=True))


def big_table(rows: int) -> dict[str, float]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui.table_page import TablePage
    from ui.undo import ScenarioDocument

    app = QApplication.instance() or QApplication([])
    scn = big_scenario(rows)
    t0 = time.perf_counter()
    doc = ScenarioDocument(scn)
    page = TablePage(doc, "Projects", notify=lambda *a, **k: None)
    page.resize(1400, 800)
    page.show()
    app.processEvents()
    build = time.perf_counter() - t0
    col = list(scn.projects.columns).index("Requested (USD m)")
    timings = {}
    for order, name in ((Qt.SortOrder.AscendingOrder, "sort_up_s"), (Qt.SortOrder.DescendingOrder, "sort_down_s")):
        t = time.perf_counter()
        page.view.sortByColumn(col, order)
        page.view.viewport().repaint()
        timings[name] = time.perf_counter() - t
    first = float(page.proxy.index(0, col).data(Qt.ItemDataRole.UserRole + 1))
    assert first == max(scn.projects["Requested (USD m)"]), "sorting did not sort"
    bar = page.view.verticalScrollBar()
    pages = 100
    step = max(1, bar.maximum() // pages)
    t = time.perf_counter()
    for i in range(pages):
        bar.setValue(min(bar.maximum(), i * step))
        page.view.viewport().repaint()
    per_page = (time.perf_counter() - t) / pages
    t = time.perf_counter()
    bar.setValue(bar.maximum())
    page.view.viewport().repaint()
    jump = time.perf_counter() - t
    page.close()
    return {"rows": rows, "build_s": build, **timings, "scroll_page_ms": 1000 * per_page, "jump_to_end_ms": 1000 * jump}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--skip-run", action="store_true", help="skip the GUI-gap measurement")
    parser.add_argument("--markdown", action="store_true", help="print a table for docs/performance.md")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    results: dict[str, float] = {}
    if not args.skip_run:
        results.update(gui_gap_during_run(args.trials))
        print(f"GUI gap during a {args.trials:,}-trial run: longest {results['max_gap_ms']:.1f} ms, "
              f"99th percentile {results['p99_gap_ms']:.1f} ms, median {results['median_gap_ms']:.1f} ms "
              f"({results['ticks']:,} ticks; run {results['run_seconds']:.1f} s)", flush=True)
    results.update(time_to_first_window())
    print(f"First shown window: {results['first_window_s_median']:.2f} s (median of 3)", flush=True)
    results.update(big_table(args.rows))
    print(f"{args.rows:,}-project table: build {results['build_s']:.2f} s, sort {results['sort_up_s']:.2f} s / "
          f"{results['sort_down_s']:.2f} s, scroll {results['scroll_page_ms']:.1f} ms per page, "
          f"jump to end {results['jump_to_end_ms']:.1f} ms", flush=True)
    if args.markdown:
        print(f"\nMachine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores")
        for k, v in results.items():
            print(f"| {k} | {v:,.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
