"""``workbench switching [FILE]``: switching values of the tornado's inputs (and any picked ones).

For each input, the value (nearest the scenario's) at which the criterion crosses its
threshold: expected NPV = 0 by default, or P(NPV<0), VaR or CVaR = a threshold, or the
allocation changing. Exit codes: 0 done; 1 invalid input or option; 2 unreadable file or
malformed command line.
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

CRITERIA = ("expected-npv", "p-loss", "var", "cvar", "allocation")


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "switching", add_help=False, help="switching values: where each input makes a criterion cross its threshold",
        description="Switching values on common random numbers, with Monte Carlo errors. Default criterion: "
        "expected NPV = 0. Exit 0 done, 1 invalid input, 2 unreadable file or malformed command line.",
        epilog=STATISTICS_HELP + ' Criterion "allocation": the nearest values at which the re-fitted allocation '
        "moves a project by more than 1 %% of the programme or changes the funded set.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(p)
    p.add_argument("--criterion", default="expected-npv", help=f"one of {', '.join(CRITERIA)} (default expected-npv)")
    p.add_argument("--threshold", help="the criterion's threshold (default 0 for expected-npv; required for "
                   "p-loss, var and cvar, e.g. 10%% or 80bn)")
    p.add_argument("--input", action="append", default=[], metavar="INPUT",
                   help="an input to add to the tornado's (repeat for several)")
    p.add_argument("--only", action="store_true", help="only the inputs given with --input")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.allocation import Infeasible, SolverFailed
    from workbench.progress import Cancelled
    from workbench.whatif.inputs import UnknownInput, find_input, fmt_value, tornado_inputs
    from workbench.whatif.statistics import UnknownStatistic, find_statistic, parse_number
    from workbench.whatif.switching import ALLOCATION, switching_values

    scn, code, msg = load(args)
    if scn is None:
        return emit(args, code, None, msg)
    if args.list_inputs:
        return emit(args, OK, {"ok": True}, inputs_text(scn))
    crit = args.criterion.strip().lower()
    try:
        if crit != ALLOCATION:
            crit = find_statistic(crit).key
            if args.threshold is None and crit != "expected-npv":
                return emit(args, INVALID, None, f"--criterion {crit} needs --threshold (e.g. 10% or 80bn).")
            threshold = 0.0 if args.threshold is None else parse_number(args.threshold, find_statistic(crit).unit)
        else:
            threshold = 0.0
        picked = [find_input(scn, name) for name in args.input]
    except (UnknownInput, UnknownStatistic) as exc:
        return emit(args, INVALID, None, str(exc))
    inputs = picked if args.only else tornado_inputs(scn) + [i for i in picked if i.name not in
                                                            {t.name for t in tornado_inputs(scn)}]
    if not inputs:
        return emit(args, INVALID, None, "No input to analyse: give --input with --only.")
    ev, code, msg = evaluator(scn, args, reallocate=crit == ALLOCATION)
    if ev is None:
        return emit(args, code, None, msg)
    bar = Bar(not args.json)
    try:
        res = switching_values(ev, inputs, criterion=crit, threshold=threshold, progress=bar)
    except Cancelled:
        return emit(args, INVALID, None, "Cancelled.")
    except (ValueError, Infeasible, SolverFailed) as exc:
        return emit(args, INVALID, None, exc.explain() if isinstance(exc, Infeasible) else str(exc))
    finally:
        bar.close()
    label = res[0].criterion_label if res else crit
    head = (f"Switching values: {label}" + (f" = {threshold:g}" if crit != ALLOCATION else "")
            + f"; {ev.trials:,} trials, seed {ev.seed}, allocation {ev.method}"
            + (" re-fitted at each value." if crit == ALLOCATION else " held fixed."))
    rows = [head, "", f"{'Input':<58} {'Scenario':>10} {'Switching value':>16} {'95 % band':>22}  Evals"]
    for c in res:
        u = c.input.unit
        band = c.band()
        rows.append(f"{c.input.name[:58]:<58} {fmt_value(c.input.value, u):>10} "
                    f"{(fmt_value(c.value, u) if c.value is not None else 'none in range'):>16} "
                    f"{(fmt_value(band[0], u) + ' to ' + fmt_value(band[1], u)) if band else '':>22}  {c.evaluations}")
    rows.append("")
    rows.append(f"{sum(c.evaluations for c in res)} evaluations in all. Details:")
    rows += [f"- {c.message}" for c in res]
    obj = {"ok": True, "criterion": crit, "threshold": threshold, "trials": ev.trials, "seed": ev.seed,
           "confidence": ev.confidence, "method": ev.method, "switching": [c.as_dict() for c in res]}
    return emit(args, OK, obj, "\n".join(rows))
