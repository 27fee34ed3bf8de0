"""Benchmark of the risk engine: one baseline simulation of the default scenario.

    .venv/bin/python benchmarks/risk.py [--trials 1000000] [--workers 1 2]

Times ``simulate`` (no stress tests, no tornado) at the default scenario's allocation
against the floor: drawing the same number of standard normals with the same Generator
(PCG64 from a SeedSequence, in the same blocks) in the same process. Prints the ratios and
the peak resident memory of the process. Targets: ratio <= 2, peak RSS < 1.5 GB at
1,000,000 trials. Results go in docs/performance.md ("Risk engine").
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.allocation import allocate
from workbench.default_scenario import default_scenario
from workbench.risk import build_model, fit_sample, simulate
from workbench.risk.paths import REPORT_STREAM, block_sizes, generator, normals_per_trial


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
    ap.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    args = ap.parse_args()

    scn = default_scenario()
    seed = int(scn.field("Random seed"))
    model = build_model(scn)
    alloc = allocate(scn, sample=fit_sample(scn))
    per_trial = normals_per_trial(model)
    print(f"Default scenario: {model.n} projects, {len(model.sectors)} sectors, {len(model.events)} events, "
          f"horizon {model.horizon}; {args.trials:,} trials; {per_trial} normals per trial; "
          f"allocation {alloc.method} ({alloc.total:,.0f} USD m)")
    floors = [floor_seconds(seed, args.trials, per_trial) for _ in range(args.repeat)]
    floor, floor_cpu = min(f[0] for f in floors), min(f[1] for f in floors)
    print(f"floor (drawing {args.trials * per_trial:,} standard normals): {floor:.2f} s wall, "
          f"{floor_cpu:.2f} s CPU")
    rss_before = peak_rss_mb()
    for w in args.workers:
        best, best_cpu, result = float("inf"), float("inf"), None
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            result = simulate(scn, alloc.amounts, trials=args.trials, workers=w)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        cpu = f"; this process's CPU {best_cpu:.2f} s, ratio {best_cpu / floor_cpu:.2f}" if w == 1 else ""
        print(f"simulate, workers={w}: {best:.2f} s wall, ratio to floor {best / floor:.2f}{cpu}  "
              f"(expected P&L {result.expected_pnl:,.0f}, CVaR {result.cvar:,.0f} USD m)")
    print(f"peak resident memory of this process: {peak_rss_mb():,.0f} MB (before simulating: {rss_before:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
