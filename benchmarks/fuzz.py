"""Fuzzing the workbook importer: mutants of real workbooks, each read in a child process
with a time and a memory limit, classified and checked for values dropped in silence.

Seeds: the app's template (the default scenario as exported), a colleague's small
workbook and one written the way colleagues lay theirs out (titles above the header,
units in the headers, percentages as text). Mutations, drawn from a fixed seed:

* cell: a cell of an input sheet gets a new value (number, text, NaN, infinity, an error
  value, a formula with no saved value, a boolean, a huge or negative number, spaces),
  or a new cell appears beside or below a table;
* structure (openpyxl): a sheet deleted, renamed or duplicated, rows inserted above the
  table, a column inserted, deleted or cleared, a header blanked or replaced, rows
  cleared, a sheet of random content added;
* bytes: the file truncated or bytes flipped; inside a part, bytes flipped, a slice cut
  or repeated, a cell reference made far or lower-case, a declared count or size
  inflated, a document type declaration inserted, the part re-encoded as UTF-16.

Each mutant is read by ``read_workbook`` in a child forked from a server that has the
reader loaded; the child may use 1 GB beyond its start and 10 s of processor time (60 s
of wall time, for a busy machine). Outcomes: ``accepted`` (a scenario), ``errors``
(located errors, no scenario), ``refused`` (the file as a whole), ``crash`` (the child
died), ``hang`` (stopped at either time limit), ``blow-up`` (out of its memory,
or peak resident growth above 1 GB). A ``silent drop`` is an accepted mutant in which a
changed cell holding something lies neither in what the import read (a table's header
or data cell, a Scenario field row, a correlation) nor under an issue (at the cell, or
at the header of its column), nor above a table's header (title rows).

    .venv/bin/python benchmarks/fuzz.py [--mutants 5000] [--seed 20261204]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from workbench import schema

TIME_LIMIT_S = 10.0
MEMORY_LIMIT = 2**30
INPUT_SHEETS = ["Scenario", *schema.TABLES, "Correlations"]
OUTCOMES = ("accepted", "errors", "refused", "crash", "hang", "blow-up")


# ------------------------------------------------------------------------ seeds
def seed_books(folder: Path) -> dict[str, bytes]:
    """The workbooks the mutants start from."""
    from tests.excel.books import FIELDS, PROJECTS, SECTORS, basic, write_book
    from workbench.default_scenario import default_scenario
    from workbench.excel import write_workbook

    template = folder / "template.xlsx"
    write_workbook(template, default_scenario())
    small = write_book(folder / "small.xlsx", basic())
    events = [["Event", "Annual probability", "Semiconductors", "Data centers"], ["Tariff ruling", 0.1, -0.2, -0.1]]
    laid_out = write_book(folder / "colleague.xlsx", {
        "Scenario": [["Programme inputs"], [], *FIELDS],
        "Sectors": [["Sector assumptions (as of May)"], [], *SECTORS],
        "Projects": [["Pipeline"], [], [*PROJECTS[0][:5], "Requested (USD bn)", "Minimum ticket (USD m)", "Coupon (%)"],
                     *[[*r[:5], r[5] / 1000, r[6], "6 %"] for r in PROJECTS[1:]]],
        "Risk events": events,
    })
    return {p.stem: p.read_bytes() for p in (template, small, laid_out)}


# ------------------------------------------------------------------- mutations
@dataclass
class Mutant:
    data: bytes
    kind: str                                  # "cell", "structure" or "bytes"
    what: str
    #: (sheet, "B7") of cells that now hold something they did not
    changed: list[tuple[str, str]] = field(default_factory=list)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def _pack(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, body in parts.items():
            out.writestr(name, body)
    return buf.getvalue()


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> its part, as the workbook and its relationships say (written the usual way)."""
    book = parts.get("xl/workbook.xml", b"").decode("utf-8", "replace")
    rels = parts.get("xl/_rels/workbook.xml.rels", b"").decode("utf-8", "replace")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
        target = targets.get(m.group(2), "")
        out[m.group(1)] = target[1:] if target.startswith("/") else f"xl/{target}"
    return out


_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_ROW_END = re.compile(rb"</row>")


def cells_of(xml: bytes) -> dict[str, bytes]:
    """A sheet's cells by reference (upper case) -> their markup, read leniently."""
    return {(m.group(1).decode().upper() + m.group(2).decode()): m.group(0) for m in _CELL.finditer(xml)}


def holds_something(markup: bytes) -> bool:
    return bool(re.search(rb"<(?:v|t|f)(?:\s[^>]*)?>\s*[^<\s]", markup))


