"""``workbench run [FILE...]``: validate, allocate, simulate, stress-test, sensitivity, impact.

Exit codes: 0 success; 1 invalid input, an invalid option value (unknown method, trials
out of range) or infeasible constraints, always with the explanation; 2 an unreadable
file or a malformed command line. With ``--json`` exactly one JSON object goes to stdout
(progress and logs to stderr); several FILEs give ``{"runs": [...]}``, one per file, in
the order given. The keys are documented in docs/risk-model.md.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from workbench.cli._types import Subparsers
    from workbench.issues import Issue
    from workbench.scenario import Scenario

from workbench.cli.progress import Bar

OK, INVALID, UNREADABLE = 0, 1, 2


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("run", help="run allocation and risk models on a scenario",
                       description="Validate, allocate, simulate, stress-test, sensitivity and impact. "
                       "Exit 0 on success, 1 for invalid input, an invalid option or infeasible constraints, "
                       "2 for an unreadable file or a malformed command line.")
    p.add_argument("files", nargs="*", metavar="FILE", help="workbooks; default scenario when omitted")
    p.add_argument("--out", help="write the results workbook here (with several FILEs: an existing folder)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--trials", type=int, help="number of Monte Carlo trials (1,000 to 10,000,000)")
    p.add_argument("--seed", type=int, help="random seed (a whole number, at least 0)")
    p.add_argument("--method", help="allocation method (proportional, max-return, max-strategic, mean-variance, "
                                    "min-cvar, risk-parity, fixed)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (files in parallel, or trials for one file)")
    p.add_argument("--precision", help="stop rule: run until CVaR's relative standard error is at most this (0.5%% "
                   "or 0.005), with --trials (or the scenario's Trials) as the cap; overrides the scenario's CVaR "
                   "precision; the results say how many trials it took")
    p.set_defaults(handler=run)


def _failure(issues: list[dict[str, Any]] | None = None, infeasibility: list[dict[str, Any]] | None = None,
             message: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": False, "issues": issues or [], "infeasibility": infeasibility or []}
    if message:
        out["message"] = message
    return out


def _load(path: str | None) -> tuple[Scenario | None, list[Issue], int]:
    """(scenario, issues-as-Issue, code) for a FILE, or the default scenario."""
    if path is None:
        from workbench.default_scenario import default_scenario
        return default_scenario(), [], OK
    from workbench.issues import ERROR, Issue
    if not Path(path).is_file():
        return None, [Issue(ERROR, f"There is no file {path}.", suggestion="Check the path.")], UNREADABLE
    from workbench.excel import read_workbook
    result = read_workbook(path)   # never raises: an unreadable file is one issue with fatal=True
    issues = list(result.issues)
    if result.scenario is None:
        return None, issues, UNREADABLE if result.fatal else INVALID
    return result.scenario, issues, OK


def parse_precision(text: str | None) -> float | None:
    """``"0.5%"`` or ``"0.005"`` -> 0.005; ValueError with a sentence when it is not a share above 0 and below 1."""
    if text is None:
        return None
    t = str(text).strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise ValueError(f'--precision "{text}" is not a number: write e.g. 0.5% or 0.005.') from None
    if not 0 < v < 1:
        raise ValueError(f"--precision must be above 0 and below 100 % (e.g. 0.5%), not {text}.")
    return v


def run_one(path: str | None, *, trials: int | None, seed: int | None, method: str | None, out: str | None,
            workers: int, show_progress: bool, precision: float | None = None) -> tuple[int, dict[str, Any], str]:
    """Run one scenario: (exit code, JSON object, readable text). With ``precision`` (or the scenario's CVaR
    precision, which ``precision`` overrides), the stop rule chooses the trials (``trials`` is then the cap)."""
    from workbench.allocation import Infeasible, SolverFailed
    from workbench.pipeline import ScenarioInvalid, run_scenario
    from workbench.risk.model import ModelError
    from workbench.risk.report import summary_dict, summary_text

    label = path or "default scenario"
    scn, load_issues, code = _load(path)
    if scn is None:
        text = "\n".join(i.text() for i in load_issues)
        return code, _failure([i.as_json() for i in load_issues]), f"{label}: cannot run.\n{text}"
    progress = Bar() if show_progress else None
    try:
        run = run_scenario(scn, method=method, trials=trials, seed=seed, workers=workers, progress=progress,
                           precision=precision)
    except ScenarioInvalid as exc:
        issues = [*load_issues, *exc.issues]
        return INVALID, _failure([i.as_json() for i in issues]), f"{label}: {exc}"
    except Infeasible as exc:   # every independent conflict and one proven repair ("repair": null when none)
        failed = {**_failure([i.as_json() for i in load_issues], exc.as_json()), "repair": exc.repair_json()}
        return INVALID, failed, f"{label}: {exc.explain()}"
    except (SolverFailed, ModelError, ValueError) as exc:
        return INVALID, _failure([i.as_json() for i in load_issues], message=str(exc)), f"{label}: {exc}"
    finally:
        if progress:
            progress.close()
    summary = summary_dict(run)
    if load_issues:
        summary["warnings"] = [i.text() for i in load_issues] + summary["warnings"]
    text = summary_text(run)
    if run.stop_rule is not None:    # from --precision or the scenario's CVaR precision
        summary["stop_rule"] = run.stop_rule.as_dict()
        text += "\n" + run.stop_rule.describe()
    if out:
        from workbench.excel import write_workbook
        try:
            # the workbook's Scenario sheet records the method, trials and seed the results came from
            write_workbook(out, run.options.apply(scn) if run.options else scn, results=run)
        except Exception as exc:
            msg = f"Could not write {out}: {exc}"
            return UNREADABLE, _failure(message=msg), msg
        summary["out"] = str(out)
        text += f"\n\nResults workbook written to {out}"
    if path:
        summary["file"] = str(path)
    return OK, summary, text


def _run_one_quiet(args: tuple[str | None, int | None, int | None, str | None, str | None]
                   ) -> tuple[int, dict[str, Any], str]:
    path, trials, seed, method, out = args
    try:
        return run_one(path, trials=trials, seed=seed, method=method, out=out, workers=1, show_progress=False)
    except Exception as exc:  # never a traceback, even from a worker
        return UNREADABLE, _failure(message=f"unexpected problem: {exc}"), f"{path}: unexpected problem: {exc}"



def _outputs(files: list[str], out: str | None) -> list[str | None] | None:
    if not out:
        return [None] * max(len(files), 1)
    if len(files) <= 1:
        return [out]
    if not Path(out).is_dir():
        return None
    return [str(Path(out) / f"{Path(f).stem}-results.xlsx") for f in files]


def run(args: argparse.Namespace) -> int:
    files: list[str] = list(args.files)
    if args.jobs is None or args.jobs < 1:
        return _usage_error(args, "--jobs must be at least 1.", INVALID)
    outs = _outputs(files, args.out)
    if outs is None:
        return _usage_error(args, "with several FILEs, --out must be an existing folder.", UNREADABLE)
    try:
        precision = parse_precision(args.precision)
    except ValueError as exc:
        return _usage_error(args, str(exc), INVALID)
    if precision is not None and len(files) > 1:
        return _usage_error(args, "--precision runs one FILE at a time.", INVALID)
    if len(files) <= 1:
        path = files[0] if files else None
        code, obj, text = run_one(path, trials=args.trials, seed=args.seed, method=args.method, out=outs[0],
                                  workers=args.jobs, show_progress=sys.stderr.isatty(), precision=precision)
        _emit(args, code, obj, text)
        return code
    jobs = [(f, args.trials, args.seed, args.method, o) for f, o in zip(files, outs)]
    workers = min(args.jobs, len(files), os.cpu_count() or 1)
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(_run_one_quiet, jobs))
    else:
        results = [_run_one_quiet(j) for j in jobs]
    codes = [r[0] for r in results]
    code = UNREADABLE if UNREADABLE in codes else (INVALID if INVALID in codes else OK)
    if args.json:
        runs = []
        for f, (_, obj, _) in zip(files, results):
            obj.setdefault("file", f)
            runs.append(obj)
        print(json.dumps({"runs": runs}, allow_nan=False))
    else:
        for f, (c, _, text) in zip(files, results):
            print(f"=== {f} ===")
            (print if c == OK else _err)(text)
            print()
    for f, c in zip(files, codes):
        if c != OK:
            _err(f"{f}: failed (exit code {c}).")
    return code


def _emit(args: argparse.Namespace, code: int, obj: dict[str, Any], text: str) -> None:
    if args.json:
        print(json.dumps(obj, allow_nan=False))
        if code != OK:
            _err(text)
    elif code == OK:
        print(text)
    else:
        _err(text)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _usage_error(args: argparse.Namespace, message: str, code: int) -> int:
    if args.json:
        print(json.dumps(_failure(message=message)))
    _err(f"workbench run: {message}")
    return code
