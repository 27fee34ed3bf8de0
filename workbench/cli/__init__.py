"""The ``workbench`` command line: one module per subcommand, each with ``add_parser`` and ``run``.

Exit codes everywhere: 0 success; 1 invalid input, an invalid option value or infeasible
constraints (always with the explanation); 2 an unreadable file, a malformed command line,
or a command that is not available.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from workbench import __version__
from workbench.cli import (
    diff_cmd,
    report_cmd,
    run_cmd,
    seek_cmd,
    snapshot_cmd,
    sobol_cmd,
    switching_cmd,
    template_cmd,
    validate_cmd,
)
from workbench.threads import single_threaded_blas

SUBCOMMANDS = (validate_cmd, run_cmd, template_cmd, diff_cmd, snapshot_cmd, seek_cmd, switching_cmd, sobol_cmd,
               report_cmd)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # a malformed command line exits 2, with usage
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workbench",
        description="Scenario Workbench: plan a cross-border investment programme offline. "
        "Without a FILE, commands use the embedded default scenario "
        "(US-Japan strategic investment programme, USD 550 bn).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    single_threaded_blas()      # before anything loads numpy
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback to a user
        print(f"workbench {args.command}: unexpected problem: {exc}. "
              "Please report it with the file you used.", file=sys.stderr)
        return 2