def changed_cells(before: bytes, after: bytes) -> list[str]:
    """References of the cells whose markup (apart from how the reference is written) changed
    and that now hold something."""
    def body(markup: bytes | None) -> bytes | None:
        return None if markup is None else re.sub(rb'^<c r="[^"]*"', b"<c", markup)

    old, new = cells_of(before), cells_of(after)
    return [ref for ref, markup in new.items() if body(old.get(ref)) != body(markup) and holds_something(markup)]


VALUES = [b"<v>0.06</v>", b"<v>-1</v>", b"<v>1e308</v>", b"<v>nan</v>", b"<v>inf</v>", b"<v>12345678901234</v>",
          b"<v>0</v>", b"<v>2026</v>"]
TEXTS = ["12 %", "n/a", "#REF!", "   ", "Semiconductors", "Loan", "TX", "=SUM(A1:A3)", "$1.2bn", "¥180bn",
         "(150)", "yes", "-", "Data centers", "JBIC", "x" * 300, "Requested", "ID", "Coupon or fee"]


def _new_cell(rng, ref: bytes) -> bytes:
    pick = rng.integers(0, 5)
    if pick == 0:
        return b'<c r="' + ref + b'">' + VALUES[rng.integers(0, len(VALUES))] + b"</c>"
    if pick == 1:
        text = TEXTS[rng.integers(0, len(TEXTS))].encode()
        return b'<c r="' + ref + b'" t="inlineStr"><is><t>' + text + b"</t></is></c>"
    if pick == 2:
        err = [b"#REF!", b"#N/A", b"#DIV/0!", b"#VALUE!"][rng.integers(0, 4)]
        return b'<c r="' + ref + b'" t="e"><v>' + err + b"</v></c>"
    if pick == 3:
        return b'<c r="' + ref + b'"><f>1+1</f></c>'
    return b'<c r="' + ref + b'" t="b"><v>' + (b"1" if rng.random() < 0.5 else b"0") + b"</v></c>"


def _col_letters(index: int) -> str:
    s, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def mutate_cells(rng, data: bytes) -> Mutant:
    parts = _members(data)
    sheets = {s: p for s, p in sheet_parts(parts).items() if s in INPUT_SHEETS and p in parts}
    sheet = list(sheets)[rng.integers(0, len(sheets))]
    part = sheets[sheet]
    xml = parts[part]
    found = list(_CELL.finditer(xml))
    if found and rng.random() < 0.6:          # replace a cell's content
        m = found[rng.integers(0, len(found))]
        ref = m.group(1) + m.group(2)
        new = xml[:m.start()] + _new_cell(rng, ref) + xml[m.end():]
        what = f"cell {sheet}!{ref.decode()}"
    else:                                     # a new cell at the end of a row: beside the table
        rows = list(_ROW_END.finditer(xml))
        if not rows:
            return mutate_bytes(rng, data)
        end = rows[rng.integers(0, len(rows))]
        row_start = xml.rfind(b"<row", 0, end.start())
        num = re.match(rb'<row r="(\d+)"', xml[row_start:])
        if not num:
            return mutate_bytes(rng, data)
        last = max((_col_index(c.group(1)) for c in _CELL.finditer(xml, row_start, end.start())), default=0)
        ref = (_col_letters(last + 1 + int(rng.integers(0, 3))) + num.group(1).decode()).encode()
        new = xml[:end.start()] + _new_cell(rng, ref) + xml[end.start():]
        what = f"new cell {sheet}!{ref.decode()}"
    parts[part] = new
    return Mutant(_pack(parts), "cell", what, [(sheet, r) for r in changed_cells(xml, new)])


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def mutate_structure(rng, data: bytes) -> Mutant:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    names = [s for s in wb.sheetnames if s in INPUT_SHEETS]
    ws = wb[names[rng.integers(0, len(names))]]
    op = ["delete", "rename", "duplicate", "insert_rows", "insert_col", "delete_col", "blank_header",
          "replace_header", "clear_rows", "random_sheet"][rng.integers(0, 10)]
    changed: list[tuple[str, str]] = []
    header = next((r for r in range(1, min(ws.max_row, 25) + 1)
                   if sum(isinstance(ws.cell(r, c).value, str) for c in range(1, ws.max_column + 1)) >= 2), 1)
    if op == "delete" and len(wb.sheetnames) > 1:
        wb.remove(ws)
    elif op == "rename":
        ws.title = [ws.title.lower(), ws.title + " ", ws.title[:-1], "Sheet9", ws.title.upper()][rng.integers(0, 5)]
    elif op == "duplicate":
        wb.copy_worksheet(ws).title = ws.title[:20] + " (2)"
    elif op == "insert_rows":
        ws.insert_rows(1, amount=int(rng.integers(1, 25)))
    elif op == "insert_col":
        col = int(rng.integers(1, ws.max_column + 2))
        ws.insert_cols(col)
        for r in range(header + 1, ws.max_row + 1):
            if rng.random() < 0.5:
                ws.cell(r, col).value = float(rng.integers(0, 100)) / 100
                changed.append((ws.title, ws.cell(r, col).coordinate))
        if rng.random() < 0.5:
            ws.cell(header, col).value = TEXTS[rng.integers(0, len(TEXTS))]
    elif op == "delete_col":
        ws.delete_cols(int(rng.integers(1, ws.max_column + 1)))
    elif op == "blank_header":
        ws.cell(header, int(rng.integers(1, ws.max_column + 1))).value = [None, "  ", "=A1"][rng.integers(0, 3)]
    elif op == "replace_header":
        ws.cell(header, int(rng.integers(1, ws.max_column + 1))).value = TEXTS[rng.integers(0, len(TEXTS))]
    elif op == "clear_rows":
        for r in range(int(rng.integers(1, ws.max_row + 1)), ws.max_row + 1, 2):
            for c in range(1, ws.max_column + 1):
                ws.cell(r, c).value = None
    else:
        extra = wb.create_sheet(["Notes", "Risk Events", "Sectors ", "Data"][rng.integers(0, 4)])
        for r in range(1, 6):
            for c in range(1, 4):
                extra.cell(r, c).value = TEXTS[rng.integers(0, len(TEXTS))]
    out = io.BytesIO()
    wb.save(out)
    # what changed cell by cell in the sheets that are still there
    return Mutant(out.getvalue(), "structure", f"{op} {ws.title}", changed)


