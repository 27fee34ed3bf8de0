"""``workbench seek [FILE] --vary INPUT --target "STATISTIC<=VALUE"``: goal seek on a simulated statistic.

The answer is the value of INPUT, nearest its scenario value, at which the target starts (or
stops) holding, with its Monte Carlo error band; or a statement that the target cannot be
reached within the input's valid range. Exit codes: 0 answered (including "cannot be
reached", which is an answer); 1 invalid input, unknown input or statistic, infeasible
constraints; 2 unreadable file or malformed command line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

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
    from workbench.scenario import Scenario


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "seek", add_help=False, help="goal seek: the input value at which a statistic reaches a target",
        description='Goal seek on a simulated statistic, e.g. --vary "Data centers: expected return" '
        '--target "P(NPV<0)<=10%%". The allocation is the scenario\'s (fitted with its method) and held fixed, '
        "unless --reallocate (or the input only changes the allocation problem). Exit 0 answered, 1 invalid "
        "input, 2 unreadable file or malformed command line.",
        epilog=STATISTICS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(p)
    p.add_argument("--vary", metavar="INPUT", help='the input to move, e.g. "Data centers: expected return"')
    p.add_argument("--target", metavar="STATISTIC<=VALUE", help='e.g. "P(NPV<0)<=10%%" or "CVaR<=80bn"')
    p.add_argument("--reallocate", action="store_true", help="re-fit the allocation at every value tried")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.allocation import Infeasible, SolverFailed
    from workbench.progress import Cancelled
    from workbench.whatif.inputs import UnknownInput, find_input
    from workbench.whatif.statistics import UnknownStatistic, parse_target
    from workbench.whatif.switching import goal_seek

    scn, code, msg = load(args)
    if scn is None:
        return emit(args, code, None, msg)
    if args.list_inputs:
        return emit(args, OK, {"ok": True, "inputs": _inputs_json(scn)}, inputs_text(scn))
    if not args.vary or not args.target:
        return emit(args, 2, None, 'workbench seek: give both --vary "INPUT" and --target "STATISTIC<=VALUE" '
                    "(see --help).")
    try:
        inp = find_input(scn, args.vary)
        target = parse_target(args.target)
    except (UnknownInput, UnknownStatistic) as exc:
        return emit(args, INVALID, None, str(exc))
    ev, code, msg = evaluator(scn, args, reallocate=args.reallocate)
    if ev is None:
        return emit(args, code, None, msg)
    bar = Bar(not args.json)
    try:
        res = goal_seek(ev, inp, target, progress=bar)
    except Cancelled:
        return emit(args, INVALID, None, "Cancelled.")
    except (ValueError, Infeasible, SolverFailed) as exc:
        return emit(args, INVALID, None, exc.explain() if isinstance(exc, Infeasible) else str(exc))
    finally:
        bar.close()
    obj = {"ok": True, "trials": ev.trials, "seed": ev.seed, "confidence": ev.confidence, "method": ev.method,
           "reallocate": ev.reallocate or not inp.touches_risk, **res.as_dict()}
    lines = [res.message]
    if res.se is not None:
        from workbench.whatif.inputs import fmt_value
        lines.append(f"Monte Carlo standard error of the answer: {fmt_value(res.se, inp.unit)} "
                     "(delta method: the statistic's standard error at the answer over the curve's slope).")
    lines.append(f"{res.crossing.evaluations} evaluations of {ev.trials:,} trials each (seed {ev.seed}); "
                 f"allocation: {ev.method}, " + ("re-fitted at every value." if obj["reallocate"] else "held fixed."))
    lines += list(res.crossing.notes)
    return emit(args, OK, obj, "\n".join(lines))


def _inputs_json(scn: Scenario) -> list[dict[str, Any]]:
    from workbench.whatif.inputs import all_inputs
    return [{"name": i.name, "kind": i.kind, "value": i.value, "valid_range": [i.low, i.high], "unit": i.unit,
             "changes_risk_model": i.touches_risk} for i in all_inputs(scn)]
