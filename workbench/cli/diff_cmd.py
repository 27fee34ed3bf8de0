"""``workbench diff A [B] [--json]``: what changed between two workbooks.

With one file, what it changes in the default scenario. Exit 0 when both were read (with
or without differences), 1 when a workbook has errors (its issues are printed), 2 when a
file cannot be read at all. With ``--json`` exactly one JSON object goes to stdout:
``{"ok", "a", "b", "summary": {table: {"added", "removed", "changed"}}, "changes": [...],
"issues": [...]}``; each change has ``id``, ``kind``, ``table``, ``row``, ``column``,
``old``, ``new`` and ``where`` (its cell in B).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from workbench.cli._types import Subparsers

OK, INVALID, UNREADABLE = 0, 1, 2


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("diff", help="show what changed between two workbooks",
                       description="Rows added, removed and changed, each changed cell as old -> new. "
                       "With one file, compare it with the default scenario. Exit 0 when both were read, "
                       "1 when a workbook has errors, 2 when a file cannot be read.")
    p.add_argument("a", help="first workbook (the old side)")
    p.add_argument("b", nargs="?", help="second workbook (the new side); when omitted, A is compared with the "
                   "default scenario")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.default_scenario import default_scenario
    from workbench.diff import diff_scenarios
    from workbench.excel import read_workbook

    if args.b is None:
        old_label, new_label = "default scenario", args.a
        reads = [None, read_workbook(args.a)]
    else:
        old_label, new_label = args.a, args.b
        reads = [read_workbook(args.a), read_workbook(args.b)]
    issues = []
    code = OK
    for label, res in zip((old_label, new_label), reads):
        if res is None:
            continue
        for i in res.issues:
            issues.append((label, i))
        if res.fatal:
            code = UNREADABLE
        elif res.scenario is None and code == OK:
            code = INVALID
    if code != OK:
        if args.json:
            out = {"ok": False, "a": args.a, "b": args.b, "summary": {}, "changes": [],
                   "issues": [{**i.as_json(), "file": label} for label, i in issues]}
            json.dump(out, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            for label, i in issues:
                if i.is_error:
                    print(f"{label}: {i.text()}", file=sys.stderr)
            print("workbench diff: cannot compare; fix the errors above first.", file=sys.stderr)
        return code
    first, new = reads
    old = first.scenario if first is not None else default_scenario()
    if old is None or new is None or new.scenario is None:   # not so: every file read gave a scenario (code OK)
        return INVALID
    diff = diff_scenarios(old, new.scenario, where=new)
    if args.json:
        out = {"ok": True, "a": args.a, "b": args.b, **diff.as_json(),
               "issues": [{**i.as_json(), "file": label} for label, i in issues]}
        json.dump(out, sys.stdout, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(f"{old_label} -> {new_label}")
        print(diff.text())
    return OK
