"""Latency of an edit: to updated key figures, to complete results, and of one cell edit in a 50,000-project table.

    .venv/bin/python benchmarks/edit_latency.py [--edits 50] [--old-edits 50] [--app-edits 10] [--rows 50000]
                                                [--skip-run] [--skip-table]

1. **Default scenario, core**: over ``--edits`` random edits of a number (a sector's return or
   volatility, a project's request or probability of default, a risk event's probability, a
   limit), the time from the edit (command and validation) to the baseline's key figures and
   to complete results (allocation, simulation, 7 stress tests, tornado, 8-point frontier)
   with the staged pipeline (incremental validation, per-stage cache, the app's first estimate of
   4,096 trials: "key figures" are the first shown, "exact key figures" the baseline's), with each stage's
   CPU time; alternated, edit by edit, for the first ``--old-edits`` edits, with the old way measured in
   the same run (full validation, then the whole pipeline, whose key figures come with everything else).
2. **Default scenario, in the app**: the real main window offscreen, auto-run on: from pushing
   the edit to the key figures shown in the results panel and to the run's end (includes the
   auto-run delay and the drawing); ``--app-edits`` edits.
3. **50,000 projects**: a Projects page of 50,000 rows (the default 25 repeated, requests at or
   above the tickets: a clean table) in a document; one cell edit = command, validation and the
   repaint Qt then does (the events processed: the rows the model reported changed); incremental
   against full validation, alternated; and the same with every visible cell painted again.

Prints medians and 95th percentiles (nearest rank) and the ratios to the baselines.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.threads import single_threaded_blas

single_threaded_blas()   # like the app and the command line: before numpy loads, for both ways measured

import numpy as np  # noqa: E402

#: (table, column, key column, low, high): numbers an analyst tries, drawn within plausible ranges.
EDITABLE = (
    ("Sectors", "Expected return", "Sector", 0.02, 0.12),
    ("Sectors", "Volatility", "Sector", 0.10, 0.40),
    ("Projects", "Requested (USD m)", "ID", 5_000.0, 40_000.0),
    ("Projects", "Specific risk", "ID", 0.05, 0.35),
    ("Risk events", "Annual probability", "Event", 0.02, 0.30),
    ("Constraints", "Max share", "Group", 0.30, 0.60),
)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(q / 100 * len(ordered))) - 1))]


def random_edits(scn, n: int, seed: int = 20261204):
    """``n`` single-cell edits of numbers, each valid on the scenario as left by the ones before."""
    from workbench.commands import SetCell

    rng = np.random.default_rng(np.random.SeedSequence(seed))
    edits = []
    usable = [e for e in EDITABLE if e[1] in scn.table(e[0]).columns]
    while len(edits) < n:
        table, column, _key, lo, hi = usable[int(rng.integers(len(usable)))]
        frame = scn.table(table)
        rows = [i for i in range(len(frame)) if frame[column].notna().iat[i]
                and not (table == "Constraints" and frame["Group"].iat[i] == "Total")]   # keep the total feasible
        row = rows[int(rng.integers(len(rows)))]
        value = float(np.round(rng.uniform(lo, hi), 4))
        if table == "Projects" and column == "Requested (USD m)":
            value = max(value, float(np.nan_to_num(frame["Minimum ticket (USD m)"].iat[row])))
        edits.append(SetCell(table, row, column, value))
    return edits


STAGE_ORDER = ("estimate", "baseline", "stress", "tornado", "frontier")


def core_latency(n: int, old_edits: int | None = None) -> dict[str, list[float]]:
    """Edit -> key figures and edit -> complete results, staged (new) and whole (old), alternated.

    Each figure is kept as wall time and as the process's CPU time (the wall time of an idle
    machine: the app runs with one worker, so a shared machine's load shows in wall time only)."""
    from workbench.default_scenario import default_scenario
    from workbench.pipeline import run_scenario
    from workbench.stages import FIRST_ESTIMATE_TRIALS, StagedPipeline
    from workbench.validation import validate
    from workbench.validation_incremental import IncrementalValidator

    scn = default_scenario()
    options = {"frontier_points": 8}
    pipe, validator = StagedPipeline(), IncrementalValidator()
    validator.issues(scn)
    pipe.run(scn, **options)     # the results on screen before the first edit
    labels = ("new key figures", "new exact key figures", "new complete", "old complete")
    out: dict[str, list[float]] = {f"{label}{kind}": [] for label in labels for kind in ("", " cpu")}
    out.update({f"stage {name} cpu": [] for name in STAGE_ORDER})
    old_edits = n if old_edits is None else old_edits
    for k, cmd in enumerate(random_edits(scn, n)):
        ways = ("new", "old") if k % 2 == 0 else ("old", "new")
        for way in ways if k < old_edits else ("new",):
            t0, c0 = time.perf_counter(), time.process_time()
            edited, _inverse = cmd.apply(scn)
            if way == "new":
                marks: dict[str, tuple[float, float]] = {}
                validator.update(edited, cmd)
                pipe.run(edited, **options, first_estimate=FIRST_ESTIMATE_TRIALS,
                         on_stage=lambda name, _r, _p, m=marks: m.setdefault(
                             name, (time.perf_counter(), time.process_time())))
                wall, cpu = time.perf_counter(), time.process_time()
                first = marks.get("estimate", marks["baseline"])   # the first key figures shown, as the app does
                out["new key figures"].append(first[0] - t0)
                out["new key figures cpu"].append(first[1] - c0)
                out["new exact key figures"].append(marks["baseline"][0] - t0)
                out["new exact key figures cpu"].append(marks["baseline"][1] - c0)
                out["new complete"].append(wall - t0)
                out["new complete cpu"].append(cpu - c0)
                at = c0
                for name in STAGE_ORDER:     # each stage's own CPU time (the one before it ended at ``at``)
                    if name in marks:
                        out[f"stage {name} cpu"].append(marks[name][1] - at)
                        at = marks[name][1]
            else:
                validate(edited)
                run_scenario(edited, **options)
                out["old complete"].append(time.perf_counter() - t0)
                out["old complete cpu"].append(time.process_time() - c0)
        scn = validator.scenario
        old = (f"; old way {out['old complete'][-1]:.2f} s (cpu {out['old complete cpu'][-1]:.2f} s)"
               if k < old_edits else "")
        print(f"  edit {k + 1}/{n} {cmd.table} {cmd.cells[0][1]}: key figures {out['new key figures'][-1]:.2f} s "
              f"(cpu {out['new key figures cpu'][-1]:.2f} s), exact {out['new exact key figures'][-1]:.2f} s "
              f"(cpu {out['new exact key figures cpu'][-1]:.2f} s), complete {out['new complete'][-1]:.2f} s "
              f"(cpu {out['new complete cpu'][-1]:.2f} s){old}", file=sys.stderr, flush=True)
    return out


