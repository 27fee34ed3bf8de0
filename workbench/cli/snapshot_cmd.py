"""``workbench snapshot ACTION ...``: the local snapshot library from the command line.

    workbench snapshot save [FILE] --note TEXT [--run]   # prints the id alone, after a durable commit
    workbench snapshot list [--json] [--search TEXT] [--tag TAG] [--deleted]
    workbench snapshot show ID [--json]
    workbench snapshot export ID OUT.xlsx
    workbench snapshot diff ID1 ID2 [--json] [--waterfall]
    workbench snapshot restore ID OUT.xlsx [--force]
    workbench snapshot delete ID | undelete ID | tag ID TAG... | salvage NEW.sqlite

Every action takes ``--library PATH`` (above ``WORKBENCH_LIBRARY``, above the user data
folder). Exit codes: 0 success; 1 invalid input (an unknown snapshot id, a scenario with
errors, a run that cannot be done); 2 an unreadable file or library, a file that cannot be
written, or a malformed command line. Messages go to stderr; stdout carries only results.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from workbench.cli._types import Subparsers
    from workbench.scenario import Scenario
    from workbench.snapshots import Library
    from workbench.snapshots.library import SnapshotInfo

OK, INVALID, UNREADABLE = 0, 1, 2


def _library_option(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument("--library", metavar="PATH", default=default,
                   help="snapshot library file (overrides WORKBENCH_LIBRARY and the user data folder)")


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("snapshot", help="save, list, show, diff, export and restore snapshots",
                       description="The local snapshot library: immutable snapshots of scenarios with their key "
                       "results. Exit 0 on success, 1 for invalid input (unknown id, scenario errors), 2 for an "
                       "unreadable file or library or a malformed command line.")
    _library_option(p, None)
    acts = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))

    def action(name: str, help_: str, fn: Callable[[argparse.Namespace], int], description: str = ""
               ) -> argparse.ArgumentParser:
        a = acts.add_parser(name, help=help_, description=description or help_)
        _library_option(a, argparse.SUPPRESS)
        a.set_defaults(action_handler=fn)
        return a

    a = action("save", "save a scenario as a snapshot and print its id", _save,
               "Save FILE (the default scenario when omitted) as a snapshot; print its id alone on stdout once "
               "the commit is durable. Saving content and note that already exist prints the existing id.")
    a.add_argument("file", nargs="?", metavar="FILE", help="scenario workbook (default scenario when omitted)")
    a.add_argument("--note", default="", help="why this snapshot was taken")
    a.add_argument("--run", action="store_true", help="run the models first and store the key results")
    a.add_argument("--full-results", action="store_true", help="with --run: store the full results too (larger)")
    a.add_argument("--trials", type=int, help="with --run: Monte Carlo trials (stored in the snapshot's fields)")
    a.add_argument("--seed", type=int, help="with --run: random seed (stored in the snapshot's fields)")
    a.add_argument("--author", help="who saves it (default: your user name)")
    a.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    a.add_argument("--parent", type=int, help="id of the snapshot this one was derived from")

    a = action("list", "list snapshots, newest first", _list)
    a.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    a.add_argument("--search", metavar="TEXT", help="only snapshots whose note, name, author or tag contains TEXT")
    a.add_argument("--tag", help="only snapshots with this tag")
    a.add_argument("--deleted", action="store_true", help="list deleted snapshots instead")

    a = action("show", "show one snapshot: details, key results and (with --json) the input tables", _show)
    a.add_argument("id", metavar="ID")
    a.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    a = action("export", "write a snapshot as a scenario workbook", _export,
               "Write the snapshot's scenario as a workbook (atomically: a failure leaves OUT as it was).")
    a.add_argument("id", metavar="ID")
    a.add_argument("out", metavar="OUT.xlsx")

    a = action("diff", "compare two snapshots: inputs cell by cell, key results, waterfall", _diff)
    a.add_argument("old", metavar="ID1")
    a.add_argument("new", metavar="ID2")
    a.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    a.add_argument("--waterfall", action="store_true",
                   help="re-run with each group of changes applied in turn (same seed) to attribute the move")
    a.add_argument("--trials", type=int, help="trials for the waterfall runs (default: ID1's Trials field)")

    a = action("restore", "write a snapshot as the workbook to continue from", _restore,
               "Write the snapshot's scenario to OUT.xlsx to continue working from it. Refuses to replace an "
               "existing file unless --force.")
    a.add_argument("id", metavar="ID")
    a.add_argument("out", metavar="OUT.xlsx")
    a.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")

    a = action("delete", "hide a snapshot (undelete brings it back)", _delete)
    a.add_argument("id", metavar="ID")
    a = action("undelete", "bring a deleted snapshot back", _undelete)
    a.add_argument("id", metavar="ID")
    a = action("tag", "add tags to a snapshot", _tag)
    a.add_argument("id", metavar="ID")
    a.add_argument("tags", nargs="+", metavar="TAG")
    a = action("salvage", "copy the readable snapshots of a damaged library into a new one", _salvage)
    a.add_argument("out", metavar="NEW.sqlite")
    p.set_defaults(handler=run, snapshot_parser=p)


def run(args: argparse.Namespace) -> int:
    from workbench.snapshots import CorruptLibrary, LibraryError, SnapshotNotFound

    fn = getattr(args, "action_handler", None)
    if fn is None:
        args.snapshot_parser.print_help(sys.stderr)
        return UNREADABLE
    try:
        code: int = fn(args)   # the action's handler, set by add_parser
        return code
    except BrokenPipeError:  # the reader (``| head``) stopped early: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except SnapshotNotFound as exc:
        return _err(str(exc), INVALID)
    except (CorruptLibrary, LibraryError) as exc:
        return _err(str(exc), UNREADABLE)


def _err(message: str, code: int) -> int:
    print(f"workbench snapshot: {message}", file=sys.stderr)
    return code


def _open(args: argparse.Namespace) -> Library:
    from workbench.snapshots import Library

    return Library(args.library)


# --------------------------------------------------------------------------- save
def _load(path: str | None) -> tuple[Scenario | None, str, int]:
    """(scenario, error message, exit code) for FILE, or the default scenario."""
    if path is None:
        from workbench.default_scenario import default_scenario
        return default_scenario(), "", OK
    if not Path(path).is_file():
        return None, f"there is no file {path}. Check the path.", UNREADABLE
    try:
        from workbench.excel import read_workbook
    except ImportError:
        return None, "reading workbooks is not available in this version yet.", UNREADABLE
    try:
        result = read_workbook(path)
    except Exception as exc:  # the reader's "cannot read this file" errors
        return None, f"{path} cannot be read: {exc}", UNREADABLE
    issues = list(getattr(result, "issues", []) or [])
    errors = [i for i in issues if i.is_error]
    if result.scenario is None or errors:
        lines = "\n".join(f"  - {i.text()}" for i in errors)
        code = UNREADABLE if result.scenario is None and not any(i.sheet for i in errors) else INVALID
        return None, f"{path} has errors, nothing was saved:\n{lines}", code
    return result.scenario, "", OK


def _save(args: argparse.Namespace) -> int:
    scn, message, code = _load(args.file)
    if scn is None:
        return _err(message, code)
    results = None
    if args.run or args.full_results:
        from workbench.allocation import Infeasible
        from workbench.pipeline import ScenarioInvalid, run_scenario, with_run_options

        scn = with_run_options(scn, trials=args.trials, seed=args.seed)
        try:
            results = run_scenario(scn)
        except Infeasible as exc:
            return _err(f"the scenario cannot be run, nothing was saved: {exc.explain()}", INVALID)
        except (ScenarioInvalid, ValueError) as exc:
            return _err(f"the scenario cannot be run, nothing was saved: {exc}", INVALID)
    elif args.trials is not None or args.seed is not None:
        return _err("--trials and --seed only apply with --run.", UNREADABLE)
    with _open(args) as lib:
        sid = lib.save(scn, note=args.note, author=args.author, results=results, full_results=args.full_results,
                       parent=args.parent, tags=args.tag)
    print(sid, flush=True)
    return OK


# --------------------------------------------------------------------- list/show
def _money(x: Any) -> str:
    return "" if not isinstance(x, (int, float)) or isinstance(x, bool) else f"{x:,.0f}"


def _local(iso: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def _list_entry(info: SnapshotInfo) -> dict[str, Any]:
    out = info.to_json()
    out["results"] = info.key_figures() or None
    return out


def _list(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        infos = lib.list(query=args.search, tag=args.tag, deleted=True if args.deleted else False)
        path = str(lib.path)
    if args.json:
        print(json.dumps({"library": path, "snapshots": [_list_entry(i) for i in infos]}, indent=2))
        return OK
    if not infos:
        print(f"No snapshots{' match' if args.search or args.tag else ''} in {path}.", file=sys.stderr)
        return OK
    print(f"{'ID':>5}  {'Time':16}  {'Hash':12}  {'E[NPV] USD m':>14}  {'CVaR USD m':>12}  Name / note")
    for i in infos:
        k = i.key_figures()
        tags = f"  [{', '.join(i.tags)}]" if i.tags else ""
        print(f"{i.id:>5}  {_local(i.created_at):16}  {i.content_hash[:12]}  {_money(k.get('expected_pnl')):>14}  "
              f"{_money(k.get('cvar')):>12}  {i.name} / {i.note}{tags}")
    return OK


def _show(args: argparse.Namespace) -> int:
    from workbench.serialize import provenance_to_list, scenario_to_dict
    from workbench.snapshots.report import NAMES

    with _open(args) as lib:
        info = lib.get(args.id)
        scn = lib.restore(info.id)
    if args.json:
        out = info.to_json()
        out["scenario"] = scenario_to_dict(scn)
        out["provenance"] = provenance_to_list(scn)
        print(json.dumps(out, indent=2))
        return OK
    lines = [f"Snapshot {info.id}{' (deleted)' if info.deleted else ''}",
             f"  Name:        {info.name}", f"  Note:        {info.note}",
             f"  Saved:       {_local(info.created_at)} by {info.author or 'unknown'} (app {info.app_version})",
             f"  Parent:      {info.parent if info.parent is not None else '-'}",
             f"  Content:     {info.content_hash}", f"  Tags:        {', '.join(info.tags) or '-'}",
             f"  Inputs:      {len(scn.sectors)} sectors, {len(scn.projects)} projects, "
             f"{len(scn.constraints)} constraints, {len(scn.risk_events)} risk events"]
    if info.summary:
        s = info.summary
        lines.append(f"  Results:     {s.get('method', '')}, {s.get('trials', '?'):,} trials, seed {s.get('seed', '?')}"
                     if isinstance(s.get("trials"), int) else "  Results:")
        for key, value in info.key_figures().items():
            text = f"{value:.1%}" if key == "prob_loss" else f"USD {value:,.0f} m"
            lines.append(f"    {NAMES[key]:34} {text}")
    else:
        lines.append("  Results:     none stored (save with --run to keep them)")
    print("\n".join(lines))
    return OK


# ------------------------------------------------------------------ export/restore
def _write(args: argparse.Namespace, *, force: bool) -> int:
    from workbench.snapshots import LibraryError

    out = Path(args.out)
    if not force and out.exists():
        return _err(f"{out} already exists: nothing was written. Use --force to replace it, or choose another name.",
                    UNREADABLE)
    with _open(args) as lib:
        info = lib.get(args.id)
        try:
            lib.export(info.id, out)
        except ImportError:
            return _err("writing workbooks is not available in this version yet.", UNREADABLE)
        except OSError as exc:
            return _err(f"could not write {out}: {exc.strerror or exc}. Nothing was changed.", UNREADABLE)
        except LibraryError:
            raise
        except Exception as exc:  # the writer's ExportError says which value a workbook cannot hold
            return _err(f"could not write {out}: {exc}. Nothing was changed.", UNREADABLE)
    print(f"Snapshot {info.id} written to {out}", file=sys.stderr)
    return OK


def _export(args: argparse.Namespace) -> int:
    return _write(args, force=True)


def _restore(args: argparse.Namespace) -> int:
    return _write(args, force=args.force)


# --------------------------------------------------------------------------- diff
def _diff(args: argparse.Namespace) -> int:
    from workbench.progress import Cancelled

    with _open(args) as lib:
        try:
            cmp = lib.compare(args.old, args.new, waterfall=args.waterfall, trials=args.trials)
        except Cancelled:
            return _err("cancelled.", INVALID)
        except Exception as exc:  # a waterfall run that cannot be done
            if not args.waterfall:
                raise
            return _err(f"the waterfall could not be computed: {exc}", INVALID)
    if args.json:
        print(json.dumps(cmp.to_json(), indent=2))
        return OK
    from workbench.snapshots.report import comparison_text

    print(comparison_text(cmp))
    return OK


# ------------------------------------------------------------------ small actions
def _delete(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        lib.delete(args.id)
    print(f"Snapshot {args.id} deleted ('workbench snapshot undelete {args.id}' brings it back).", file=sys.stderr)
    return OK


def _undelete(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        lib.undelete(args.id)
    return OK


def _tag(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        lib.tag(args.id, *args.tags)
    return OK


def _salvage(args: argparse.Namespace) -> int:
    from workbench.snapshots import library_path, salvage

    report = salvage(library_path(args.library), args.out)
    print(report.message(), file=sys.stderr)
    return OK if report.copied or not report.error else INVALID