def mutate_bytes(rng, data: bytes) -> Mutant:
    op = ["truncate", "flip", "part_flip", "part_cut", "part_repeat", "far_ref", "lower_ref", "count", "dtd",
          "utf16", "type"][rng.integers(0, 11)]
    if op == "truncate":
        return Mutant(data[: int(rng.integers(1, len(data)))], "bytes", op)
    if op == "flip":
        buf = bytearray(data)
        for _ in range(int(rng.integers(1, 9))):
            buf[int(rng.integers(0, len(buf)))] = int(rng.integers(0, 256))
        return Mutant(bytes(buf), "bytes", op)
    parts = _members(data)
    sheets = sheet_parts(parts)
    names = [n for n in parts if n.endswith((".xml", ".rels"))]
    sheet_names = {p: s for s, p in sheets.items()}
    part = names[rng.integers(0, len(names))]
    if op in ("far_ref", "lower_ref", "type") and sheets:
        part = list(sheets.values())[rng.integers(0, len(sheets))]
    xml = parts.get(part, b"")
    if not xml:
        return Mutant(data, "bytes", "none")
    at = int(rng.integers(0, len(xml)))
    if op == "part_flip":
        buf = bytearray(xml)
        for _ in range(int(rng.integers(1, 5))):
            buf[int(rng.integers(0, len(buf)))] = int(rng.integers(32, 127))
        new = bytes(buf)
    elif op == "part_cut":
        new = xml[:at] + xml[at + int(rng.integers(1, 200)):]
    elif op == "part_repeat":
        piece = xml[at: at + int(rng.integers(1, 400))]
        new = xml[:at] + piece * int(rng.integers(2, 50)) + xml[at:]
    elif op == "far_ref":
        new = re.sub(rb'r="([A-Z]+)(\d+)"', lambda m: b'r="' + [b"XFD", b"ZZ", m.group(1)][int(rng.integers(0, 3))]
                     + str(int(rng.integers(1, 1_048_577))).encode() + b'"', xml, count=1)
    elif op == "lower_ref":
        new = re.sub(rb'r="([A-Z]+)(\d+)"', lambda m: b'r="' + m.group(1).lower() + m.group(2) + b'"', xml)
    elif op == "count":
        new = re.sub(rb'(count|uniqueCount|ref)="[^"]*"', lambda m: m.group(1) + b'="'
                     + [b"4294967295", b"-1", b"A1:XFD1048576", b"99999999"][int(rng.integers(0, 4))] + b'"', xml)
    elif op == "dtd":
        new = xml[:at] + b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml[at:] if rng.random() < 0.5 else \
            xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', 1)
    elif op == "utf16":
        new = xml.decode("utf-8", "replace").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    else:
        new = re.sub(rb' t="(?:n|inlineStr|s)"', lambda m: [b' t="s"', b' t="e"', b' t="str"', b' t="b"'][
            int(rng.integers(0, 4))], xml, count=int(rng.integers(1, 5)))
    parts[part] = new
    changed = []
    if part in sheet_names and sheet_names[part] in INPUT_SHEETS:
        try:
            changed = [(sheet_names[part], r) for r in changed_cells(xml, new)]
        except re.error:
            changed = []
    return Mutant(_pack(parts), "bytes", f"{op} {part}", changed)