def app_latency(n: int) -> dict[str, list[float]]:
    """In the real main window with auto-run on: push -> key figures shown, push -> run finished."""
    import tempfile

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import Settings

    QApplication.instance() or QApplication([])
    out: dict[str, list[float]] = {"app key figures": [], "app summary plot": [], "app complete": []}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(os.path.join(folder, "settings.ini"))
        settings.set_auto_run(True)
        window = MainWindow(settings=settings, offer_recovery=False)
        if getattr(window, "stale", None) is None:
            from ui.stale import install

            install(window)
        if getattr(window, "estimate", None) is None:
            from ui.estimate import install as install_estimate

            install_estimate(window)
        window.resize(1440, 900)
        window.show()
        loop = QEventLoop()
        window.run_controller.finished.connect(loop.quit)
        window.run_controller.failed.connect(loop.quit)
        QTimer.singleShot(600_000, loop.quit)
        window.run_now()
        loop.exec()
        marks: dict[str, float] = {}

        def at_stage(name: str, _run, _pending) -> None:
            if name in ("estimate", "baseline") and "stage" not in marks:
                marks["stage"] = time.perf_counter()   # the panel's own slot ran first: its tables are set

        class Painted(QObject):
            """The key figures shown: the first paint of the Summary's table after the first stage came."""

            def eventFilter(self, _obj, event) -> bool:  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint and "stage" in marks and "key figures" not in marks:
                    marks["key figures"] = time.perf_counter()
                return False

        painted = Painted()
        window.results_panel.views["summary"].table.viewport().installEventFilter(painted)
        window.run_controller.stage.connect(at_stage)
        canvas = window.results_panel.views["summary"].canvas
        redraw = canvas.redraw

        def timed_redraw() -> None:   # the Summary's plot, drawn after its key figures table
            redraw()
            if "key figures" in marks and "summary plot" not in marks:
                marks["summary plot"] = time.perf_counter()

        canvas.redraw = timed_redraw  # type: ignore[method-assign]
        for k, cmd in enumerate(random_edits(window.scenario, n, seed=7)):
            marks.clear()
            t0 = time.perf_counter()
            window.push(cmd)
            QTimer.singleShot(600_000, loop.quit)
            loop.exec()
            done = time.perf_counter()
            out["app key figures"].append(marks.get("key figures", done) - t0)
            out["app summary plot"].append(marks.get("summary plot", done) - t0)
            out["app complete"].append(done - t0)
            print(f"  app edit {k + 1}/{n}: key figures {out['app key figures'][-1]:.2f} s, Summary plot "
                  f"{out['app summary plot'][-1]:.2f} s, complete {out['app complete'][-1]:.2f} s", file=sys.stderr,
                  flush=True)
        window.run_controller.shutdown()
        window.undo_stack.setClean()
        window.close()
    return out


