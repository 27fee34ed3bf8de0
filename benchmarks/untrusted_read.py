"""What reading a workbook in a separate process costs (``read_untrusted``) against reading
it in the app's own process (``read_workbook``), on the default scenario and on a
generated workbook of many projects, run alternately; also the first read, which waits
for the reading server to start. Prints medians and their ratio (record them in
docs/performance.md, section "Untrusted files").

    .venv/bin/python benchmarks/untrusted_read.py [--projects 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.excel_io import big_scenario
from workbench.default_scenario import default_scenario
from workbench.excel import read_workbook, write_workbook
from workbench.excel.untrusted import read_untrusted


def timed(fn, path) -> float:
    t = time.perf_counter()
    result = fn(path)
    elapsed = time.perf_counter() - t
    assert result.ok, result.issues[:3]
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as d:
        small, big = Path(d) / "default.xlsx", Path(d) / "big.xlsx"
        write_workbook(small, default_scenario())
        write_workbook(big, big_scenario(args.projects))
        first = timed(read_untrusted, small)
        print(f"first read in a child (server start included): {first:.2f} s")
        for label, path in (("default scenario", small), (f"{args.projects:,} projects", big)):
            direct, child = [], []
            for _ in range(args.repeat):
                direct.append(timed(read_workbook, path))
                child.append(timed(read_untrusted, path))
            md, mc = statistics.median(direct), statistics.median(child)
            print(f"{label}: in process {md:.3f} s, in a child {mc:.3f} s (median of {args.repeat}); "
                  f"child / in process {mc / md:.2f}, extra {mc - md:.3f} s")


if __name__ == "__main__":
    main()
