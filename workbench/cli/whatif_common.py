"""Shared parts of ``workbench seek``, ``workbench switching`` and ``workbench sobol``: loading the
scenario, building the common-random-numbers evaluator, help text that lists the inputs and
statistics, and turning every expected failure into a message and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.scenario import Scenario
    from workbench.whatif.evaluator import Evaluator

OK, INVALID, UNREADABLE = 0, 1, 2

STATISTICS_HELP = (
    "Statistics (of the allocation's NPV at the scenario's discount rate, USD m, on common random numbers): "
    '"expected-npv" (also "E[NPV]", "expected NPV"), "p-loss" (also "P(NPV<0)"), "var" and "cvar" '
    "(losses at the scenario's confidence level, e.g. \"CVaR 95%\"). Values: 0.1 or 10%% for a probability; "
    "USD m, or with bn (80bn = 80,000) for amounts."
)


class _InputsHelp(argparse.Action):
    """``-h/--help``: the usual help, then the default scenario's inputs (computed only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, default: Any = argparse.SUPPRESS,
                 help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        parser.print_help()
        print()
        print(inputs_text(None))
        parser.exit()


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-h", "--help", action=_InputsHelp, help="show this help, the statistics and the default "
                   "scenario's inputs, and exit")
    p.add_argument("file", nargs="?", metavar="FILE", help="workbook; default scenario when omitted")
    p.add_argument("--trials", type=int, help="trials per evaluation (default: the scenario's Trials, at most 20,000)")
    p.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--list-inputs", action="store_true", help="list the inputs of FILE's scenario and exit")


def inputs_text(scn: Scenario | None) -> str:
    from workbench.default_scenario import default_scenario
    from workbench.whatif.inputs import all_inputs, fmt_value

    scn = scn if scn is not None else default_scenario()
    lines = [f"Inputs of {'the default scenario' if scn is None else scn.name} (name, scenario value, valid range):"]
    for i in all_inputs(scn):
        tag = "" if i.touches_risk else "  [allocation re-fitted at each value]"
        lines.append(f"  {i.name}  ({fmt_value(i.value, i.unit)}; {i.describe_range()}){tag}")
    return "\n".join(lines)


def load(args: argparse.Namespace) -> tuple[Scenario | None, int, str]:
    """(scenario, code, message): the checked scenario, or None with the exit code and why."""
    from workbench.cli.run_cmd import _load
    from workbench.pipeline import ScenarioInvalid, check, with_run_options

    scn, issues, code = _load(args.file)
    label = args.file or "default scenario"
    if scn is None:
        return None, code, f"{label}: cannot read it.\n" + "\n".join(i.text() for i in issues)
    if args.trials is not None and args.trials < 2:
        return None, INVALID, "--trials must be at least 2."
    scn = with_run_options(scn, seed=args.seed)
    try:
        check(scn)
    except ScenarioInvalid as exc:
        return None, INVALID, f"{label}: {exc}"
    return scn, OK, ""


def evaluator(scn: Scenario, args: argparse.Namespace, *, reallocate: bool = False, trials: int | None = None
              ) -> tuple[Evaluator | None, int, str]:
    """(evaluator, code, message)."""
    from workbench.allocation import Infeasible, SolverFailed
    from workbench.risk.model import ModelError
    from workbench.whatif.evaluator import Evaluator

    try:
        return Evaluator(scn, trials=trials if trials is not None else args.trials, seed=args.seed,
                         reallocate=reallocate), OK, ""
    except Infeasible as exc:
        return None, INVALID, exc.explain()
    except (SolverFailed, ModelError, ValueError) as exc:
        return None, INVALID, str(exc)


def emit(args: argparse.Namespace, code: int, obj: dict[str, Any] | None, text: str) -> int:
    if args.json:
        out = obj if obj is not None else {"ok": False, "message": text}
        from workbench.results import finite_or_none

        print(json.dumps(finite_or_none(out), allow_nan=False))
        if code != OK:
            print(text, file=sys.stderr)
    elif code == OK:
        print(text)
    else:
        print(text, file=sys.stderr)
    return code
