"""``workbench report [FILE] [--snapshot ID] --out BRIEF.docx|BRIEF.pdf``: write the briefing.

Runs the scenario (a workbook, a snapshot of the library, or the default scenario) with
its own trials and seed unless ``--trials``/``--seed`` say otherwise, and writes the
briefing as Word or PDF by the suffix of ``--out``. The same snapshot (or file) with the
same trials and seed always gives the same tables and numbers. Exit codes: 0 written; 1
invalid input, an invalid option value or infeasible constraints; 2 an unreadable file or
library, an unwritable output or a malformed command line.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from workbench.cli._types import Subparsers
    from workbench.scenario import Scenario

OK, INVALID, UNREADABLE = 0, 1, 2


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("report", help="write the briefing (Word or PDF) of a scenario or a snapshot",
                       description="Run a scenario and write its briefing: the answer, the key figures, the "
                       "allocation, the plots, the stress tests, the binding limits, the assumption register "
                       "(unsourced and overdue flagged) and the input tables. Exit 0 when written, 1 for invalid "
                       "input, an invalid option or infeasible constraints, 2 for an unreadable file or library, "
                       "an unwritable output or a malformed command line.")
    p.add_argument("file", nargs="?", metavar="FILE", help="scenario workbook (default scenario when omitted)")
    p.add_argument("--snapshot", type=int, metavar="ID", help="report on this snapshot of the library instead")
    p.add_argument("--library", metavar="PATH", help="snapshot library file (with --snapshot)")
    p.add_argument("--out", required=True, metavar="BRIEF", help="the briefing to write: a .docx or .pdf file")
    p.add_argument("--trials", type=int, help="number of Monte Carlo trials (default: the scenario's)")
    p.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default a4)")
    p.add_argument("--author", default="", help="the briefing's author (default: the scenario's Author)")
    p.set_defaults(handler=run)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _scenario(args: argparse.Namespace) -> tuple[Scenario | None, str, int, str]:
    """(scenario, snapshot label, exit code, message)."""
    if args.snapshot is not None and args.file:
        return None, "", UNREADABLE, "give a FILE or --snapshot ID, not both."
    if args.snapshot is not None:
        from workbench.snapshots import Library, LibraryError, SnapshotNotFound
        try:
            with Library(args.library) as lib:
                info = lib.get(args.snapshot)
                restored = lib.restore(info.id)
        except SnapshotNotFound as exc:
            return None, "", INVALID, str(exc)
        except LibraryError as exc:
            return None, "", UNREADABLE, str(exc)
        label = f"#{info.id} of {info.created_at[:16].replace('T', ' ')} UTC" + (f", {info.note}" if info.note else "")
        return restored, label, OK, ""
    from workbench.cli.run_cmd import _load

    scn, issues, code = _load(args.file)
    if scn is None:
        return None, "", code, "\n".join(i.text() for i in issues)
    return scn, "", OK, ""


def run(args: argparse.Namespace) -> int:
    from workbench.report import ReportError, check_target

    try:
        check_target(args.out, args.paper)
    except ReportError as exc:
        _err(f"workbench report: {exc}")
        return INVALID
    scn, label, code, message = _scenario(args)
    if scn is None:
        _err(f"workbench report: {message}")
        return code
    from workbench.allocation import Infeasible, SolverFailed
    from workbench.pipeline import ScenarioInvalid, run_scenario
    from workbench.risk.model import ModelError

    try:
        result = run_scenario(scn, trials=args.trials, seed=args.seed)
    except ScenarioInvalid as exc:
        _err(f"workbench report: {exc}\n" + "\n".join(i.text() for i in exc.issues))
        return INVALID
    except Infeasible as exc:
        _err(f"workbench report: {exc.explain()}")
        return INVALID
    except (SolverFailed, ModelError, ValueError) as exc:
        _err(f"workbench report: {exc}")
        return INVALID
    from workbench.report import make_briefing

    try:
        path = make_briefing(scn, result, args.out, author=args.author, snapshot=label, paper=args.paper)
    except OSError as exc:
        _err(f"workbench report: could not write {args.out}: {exc.strerror or exc}. Check the folder exists "
             "and is writable, and that the file is not open in another program.")
        return UNREADABLE
    print(f"Wrote the briefing to {path} ({result.trials:,} trials, seed {result.seed}).")
    return OK
