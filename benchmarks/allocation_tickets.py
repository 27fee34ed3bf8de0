"""Risk parity and min-CVaR with minimum tickets at programme-office scale: the default scenario's
projects copied 80 times (2,000 projects, every one with a minimum ticket, the default limits).

    .venv/bin/python benchmarks/allocation_tickets.py [--pairs 3] [--seeds 1 2] [--methods risk-parity min-cvar]

Fitting samples from two generators, each with BLAS fixed to one thread: (i) a factor model
(5 sector factors plus noise, ``synthetic``), (ii) the risk engine's own fitting sample
(``fit_sample`` on the variant). Reports wall time (median and range over ``--pairs`` runs,
each pair the 2,000-project case and the 25-project default scenario as the baseline measured in
the same run, alternating), status, gap and the proven objective.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.allocation import allocate  # noqa: E402
from workbench.default_scenario import default_scenario  # noqa: E402
from workbench.risk.engine import UnitSample, fit_sample  # noqa: E402


def variant(copies: int = 80, seed: int = 1):
    """The default scenario with each project copied ``copies`` times (requests and tickets varied)."""
    scn = default_scenario()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    p = scn.projects
    frames = []
    for c in range(copies):
        q = p.copy()
        q["ID"] = [f"{i}-{c}" for i in p["ID"]]
        scale = rng.uniform(0.5, 1.5, len(q)) / copies * 2
        q["Requested (USD m)"] = np.round(p["Requested (USD m)"] * scale, 0)
        q["Minimum ticket (USD m)"] = np.round(p["Minimum ticket (USD m)"] * scale, 0)
        frames.append(q)
    return scn.with_table("Projects", pd.concat(frames, ignore_index=True))


def synthetic(scn, trials: int, seed: int) -> UnitSample:
    """Factor-model P&L per USD: one factor per sector plus a common one, and project noise."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sectors = list(dict.fromkeys(scn.projects["Sector"]))
    s = np.array([sectors.index(v) for v in scn.projects["Sector"]])
    n = len(s)
    f = rng.standard_normal((trials, len(sectors) + 1))
    load = rng.uniform(0.05, 0.2, n)
    pnl = (rng.uniform(0.0, 0.12, n) + f[:, s] * load + f[:, [-1]] * rng.uniform(0.02, 0.08, n)
           + rng.standard_normal((trials, n)) * rng.uniform(0.05, 0.25, n))
    return UnitSample(ids=tuple(scn.projects["ID"]), pnl=pnl)


def timed(scn, smp, method="risk-parity"):
    t0 = time.perf_counter()
    res = allocate(scn, method=method, sample=smp, time_limit=60)
    return time.perf_counter() - t0, res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--engine", action="store_true", help="also the risk engine's fitting sample")
    ap.add_argument("--methods", nargs="+", default=["risk-parity", "min-cvar"])
    args = ap.parse_args(argv)
    small = default_scenario()
    small_smp = fit_sample(small)
    cases = []
    for seed in args.seeds:
        scn = variant(seed=seed)
        cases.append((f"synthetic factor sample, seed {seed}", scn, synthetic(scn, 5000, seed)))
    if args.engine:
        scn = variant(seed=args.seeds[0])
        cases.append(("risk engine fitting sample", scn, fit_sample(scn)))
    for method, (name, scn, smp) in ((m, c) for c in cases for m in args.methods):
        big_t, small_t, res = [], [], None
        for i in range(args.pairs):
            if i % 2 == 0:
                t, res = timed(scn, smp, method)
                small_t.append(timed(small, small_smp, method)[0])
            else:
                small_t.append(timed(small, small_smp, method)[0])
                t, res = timed(scn, smp, method)
            big_t.append(t)
        ratio = np.array(big_t) / np.array(small_t)
        print(f"{method}, {len(scn.projects):,} projects with tickets, {name}:")
        print(f"  wall {np.median(big_t):.2f} s (range {min(big_t):.2f}-{max(big_t):.2f}); 25-project default "
              f"{np.median(small_t):.2f} s; ratio median {np.median(ratio):.1f} (range {ratio.min():.1f}-"
              f"{ratio.max():.1f})")
        print(f"  status {res.status} (gap {res.gap:.1e}), objective {res.objective:.6g}, "
              f"{sum(a > 0 for a in res.amounts.values())} funded, total {sum(res.amounts.values()):,.0f}")
        for note in res.notes[:2]:
            print(f"  {note}")
        print("  target: at most 10 s, gap 1e-4 or better")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
