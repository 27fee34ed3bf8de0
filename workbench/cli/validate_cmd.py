"""``workbench validate [FILE] [--json]``.

Exit 0 when there are no errors, 1 when there are errors, 2 when the file cannot be read
at all. With ``--json`` exactly one JSON object goes to stdout:
``{"ok", "issues": [{"severity", "sheet", "cell", "message"}], "scenario": {...} | null}``.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from workbench.cli._types import Subparsers
    from workbench.issues import Issue
    from workbench.scenario import Scenario

OK, INVALID, UNREADABLE = 0, 1, 2


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("validate", help="check a scenario workbook (default scenario when no FILE)",
                       description="Check a scenario workbook and report every problem by sheet and cell. "
                       "Exit 0 when there are no errors, 1 when there are errors, 2 when the file cannot be read.")
    p.add_argument("file", nargs="?", help="workbook (.xlsx, .xlsm, .xls, .ods); default scenario when omitted")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(handler=run)


def check(path: str | None) -> tuple[Scenario | None, list[Issue], int]:
    """(scenario or None, issues, exit code) for a FILE, or the default scenario."""
    from workbench.issues import has_errors

    if path is None:
        from workbench.default_scenario import default_scenario
        from workbench.validation import validate

        scn = default_scenario()
        issues = validate(scn)
        return (None if has_errors(issues) else scn), issues, (INVALID if has_errors(issues) else OK)
    from workbench.excel import read_workbook

    result = read_workbook(path)
    if result.fatal:
        return None, result.issues, UNREADABLE
    return result.scenario, result.issues, (INVALID if has_errors(result.issues) else OK)


def report(label: str, issues: Sequence[Issue]) -> str:
    """A readable report, grouped by sheet in workbook order."""
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    if not issues:
        return f"{label}: no problems found."
    head = f"{label}: {_count(errors, 'error')}, {_count(warnings, 'warning')}."
    groups: dict[str, list[Issue]] = {}
    for i in issues:
        groups.setdefault(i.sheet or i.table or "Workbook", []).append(i)
    lines = [head]
    for sheet, items in groups.items():
        lines.append("")
        lines.append(f"{sheet}")
        for i in items:
            where = i.cell or (", ".join(p for p in (i.row, i.column) if p) if not i.sheet else "")
            msg = i.message if not i.suggestion or i.suggestion in i.message else f"{i.message} {i.suggestion}"
            lines.append(f"  {i.severity:<7} {where + ': ' if where else ''}{msg}")
    return "\n".join(lines)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    scn, issues, code = check(args.file)
    if args.json:
        from workbench.serialize import scenario_to_dict

        out = {"ok": code == OK, "issues": [i.as_json() for i in issues],
               "scenario": scenario_to_dict(scn) if scn is not None and code == OK else None}
        json.dump(out, sys.stdout, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(report(args.file or "default scenario", issues))
    return code
