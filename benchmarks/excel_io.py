"""Excel exchange benchmark on a generated 50,000-project workbook.

Import (``read_workbook``: guards, sheet facts, values, conversion, validation) against
a raw python-calamine read of the same sheets and against ``pandas.read_excel(engine=
"openpyxl")``; export (``write_workbook``: styles, formats, dropdowns, About) against a
raw openpyxl write-only dump of the same cells. Targets: import <= 2x raw calamine,
export <= 1.5x raw openpyxl write-only. Each pair runs ours and the raw side back to back,
alternating which goes first; we print the medians of the times and of the per-pair ratios
with their ranges (wall and CPU), never a best-of. Record them in docs/performance.md,
section "Excel exchange".

    .venv/bin/python benchmarks/excel_io.py [--projects 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from workbench import schema
from workbench.default_scenario import default_scenario
from workbench.scenario import make_table


def big_scenario(n: int, seed: int = 20261124):
    """The default scenario with ``n`` generated projects (random but valid)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    base = default_scenario()
    sectors = base.sector_names
    states = list(schema.US_STATES)
    instruments = list(schema.INSTRUMENTS)
    financiers = ["JBIC", "NEXI", "Japanese megabanks"]
    req = np.round(rng.lognormal(6.5, 1.0, n), 1) + 1
    rows = [{
        "ID": f"P{i:06d}", "Project": f"Generated project {i}", "Sector": sectors[int(s)],
        "Sponsor": f"Sponsor {int(sp)}", "State": states[int(st)], "Instrument": instruments[int(ins)],
        "Financier": financiers[int(f)], "Requested (USD m)": float(r), "Minimum ticket (USD m)": float(r) * 0.1,
        "Expected return": float(mu), "Specific risk": float(sr), "Coupon or fee": float(cp), "Recovery rate": 0.4,
        "Strategic score": float(sc), "Start year": float(y), "Include": bool(inc), "Allocated (USD m)": None,
    } for i, (s, sp, st, ins, f, r, mu, sr, cp, sc, y, inc) in enumerate(zip(
        rng.integers(0, len(sectors), n), rng.integers(0, 500, n), rng.integers(0, len(states), n),
        rng.integers(0, 3, n), rng.integers(0, 3, n), req, np.round(rng.normal(0.07, 0.03, n), 4),
        np.round(rng.uniform(0.05, 0.3, n), 3), np.round(rng.uniform(0, 0.08, n), 4),
        np.round(rng.uniform(0, 10, n), 1), rng.integers(2026, 2036, n), rng.random(n) < 0.95))]
    return replace(base, projects=make_table("Projects", rows))


def pairs(ours, raw, count: int) -> dict:
    """Run the two functions ``count`` times each, alternately (pair i: ours first when i is even),
    so that a busy machine slows both alike. Wall and CPU times of each side and per-pair ratios."""
    out = {"ours": [], "raw": [], "ours_cpu": [], "raw_cpu": []}

    def one(fn, side):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out[side].append(time.perf_counter() - t)
        out[side + "_cpu"].append(time.process_time() - c)

    for i in range(count):
        first, second = ((ours, "ours"), (raw, "raw")) if i % 2 == 0 else ((raw, "raw"), (ours, "ours"))
        one(*first)
        one(*second)
    v = {k: np.array(x) for k, x in out.items()}
    v["ratio"] = v["ours"] / v["raw"]
    v["ratio_cpu"] = v["ours_cpu"] / v["raw_cpu"]
    return v


def med(v: np.ndarray, digits: int = 2) -> str:
    return f"{np.median(v):.{digits}f} ({v.min():.{digits}f}-{v.max():.{digits}f})"


def raw_calamine(path: str) -> None:
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(path)
    for name in schema.INPUT_SHEETS:
        if name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def raw_pandas(path: str) -> None:
    import pandas as pd

    pd.read_excel(path, sheet_name=list(schema.INPUT_SHEETS), engine="openpyxl")


def raw_openpyxl_dump(path: str, scn) -> None:
    """The same cells, no styles: what openpyxl write-only costs at its plainest."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Scenario")
    ws.append(["Field", "Value"])
    for k, v in scn.fields.items():
        ws.append([k, v])
    for name in schema.TABLES:
        frame = scn.table(name)
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        cols = [frame[c].tolist() for c in frame.columns]
        for row in zip(*cols):
            ws.append([None if isinstance(v, float) and v != v else ("yes" if v is True else "no" if v is False else v)
                       for v in row])
    corr = scn.correlations
    ws = wb.create_sheet("Correlations")
    ws.append(["Sector", *corr.columns])
    for a in corr.index:
        ws.append([a, *[float(x) for x in corr.loc[a]]])
    wb.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-pandas", action="store_true")
    args = ap.parse_args()
    from workbench.excel import read_workbook, write_workbook

    scn = big_scenario(args.projects)
    with tempfile.TemporaryDirectory() as d:
        ours = os.path.join(d, "ours.xlsx")
        raw = os.path.join(d, "raw.xlsx")
        ex = pairs(lambda: write_workbook(ours, scn), lambda: raw_openpyxl_dump(raw, scn), args.repeat)
        im = pairs(lambda: read_workbook(ours), lambda: raw_calamine(ours), args.repeat)
        result = read_workbook(ours)
        assert result.ok, [i.text() for i in result.errors][:5]
        assert result.scenario.content_hash() == scn.content_hash(), "round trip"
        t_pandas = None
        if not args.skip_pandas:
            t = time.perf_counter()
            raw_pandas(ours)
            t_pandas = time.perf_counter() - t
        size = os.path.getsize(ours)
    print(f"Excel exchange benchmark: {args.projects:,} projects, workbook {size / 2**20:.1f} MB, "
          f"python {platform.python_version()}, {os.cpu_count()} cores, {args.repeat} alternating pairs, "
          f"medians (range); load average {os.getloadavg()[0]:.1f}")
    print(f"  import  read_workbook             {med(im['ours'])} s wall, {med(im['ours_cpu'])} s CPU")
    print(f"          raw calamine read          {med(im['raw'])} s wall, {med(im['raw_cpu'])} s CPU")
    print(f"          ratio                      {med(im['ratio'])} wall, {med(im['ratio_cpu'])} CPU (target <= 2)")
    if t_pandas is not None:
        print(f"          pandas.read_excel openpyxl {t_pandas:.2f} s wall (one run); read_workbook takes "
              f"{np.median(im['ours']) / t_pandas:.2f} of it")
    print(f"  export  write_workbook            {med(ex['ours'])} s wall, {med(ex['ours_cpu'])} s CPU")
    print(f"          raw openpyxl write-only    {med(ex['raw'])} s wall, {med(ex['raw_cpu'])} s CPU")
    print(f"          ratio                      {med(ex['ratio'])} wall, {med(ex['ratio_cpu'])} CPU (target <= 1.5)")


if __name__ == "__main__":
    main()
