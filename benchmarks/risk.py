"""Benchmark of the risk engine: one baseline simulation of the default scenario.

    .venv/bin/python benchmarks/risk.py [--trials 1000000] [--workers 1 2] [--pairs 3]

Times ``simulate`` (no stress tests, no tornado) at the default scenario's allocation
against the floor: drawing the same number of standard normals with the same Generator
(PCG64 from a SeedSequence, in the same blocks) in the same process. Each pair runs the
floor and ``simulate`` back to back, alternating which goes first; we report the median of
the per-pair ratios with their range (wall and, for one worker, CPU), never a best-of.
BLAS is fixed to one thread (set before numpy is imported).

What the floor leaves out, i.e. what the ratio charges to the engine: the risk events'
uniform draws, turning normals into sector and project paths (cumulation over years, the
correlation factor), default tests against the thresholds, cash flows and valuation of
each instrument, the P&L sums, the streaming tail for CVaR and contributions, and (with
``workers=2``) starting the worker processes; the floor itself runs in one process, so
the two-worker ratio can fall below 1. Targets: ratio <= 2, peak RSS < 1.5 GB at
1,000,000 trials. Results go in docs/performance.md ("Risk engine").
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.allocation import allocate  # noqa: E402
from workbench.default_scenario import default_scenario  # noqa: E402
from workbench.risk import build_model, fit_sample, simulate  # noqa: E402
from workbench.risk.paths import REPORT_STREAM, block_sizes, generator, normals_per_trial  # noqa: E402


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if platform.system() != "Darwin" else kb / 2**20


def floor_seconds(seed: int, trials: int, per_trial: int) -> tuple[float, float]:
    """Draw ``trials * per_trial`` standard normals block by block, as the engine does: (wall, CPU)."""
    t0, c0 = time.perf_counter(), time.process_time()
    for b, m in enumerate(block_sizes(trials)):
        generator(seed, REPORT_STREAM, b).standard_normal(m * per_trial)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--pairs", type=int, default=3, help="floor/simulate pairs per worker count")
    args = ap.parse_args()

    scn = default_scenario()
    seed = int(scn.field("Random seed"))
    model = build_model(scn)
    alloc = allocate(scn, sample=fit_sample(scn))
    per_trial = normals_per_trial(model)
    print(f"Default scenario: {model.n} projects, {len(model.sectors)} sectors, {len(model.events)} events, "
          f"horizon {model.horizon}; {args.trials:,} trials; {per_trial} normals per trial; "
          f"allocation {alloc.method} ({alloc.total:,.0f} USD m); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    rss_before = peak_rss_mb()

    def run_sim(w):
        t0, c0 = time.perf_counter(), time.process_time()
        res = simulate(scn, alloc.amounts, trials=args.trials, workers=w)
        return time.perf_counter() - t0, time.process_time() - c0, res

    for w in args.workers:
        rows = []
        for i in range(args.pairs):
            if i % 2 == 0:
                f = floor_seconds(seed, args.trials, per_trial)
                s_ = run_sim(w)
            else:
                s_ = run_sim(w)
                f = floor_seconds(seed, args.trials, per_trial)
            rows.append((f, s_))
        fw = np.array([r[0][0] for r in rows])
        fc = np.array([r[0][1] for r in rows])
        sw = np.array([r[1][0] for r in rows])
        sc = np.array([r[1][1] for r in rows])
        result = rows[-1][1][2]

        def med(v):
            return f"{np.median(v):.2f} ({v.min():.2f}-{v.max():.2f})"

        print(f"workers={w}, {args.pairs} pairs: floor {med(fw)} s wall; simulate {med(sw)} s wall; "
              f"ratio {med(sw / fw)} wall")
        if w == 1:
            print(f"  CPU: floor {med(fc)} s, simulate {med(sc)} s, ratio {med(sc / fc)}")
        print(f"  expected P&L {result.expected_pnl:,.0f}, CVaR {result.cvar:,.0f} USD m")
    print(f"peak resident memory of this process: {peak_rss_mb():,.0f} MB (before simulating: {rss_before:,.0f} MB); "
          f"load average after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
