"""``workbench sobol [FILE]``: first-order and total Sobol indices over the tornado's inputs and ranges.

Exit codes: 0 done; 1 invalid input or option; 2 unreadable file or malformed command line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbench.cli.progress import Bar
from workbench.cli.whatif_common import (
    INVALID,
    OK,
    STATISTICS_HELP,
    add_common,
    emit,
    evaluator,
    inputs_text,
    load,
)

if TYPE_CHECKING:
    import argparse

    from workbench.cli._types import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "sobol", add_help=False, help="global sensitivity: Sobol indices of a statistic over the tornado's ranges",
        description="Variance-based (Sobol) first-order and total indices by pick-freeze on common random numbers, "
        "by input and by group (all events, each sector's inputs), with bootstrap 95 %% intervals, and where "
        "their ranking differs from the tornado's. Exit 0 done, 1 invalid input, 2 unreadable file or malformed "
        "command line.", epilog=STATISTICS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(p)
    p.add_argument("--statistic", default="expected-npv", help="expected-npv (default), p-loss, var or cvar")
    p.add_argument("--samples", type=int, default=None, help="rows of each pick-freeze matrix (default 128)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.allocation import Infeasible, SolverFailed
    from workbench.progress import Cancelled
    from workbench.risk.sensitivity import tornado
    from workbench.whatif.sobol import SOBOL_SAMPLES, SOBOL_TRIALS, ranking_differences, sobol_scenario
    from workbench.whatif.statistics import UnknownStatistic, find_statistic

    scn, code, msg = load(args)
    if scn is None:
        return emit(args, code, None, msg)
    if args.list_inputs:
        return emit(args, OK, {"ok": True}, inputs_text(scn))
    try:
        stat = find_statistic(args.statistic)
    except UnknownStatistic as exc:
        return emit(args, INVALID, None, str(exc))
    samples = args.samples or SOBOL_SAMPLES
    if samples < 8:
        return emit(args, INVALID, None, "--samples must be at least 8.")
    ev, code, msg = evaluator(scn, args, trials=args.trials or SOBOL_TRIALS)
    if ev is None:
        return emit(args, code, None, msg)
    bar = Bar(not args.json)
    try:
        res = sobol_scenario(scn, statistic=stat, samples=samples, evaluator=ev, progress=bar)
        amounts = dict(zip(ev.model.ids, ev.base_amounts))
        bars = tornado(scn, amounts, seed=args.seed)
    except Cancelled:
        return emit(args, INVALID, None, "Cancelled.")
    except (ValueError, Infeasible, SolverFailed) as exc:
        return emit(args, INVALID, None, exc.explain() if isinstance(exc, Infeasible) else str(exc))
    finally:
        bar.close()
    key = (lambda b: -b.cvar_swing) if stat.key in ("cvar", "var") else (lambda b: -b.expected_pnl_swing)
    order = [b.input for b in sorted(bars, key=key)]
    diff = ranking_differences(res, order)
    lines = [f"Sobol indices of {res.statistic_label}: {res.samples} rows per matrix, {res.trials:,} trials per "
             f"evaluation (common random numbers), {res.evaluations:,} evaluations; bootstrap 95 % intervals.", "",
             f"{'Input':<58} {'First order':>22} {'Total':>22}  Tornado/Sobol rank"]
    for i in sorted(res.inputs, key=lambda i: -i.total):
        flag = f"{diff[i.name][0]} / {diff[i.name][1]}  differs" if i.name in diff else ""
        lines.append(f"{i.name[:58]:<58} {i.first:6.3f} [{i.first_ci[0]:6.3f},{i.first_ci[1]:6.3f}] "
                     f"{i.total:6.3f} [{i.total_ci[0]:6.3f},{i.total_ci[1]:6.3f}]  {flag}")
    lines += ["", "Groups:"]
    for g in res.groups:
        lines.append(f"{g.name[:58]:<58} {g.first:6.3f} [{g.first_ci[0]:6.3f},{g.first_ci[1]:6.3f}] "
                     f"{g.total:6.3f} [{g.total_ci[0]:6.3f},{g.total_ci[1]:6.3f}]")
    obj = {"ok": True, "seed": ev.seed, **res.as_dict(),
           "tornado_order": order, "rank_differences": {k: {"tornado": v[0], "sobol": v[1]} for k, v in diff.items()}}
    return emit(args, OK, obj, "\n".join(lines))
