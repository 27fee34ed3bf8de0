"""Allocation engine speed against PyPortfolioOpt on identical inputs (issue 4, item 9).

    .venv/bin/python benchmarks/allocation.py            # all three
    .venv/bin/python benchmarks/allocation.py --only b   # one of a, b, c

(a) mean-variance, 200 and 1,000 projects, against ``EfficientFrontier.max_quadratic_utility``;
(b) min-CVaR, 20,000 scenarios x 200 projects, against ``EfficientCVaR.min_cvar``;
(c) ``max-strategic`` with minimum tickets on a 200-project variant of the default scenario.

Identical inputs: weights summing to one with bounds 0..1 are a programme of size S in
which every project requests S, with a ``Total`` row of min and max share 1; both sides get
the same sample mean and covariance (ddof 1) or the same P&L scenarios. Times are wall
clock, best of ``--repeat`` runs, for the whole call on each side (our ``allocate`` builds
the problem from the scenario tables; PyPortfolioOpt builds its cvxpy problem).
Targets: same objective within 1e-6 relative; mean-variance no slower; min-CVaR at least
10x faster; (c) a 0.1 % gap within 10 s. PyPortfolioOpt is a benchmark/test dependency only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.allocation import allocate
from workbench.allocation.cvar import cvar_of
from workbench.risk.engine import UnitSample
from workbench.scenario import Scenario, make_table


def _best(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def budget_scenario(n: int, **fields) -> Scenario:
    sectors = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")
    return Scenario(
        fields={"Name": "benchmark", "Programme size (USD bn)": 1.0, **fields},
        sectors=make_table("Sectors", [{"Sector": s, "Expected return": 0.05, "Volatility": 0.2} for s in sectors]),
        projects=make_table("Projects", [{"ID": f"P{i:04d}", "Sector": sectors[i % 5], "Requested (USD m)": 1000.0,
                                          "Include": True} for i in range(n)]),
        financing=make_table("Financing", []),
        constraints=make_table("Constraints", [{"Group": "Total", "Value": "*", "Min share": 1.0, "Max share": 1.0}]),
        risk_events=make_table("Risk events", []),
    )


def synthetic_pnl(n: int, trials: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    f = rng.standard_normal((trials, 5))
    return (rng.uniform(0.0, 0.15, n) + f @ rng.normal(0, 0.12, (5, n))
            + rng.normal(0, 1, (trials, n)) * rng.uniform(0.05, 0.3, n))


def bench_mean_variance(n: int, repeat: int) -> dict:
    from pypfopt import EfficientFrontier
    lam = 2.0
    pnl = synthetic_pnl(n, 5000, seed=n)
    smp = UnitSample(ids=tuple(f"P{i:04d}" for i in range(n)), pnl=pnl)
    mu, cov = smp.mean, smp.cov
    scn = budget_scenario(n, **{"Risk aversion": lam})
    t_ours, res = _best(lambda: allocate(scn, method="mean-variance", sample=smp), repeat)
    t_ref, w_ref = _best(lambda: EfficientFrontier(mu, cov, weight_bounds=(0, 1)).max_quadratic_utility(
        risk_aversion=lam), repeat)
    w = np.array([res.amounts[i] for i in smp.ids]) / 1000.0
    w_ref = np.array(list(w_ref.values()))

    def u(v):
        return float(mu @ v - lam / 2 * v @ cov @ v)

    return {"case": f"(a) mean-variance, {n} projects", "ours_s": t_ours, "pypfopt_s": t_ref,
            "objective_rel_diff": (u(w_ref) - u(w)) / abs(u(w_ref)), "target": "no slower, same objective"}


def bench_min_cvar(n: int, trials: int, repeat: int) -> dict:
    from pypfopt import EfficientCVaR
    beta = 0.95
    pnl = synthetic_pnl(n, trials, seed=trials + n)
    smp = UnitSample(ids=tuple(f"P{i:04d}" for i in range(n)), pnl=pnl)
    scn = budget_scenario(n, **{"Confidence level": beta})
    t_ours, res = _best(lambda: allocate(scn, method="min-cvar", sample=smp), repeat)
    t_ref, w_ref = _best(lambda: EfficientCVaR(smp.mean, pnl, beta=beta, weight_bounds=(0, 1)).min_cvar(), 1)
    w = np.array([res.amounts[i] for i in smp.ids]) / 1000.0
    w_ref = np.array(list(w_ref.values()))
    ours, theirs = cvar_of(pnl @ w, beta)[0], cvar_of(pnl @ w_ref, beta)[0]
    return {"case": f"(b) min-CVaR, {trials:,} scenarios x {n} projects", "ours_s": t_ours, "pypfopt_s": t_ref,
            "objective_rel_diff": (ours - theirs) / abs(theirs), "target": "at least 10x faster, same objective",
            "note": res.notes[0]}


def default_variant(copies: int = 8, seed: int = 1) -> Scenario:
    """The default scenario with each project copied ``copies`` times (requests, tickets and scores varied)."""
    from workbench.default_scenario import default_scenario
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
        q["Strategic score"] = np.clip(p["Strategic score"] + rng.integers(-2, 3, len(q)), 0, 10).astype(float)
        frames.append(q)
    import pandas as pd
    return scn.with_table("Projects", pd.concat(frames, ignore_index=True))


def bench_strategic_tickets(repeat: int) -> dict:
    scn = default_variant()
    n = len(scn.projects)
    smp = UnitSample(ids=tuple(scn.projects["ID"]), pnl=np.zeros((10, n)))
    t, res = _best(lambda: allocate(scn, method="max-strategic", sample=smp, mip_rel_gap=1e-3, time_limit=10), repeat)
    return {"case": f"(c) max-strategic with minimum tickets, {n} projects (MILP)", "ours_s": t, "pypfopt_s": None,
            "objective_rel_diff": None, "gap": res.gap, "status": res.status,
            "target": "0.1 % gap within 10 s", "funded": sum(a > 0 for a in res.amounts.values())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("a", "b", "c"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    rows = []
    if args.only in (None, "a"):
        rows += [bench_mean_variance(200, args.repeat), bench_mean_variance(1000, args.repeat)]
    if args.only in (None, "b"):
        rows.append(bench_min_cvar(200, 20_000, max(1, args.repeat - 1)))
    if args.only in (None, "c"):
        rows.append(bench_strategic_tickets(args.repeat))
    for r in rows:
        print(r["case"])
        line = f"  ours {r['ours_s']:.3f} s"
        if r["pypfopt_s"] is not None:
            line += f", PyPortfolioOpt {r['pypfopt_s']:.3f} s, speed-up x{r['pypfopt_s'] / r['ours_s']:.1f}"
            line += f", objective relative difference {r['objective_rel_diff']:+.1e} (positive: ours better)"
            if r["case"].startswith("(b)"):
                line = line.replace("positive: ours better", "negative: ours better")
        else:
            line += f", status {r['status']}, gap {r['gap']:.2e}, {r['funded']} projects funded"
        print(line)
        print(f"  target: {r['target']}")
        if r.get("note"):
            print(f"  {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