def clean_big_scenario(rows: int):
    """The default 25 projects repeated to ``rows``, with unique IDs and requests at or above the tickets."""
    import pandas as pd

    from workbench.default_scenario import default_scenario

    scn = default_scenario()
    base = scn.projects
    frame = pd.concat([base] * -(-rows // len(base)), ignore_index=True).iloc[:rows].copy()
    frame["ID"] = [f"P-{i:06d}" for i in range(rows)]
    ticket = frame["Minimum ticket (USD m)"].fillna(0.0).to_numpy()
    frame["Requested (USD m)"] = np.maximum(ticket, [float(10 + (i * 7919) % 5000) for i in range(rows)])
    return scn.with_table("Projects", frame.reset_index(drop=True))


def validation_only(rows: int, n: int) -> dict[str, list[float]]:
    """The core of a cell edit on ``rows`` projects: the command and the validation, incremental and full."""
    from workbench.commands import SetCell
    from workbench.validation import validate
    from workbench.validation_incremental import IncrementalValidator

    scn = clean_big_scenario(rows)
    validator = IncrementalValidator()
    validator.issues(scn)
    rng = np.random.default_rng(np.random.SeedSequence(13))
    out: dict[str, list[float]] = {"incremental": [], "full": []}
    found: dict[str, list] = {}
    for k in range(n):
        cmd = SetCell("Projects", int(rng.integers(rows)), "Requested (USD m)", float(rng.uniform(25_000, 40_000)))
        for way in (("incremental", "full") if k % 2 == 0 else ("full", "incremental")):
            t0 = time.perf_counter()
            edited, _ = cmd.apply(scn)
            found[way] = validator.update(edited, cmd) if way == "incremental" else validate(edited)
            out[way].append(time.perf_counter() - t0)
        assert validator.last_mode == "incremental" and found["incremental"] == found["full"]
        scn = validator.scenario   # the edits add up; the validator follows them
    return out


def big_table_edit(rows: int, n: int) -> dict[str, list[float]]:
    """One cell edit on a ``rows``-project page: incremental and full validation, alternated."""
    from PySide6.QtWidgets import QApplication

    from ui.table_page import TablePage
    from ui.undo import ScenarioDocument
    from workbench.commands import SetCell
    from workbench.validation_incremental import IncrementalValidator

    app = QApplication.instance() or QApplication([])
    doc = ScenarioDocument(clean_big_scenario(rows))
    page = TablePage(doc, "Projects", notify=lambda _text: None)
    page.resize(1400, 800)
    page.show()
    app.processEvents()
    validator = doc._validator
    incremental = validator.update

    def full(scn, _command=None):
        return IncrementalValidator.issues(validator, scn)

    visible = max(1, page.view.rowAt(page.view.viewport().height() - 1))   # rows on the first screen
    rng = np.random.default_rng(np.random.SeedSequence(11))
    out: dict[str, list[float]] = {"incremental": [], "full": [], "incremental full repaint": [],
                                   "full full repaint": [], "incremental cpu": [], "full cpu": []}
    modes: dict[str, list[str]] = {"incremental": [], "full": []}
    for k in range(n):
        for way in (("incremental", "full") if k % 2 == 0 else ("full", "incremental")):
            validator.update = incremental if way == "incremental" else full   # type: ignore[method-assign]
            row = int(rng.integers(min(rows, visible)))      # a row on the first screen: its repaint is real
            column = ("Requested (USD m)", "Specific risk", "Sponsor")[int(rng.integers(3))]
            value = {"Requested (USD m)": float(rng.uniform(25_000, 40_000)),
                     "Specific risk": float(np.round(rng.uniform(0.05, 0.35), 4)),
                     "Sponsor": f"Sponsor {int(rng.integers(1000))}"}[column]
            t0, c0 = time.perf_counter(), time.process_time()
            doc.push(SetCell("Projects", row, column, value))
            app.processEvents()                              # the repaint Qt does: the rows the model changed
            out[way].append(time.perf_counter() - t0)
            out[way + " cpu"].append(time.process_time() - c0)
            t1 = time.perf_counter()
            page.view.viewport().repaint()                   # and, on top, every visible cell painted again
            out[way + " full repaint"].append(out[way][-1] + time.perf_counter() - t1)
            modes[way].append(validator.last_mode)
    validator.update = incremental  # type: ignore[method-assign]
    assert set(modes["incremental"]) == {"incremental"} and set(modes["full"]) == {"full"}, modes
    page.close()
    return out


def line(label: str, values: list[float], unit: str = "s") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    return (f"{label}: median {statistics.median(values) * scale:.3g} {unit}, "
            f"95th percentile {percentile(values, 95) * scale:.3g} {unit} (n={len(values)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=50, help="random edits of the default scenario (core)")
    parser.add_argument("--old-edits", type=int, default=None,
                        help="pair only the first N edits with the old way (default: every edit)")
    parser.add_argument("--app-edits", type=int, default=10, help="random edits in the main window (0: skip)")
    parser.add_argument("--rows", type=int, default=50_000, help="projects in the large table")
    parser.add_argument("--table-edits", type=int, default=50, help="cell edits of the large table, per way")
    parser.add_argument("--skip-run", action="store_true", help="only the large-table cell edit")
    parser.add_argument("--skip-table", action="store_true", help="only the edits of the default scenario")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    if not args.skip_table:
        table_part(args)
    if not args.skip_run:
        run_part(args)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    return 0


def table_part(args: argparse.Namespace) -> None:
    core_edit = validation_only(args.rows, args.table_edits)
    print(line(f"{args.rows:,} projects, one cell edit without the window (command + incremental validation)",
               core_edit["incremental"], "ms"))
    print(line(f"{args.rows:,} projects, one cell edit without the window (command + full validation, baseline)",
               core_edit["full"], "ms"))
    ratio = statistics.median(core_edit["full"]) / statistics.median(core_edit["incremental"])
    print(f"  ratio of medians full / incremental: {ratio:.1f}")
    big = big_table_edit(args.rows, args.table_edits)
    print(line(f"{args.rows:,} projects, one cell edit with repaint, incremental validation", big["incremental"],
               "ms"))
    print(line(f"{args.rows:,} projects, one cell edit with repaint, full validation (baseline)", big["full"], "ms"))
    ratio = statistics.median(big["full"]) / statistics.median(big["incremental"])
    print(f"  ratio of medians full / incremental: {ratio:.1f}")
    print(line(f"{args.rows:,} projects, one cell edit with repaint, incremental validation (CPU)",
               big["incremental cpu"], "ms"))
    print(line(f"{args.rows:,} projects, one cell edit with repaint, full validation (baseline, CPU)", big["full cpu"],
               "ms"))
    print(line(f"{args.rows:,} projects, one cell edit with every visible cell repainted, incremental validation",
               big["incremental full repaint"], "ms"))


def run_part(args: argparse.Namespace) -> None:
    core = core_latency(args.edits, args.old_edits)
    for label in ("new key figures", "new exact key figures", "new complete", "old complete"):
        if not core[label]:
            continue
        print(line(f"default scenario, edit -> {label} (wall)", core[label]))
        print(line(f"default scenario, edit -> {label} (CPU)", core[label + " cpu"]))
    for name in STAGE_ORDER:
        if core[f"stage {name} cpu"]:
            print(line(f"  stage {name}, its own CPU time (computed or from the cache)", core[f"stage {name} cpu"]))
    for kind in ("", " cpu") if core["old complete"] else ():
        old = statistics.median(core["old complete" + kind])
        print(f"  ratio of medians{kind or ' wall'}: old complete / new key figures "
              f"{old / statistics.median(core['new key figures' + kind]):.1f}, old complete / new complete "
              f"{old / statistics.median(core['new complete' + kind]):.1f}")
    if args.app_edits:
        app = app_latency(args.app_edits)
        print(line("main window, auto-run: push -> key figures shown", app["app key figures"]))
        print(line("main window, auto-run: push -> Summary plot drawn", app["app summary plot"]))
        print(line("main window, auto-run: push -> run finished", app["app complete"]))


if __name__ == "__main__":
    sys.exit(main())