def mutant(rng, seeds: dict[str, bytes]) -> Mutant:
    names = list(seeds)
    # the small seeds more often: they read in a fraction of the template's time
    seed = names[rng.choice(len(names), p=[0.3, 0.35, 0.35][: len(names)] if len(names) == 3 else None)]
    draw = rng.random()
    try:
        if draw < 0.45:
            m = mutate_cells(rng, seeds[seed])
        elif draw < 0.65:
            m = mutate_structure(rng, seeds[seed])
        else:
            m = mutate_bytes(rng, seeds[seed])
    except Exception as exc:  # a mutation openpyxl cannot write: count it as such, never a crash
        return Mutant(seeds[seed], "none", f"unwritable mutation ({type(exc).__name__})")
    m.what = f"{seed}: {m.what}"
    return m


# ---------------------------------------------------------------------- checking
def _resident() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def unused(result, changed: list[tuple[str, str]]) -> list[str]:
    """The changed cells that the import neither read nor reported."""
    from workbench.excel.sheetxml import a1, parse_ref

    layout = result.layout
    reported = {(i.sheet, i.cell) for i in result.issues if i.cell}
    # an issue about a whole column ("Column J has values but its header J1 is blank...")
    # covers the cells below it in that column
    columns = {}
    for i in result.issues:
        pos = parse_ref(i.cell) if i.cell and i.message.startswith("Column ") else None
        if pos is not None:
            key = (i.sheet, pos[1])
            columns[key] = min(columns.get(key, pos[0]), pos[0])
    sheet_level = {i.sheet for i in result.issues if i.sheet and not i.cell}
    read_sheets = {t.sheet for t in layout.tables.values()} | {layout.scenario_sheet, layout.corr_sheet}
    out = []
    for sheet, ref in changed:
        pos = parse_ref(ref)
        if pos is None:
            continue
        r, c = pos
        if (sheet, ref) in reported or ((sheet, c) in columns and r >= columns[(sheet, c)]):
            continue
        if sheet not in read_sheets and sheet in sheet_level:
            continue                                   # a sheet reported as ignored
        used = False
        for t in layout.tables.values():
            if t.sheet != sheet:
                continue
            if r < t.header_row:
                used = True                            # title rows above the header
            elif c in t.columns.values() and (r == t.header_row or r in set(t.rows)):
                used = True
            elif (sheet, a1(t.header_row, c)) in reported:
                used = True                            # its column is reported at its header
        field_rows = {fr for fr, _fc in layout.fields.values()}
        if sheet == layout.scenario_sheet and field_rows and (r <= min(field_rows) or r in field_rows):
            used = True                                # a field's row, or the titles and header above them
        if sheet == layout.corr_sheet and (r in layout.corr_rows.values() or r == layout.corr_header[0]) and (
                c in layout.corr_cols.values() or c == layout.corr_header[1]):
            used = True
        if not used:
            out.append(f"{sheet}!{ref}")
    return out


