"""``workbench template [OUT.xlsx]``: write the default scenario as a workbook."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from workbench.cli._types import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("template", help="write the default scenario as a workbook",
                       description="Write the embedded default scenario as a workbook to edit. "
                       "Exit 0 when written, 2 when the file cannot be written.")
    p.add_argument("out", nargs="?", default="scenario.xlsx", help="output file (default scenario.xlsx)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.default_scenario import default_scenario
    from workbench.excel import ExportError, write_workbook

    out = args.out
    if not out.lower().endswith(".xlsx"):
        print(f"workbench template: {out} must end in .xlsx (the app writes Excel workbooks without macros).",
              file=sys.stderr)
        return 2
    try:
        write_workbook(out, default_scenario())
    except (OSError, ExportError) as exc:
        print(f"workbench template: could not write {out}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    print(f"Wrote the default scenario to {out}")
    return 0