def _child(sender, path: str, changed) -> None:
    from workbench.excel.reader import read_workbook
    from workbench.excel.untrusted import _limit_memory

    start = _resident()
    _limit_memory(MEMORY_LIMIT)
    import resource

    # the time limit counts the processor time the read takes, so that a machine busy with
    # other work does not turn a slow read into a "hang" (the wall clock gets 6 times more)
    resource.setrlimit(resource.RLIMIT_CPU, (int(TIME_LIMIT_S), int(TIME_LIMIT_S) + 1))

    result = read_workbook(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - start
    memory_out = result.fatal and "memory ran out" in result.issues[0].message
    summary = {"ok": result.ok, "fatal": result.fatal, "errors": len(result.errors), "peak": peak,
               "memory_out": memory_out, "unused": unused(result, changed) if result.ok else [],
               "first": result.issues[0].message[:160] if result.issues else ""}
    sender.send(summary)
    sender.close()


_CTX = None


def _context():
    global _CTX
    if _CTX is None:
        if "forkserver" in multiprocessing.get_all_start_methods() and sys.platform != "win32":
            _CTX = multiprocessing.get_context("forkserver")
            _CTX.set_forkserver_preload(["workbench.excel.reader", "benchmarks.fuzz"])
        else:
            _CTX = multiprocessing.get_context("spawn")
    return _CTX


def run_one(path: str, changed, *, limit_s: float = 6 * TIME_LIMIT_S) -> tuple[str, dict]:
    """Read one mutant in a child: its outcome and what the child reported."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, path, changed), daemon=True)
    t = time.perf_counter()
    proc.start()
    sender.close()
    try:
        if not receiver.poll(limit_s):
            return "hang", {"seconds": time.perf_counter() - t}
        try:
            info = receiver.recv()
        except (EOFError, OSError):
            proc.join(5)
            if proc.exitcode == -signal.SIGXCPU:
                return "hang", {"exitcode": proc.exitcode}
            return ("blow-up" if proc.exitcode == -signal.SIGABRT else "crash"), {"exitcode": proc.exitcode}
    finally:
        receiver.close()
        proc.join(1)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    info["seconds"] = time.perf_counter() - t
    if info["memory_out"] or info["peak"] > MEMORY_LIMIT:
        return "blow-up", info
    if info["ok"]:
        return "accepted", info
    return ("refused" if info["fatal"] else "errors"), info


@dataclass
class Tally:
    outcomes: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    silent: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    slowest: float = 0.0
    peak: int = 0


def fuzz(n: int, seed: int, folder: Path, progress=None) -> Tally:
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    seeds = seed_books(folder)
    tally = Tally()
    path = folder / "mutant.xlsx"
    warm_up(folder)
    for k in range(n):
        m = mutant(rng, seeds)
        path.write_bytes(m.data)
        outcome, info = run_one(str(path), m.changed)
        tally.outcomes[outcome] += 1
        tally.kinds[m.kind] += 1
        tally.slowest = max(tally.slowest, info.get("seconds", 0.0))
        tally.peak = max(tally.peak, info.get("peak", 0))
        if outcome in ("crash", "hang", "blow-up"):
            tally.bad.append(f"{outcome}: {m.what} {info}")
            (folder / f"{outcome}-{k}.xlsx").write_bytes(m.data)
        if info.get("unused"):
            tally.silent.append(f"{m.what}: {', '.join(info['unused'])}")
        if progress:
            progress(k + 1, tally)
    return tally


def warm_up(folder: Path) -> None:
    """Start the reading server (its imports take seconds): not counted in any figure."""
    from tests.excel.books import basic, write_book

    run_one(str(write_book(folder / "warm-up.xlsx", basic())), [], limit_s=300.0)


def targeted(folder: Path) -> list[str]:
    """The hostile files of the importer attack (tests/excel/hostile_files.py), each read
    like a mutant: outcome, seconds, peak resident growth."""
    from tests.excel.hostile_files import ALL

    lines = []
    warm_up(folder)
    for name, build in ALL.items():
        path = build(folder)
        outcome, info = run_one(str(path), [])
        lines.append(f"{name} ({path.stat().st_size / 1024:,.0f} KB): {outcome} in {info.get('seconds', 0):.2f} s, "
                     f"peak growth {info.get('peak', 0) / 2**20:,.0f} MB: {info.get('first', '')[:90]}")
        path.unlink()
    return lines


def report(tally: Tally, n: int) -> str:
    counts = ", ".join(f"{o} {tally.outcomes[o]:,}" for o in OUTCOMES)
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(tally.kinds.items()))
    return (f"{n:,} mutants ({kinds}): {counts}; silent drops {len(tally.silent):,}; slowest read "
            f"{tally.slowest:.2f} s; largest peak resident growth {tally.peak / 2**20:,.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--targeted", action="store_true", help="first read the hostile files of tests/excel")
    ap.add_argument("--keep", help="folder to keep the seeds and any crashing, hanging or blowing-up mutant in")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fuzz-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def progress(k: int, tally: Tally) -> None:
        if k % 250 == 0:
            print(f"  {k:,}: {report(tally, k)} ({time.perf_counter() - started:,.0f} s)", flush=True)

    if args.targeted:
        for line in targeted(folder):
            print(line, flush=True)
    tally = fuzz(args.mutants, args.seed, folder, progress)
    print(report(tally, args.mutants))
    print(f"seed {args.seed}, {time.perf_counter() - started:,.0f} s in all, files in {folder}")
    for line in tally.bad[:20] + tally.silent[:20]:
        print("  ", line)


if __name__ == "__main__":
    # run as the importable module, so that the children find their target there and
    # never re-import this file (which could be edited while a long run goes on)
    from benchmarks import fuzz as _module

    _module.main()
