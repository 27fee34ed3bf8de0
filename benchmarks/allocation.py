"""Allocation engine speed against PyPortfolioOpt, Riskfolio-Lib and skfolio on identical inputs.

    .venv/bin/python benchmarks/allocation.py                 # everything (about 15 minutes when quiet)
    .venv/bin/python benchmarks/allocation.py --only big      # the 50,000 x 500 min-CVaR case
    .venv/bin/python benchmarks/allocation.py --only tickets  # the 2,000-project ticket cases
    .venv/bin/python benchmarks/allocation.py --big-peers     # also run each peer once on 50,000 x 500
    .venv/bin/python benchmarks/allocation.py --only big --big-baseline   # (d) alternating with the earlier method
    .venv/bin/python benchmarks/allocation.py --only f        # scaling at 50,000 x 100..1,000 and 10,000..100,000 x 500

Cases:
(a) mean-variance (maximise mu.w - lam/2 w'Cw), against ``EfficientFrontier.max_quadratic_utility``,
    Riskfolio-Lib ``Portfolio.optimization(rm="MV", obj="Utility", l=lam/2)`` and skfolio
    ``MeanRisk(MAXIMIZE_UTILITY, VARIANCE, risk_aversion=lam/2)``, all given the same mean and
    covariance (ddof 1);
(b) min-CVaR at 95 % on the same P&L scenarios, against ``EfficientCVaR.min_cvar``, Riskfolio-Lib
    ``rm="CVaR", obj="MinRisk"`` (``alpha=0.05``) and skfolio ``MeanRisk(MINIMIZE_RISK, CVAR)``;
    trial counts are multiples of 20, so every side's ``(1 - beta) T`` is the same integer ``k``;
(c) scaling curves of (b): time against projects and against scenarios, every side;
(d) the 50,000 scenarios x 500 projects case: ours with its certificate (a full dual point
    bounding the optimum), the peers once each with ``--big-peers`` (each takes minutes);
(e) min-CVaR and risk parity with minimum tickets on 2,000 projects (``allocation_tickets.py``);
(f) min-CVaR at 100 to 1,000 projects and 10,000 to 100,000 scenarios, ours against the earlier
    method (sub-sample levels), alternating pairs, both generators (the peers take minutes a run
    there; (d) runs them once at 50,000 x 500).

Inputs come from this script's own generators (not the risk engine): a Gaussian factor model
and a Student-t (4 degrees of freedom) factor model with skewed idiosyncratic terms, several
seeds and shapes. Weights summing to one with bounds 0..1 are, for us, a programme of size S in
which every project requests S, with a ``Total`` row of min and max share 1.

Timing: BLAS fixed to one thread for every side (environment set before numpy is imported,
and threadpoolctl); HiGHS runs one thread. Each pair runs ours and the peer back to back,
alternating which goes first; a pair's ratio is peer time / our time, and we report the
median ratio over pairs with its range. Times are wall clock of whole calls (ours builds the
problem from the scenario tables; the peers build their cvxpy problems), plus our CPU time.
The objective difference is (peer - ours) / |peer| for CVaR and (ours - peer) / |peer| for
the utility: positive means ours is better. Results are also written to
``docs/performance-allocation.json`` and drawn in ``docs/performance-allocation.png``.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
           "NUMEXPR_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from workbench.allocation import allocate  # noqa: E402
from workbench.allocation.cvar import cvar_of  # noqa: E402
from workbench.risk.engine import UnitSample  # noqa: E402
from workbench.scenario import Scenario, make_table  # noqa: E402

BETA = 0.95
LAM = 2.0


# ------------------------------------------------------------------ inputs
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


def synthetic_pnl(n: int, trials: int, seed: int, kind: str = "gauss") -> np.ndarray:
    """P&L per unit (trials x projects): 5-factor model, Gaussian or Student-t(4) with skewed noise."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, n, trials, 0 if kind == "gauss" else 1]))
    if kind == "gauss":
        f = rng.standard_normal((trials, 5))
        return (rng.uniform(0.0, 0.15, n) + f @ rng.normal(0, 0.12, (5, n))
                + rng.normal(0, 1, (trials, n)) * rng.uniform(0.05, 0.3, n))
    scale = np.sqrt(rng.chisquare(4, (trials, 1)) / 4)            # common t mixing: fat joint tails
    f = rng.standard_normal((trials, 5)) / scale
    noise = rng.gamma(2.0, 1.0, (trials, n)) - 2.0                 # right-skewed, mean 0
    return (rng.uniform(-0.02, 0.12, n) + f @ rng.normal(0, 0.1, (5, n))
            + noise * rng.uniform(0.03, 0.2, n) / np.sqrt(2.0))


def ids_of(n: int) -> tuple[str, ...]:
    return tuple(f"P{i:04d}" for i in range(n))


# ------------------------------------------------------------------ the sides
def ours_cvar(pnl: np.ndarray):
    n = pnl.shape[1]
    smp = UnitSample(ids=ids_of(n), pnl=pnl)
    res = allocate(budget_scenario(n, **{"Confidence level": BETA}), method="min-cvar", sample=smp,
                   time_limit=600)
    return np.array([res.amounts[i] for i in smp.ids]) / 1000.0, res


def ours_mv(pnl: np.ndarray):
    n = pnl.shape[1]
    smp = UnitSample(ids=ids_of(n), pnl=pnl)
    res = allocate(budget_scenario(n, **{"Risk aversion": LAM}), method="mean-variance", sample=smp)
    return np.array([res.amounts[i] for i in smp.ids]) / 1000.0, res


def pypfopt_cvar(pnl):
    from pypfopt import EfficientCVaR
    w = EfficientCVaR(pnl.mean(axis=0), pnl, beta=BETA, weight_bounds=(0, 1)).min_cvar()
    return np.array(list(w.values()))


def riskfolio_cvar(pnl):
    import riskfolio as rp
    port = rp.Portfolio(returns=pd.DataFrame(pnl, columns=ids_of(pnl.shape[1])))
    port.alpha = 1 - BETA
    port.mu = pd.DataFrame([pnl.mean(axis=0)], columns=ids_of(pnl.shape[1]))
    port.cov = pd.DataFrame(np.eye(pnl.shape[1]))          # not used by CVaR; avoids an n x n estimate
    w = port.optimization(model="Classic", rm="CVaR", obj="MinRisk", rf=0, hist=True)
    return w.to_numpy().ravel()


def skfolio_cvar(pnl):
    from skfolio import RiskMeasure
    from skfolio.optimization import MeanRisk, ObjectiveFunction
    m = MeanRisk(objective_function=ObjectiveFunction.MINIMIZE_RISK, risk_measure=RiskMeasure.CVAR,
                 cvar_beta=BETA, min_weights=0.0, max_weights=1.0)
    m.fit(pnl)
    return np.asarray(m.weights_)


def pypfopt_mv(pnl, mu, cov):
    from pypfopt import EfficientFrontier
    w = EfficientFrontier(mu, cov, weight_bounds=(0, 1)).max_quadratic_utility(risk_aversion=LAM)
    return np.array(list(w.values()))


def riskfolio_mv(pnl, mu, cov):
    import riskfolio as rp
    n = len(mu)
    cols = ids_of(n)
    port = rp.Portfolio(returns=pd.DataFrame(np.zeros((2, n)), columns=cols))
    port.mu = pd.DataFrame([mu], columns=cols)
    port.cov = pd.DataFrame(cov, index=cols, columns=cols)
    w = port.optimization(model="Classic", rm="MV", obj="Utility", rf=0, l=LAM / 2, hist=True)
    return w.to_numpy().ravel()


def skfolio_mv(pnl, mu, cov):
    """skfolio estimates the moments itself: the sample mean and the covariance with ddof 1 (no
    nearest-matrix repair), the same numbers the others are given."""
    from skfolio import RiskMeasure
    from skfolio.moments import EmpiricalCovariance
    from skfolio.optimization import MeanRisk, ObjectiveFunction
    from skfolio.prior import EmpiricalPrior
    m = MeanRisk(objective_function=ObjectiveFunction.MAXIMIZE_UTILITY, risk_measure=RiskMeasure.VARIANCE,
                 risk_aversion=LAM / 2, min_weights=0.0, max_weights=1.0,
                 prior_estimator=EmpiricalPrior(covariance_estimator=EmpiricalCovariance(nearest=False)))
    m.fit(pnl)
    return np.asarray(m.weights_)


PEERS_CVAR = {"PyPortfolioOpt": pypfopt_cvar, "Riskfolio-Lib": riskfolio_cvar, "skfolio": skfolio_cvar}
PEERS_MV = {"PyPortfolioOpt": pypfopt_mv, "Riskfolio-Lib": riskfolio_mv, "skfolio": skfolio_mv}


# ------------------------------------------------------------------ timing
def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def pairs(ours, peer, count: int):
    """Alternate: pair i runs ours first when i is even, the peer first when odd."""
    rows = []
    for i in range(count):
        if i % 2 == 0:
            o, p = timed(ours), timed(peer)
        else:
            p, o = timed(peer), timed(ours)
        rows.append((o, p))
    return rows


def summary(values) -> dict:
    v = np.asarray(values, float)
    return {"median": float(np.median(v)), "min": float(v.min()), "max": float(v.max())}


def fmt(s: dict, unit: str = " s", digits: int = 3) -> str:
    return f"{s['median']:.{digits}g}{unit} ({s['min']:.{digits}g}-{s['max']:.{digits}g})"


def cvar_case(n, trials, seed, kind, peers, count):
    pnl = synthetic_pnl(n, trials, seed, kind)
    out = []
    for name in peers:
        rows = pairs(lambda: ours_cvar(pnl), lambda name=name: PEERS_CVAR[name](pnl), count)
        w, res = rows[-1][0][2]
        wp = rows[-1][1][2]
        ours_c, peer_c = cvar_of(pnl @ w, BETA)[0], cvar_of(pnl @ wp, BETA)[0]
        out.append({"case": "min-CVaR", "projects": n, "scenarios": trials, "seed": seed, "generator": kind,
                    "peer": name, "ours_s": summary([r[0][0] for r in rows]),
                    "ours_cpu_s": summary([r[0][1] for r in rows]), "peer_s": summary([r[1][0] for r in rows]),
                    "ratio": summary([r[1][0] / r[0][0] for r in rows]),
                    "objective_diff": float((peer_c - ours_c) / abs(peer_c)), "status": res.status,
                    "peer_weight_sum": float(wp.sum())})
    return out


def mv_case(n, trials, seed, kind, peers, count):
    pnl = synthetic_pnl(n, trials, seed, kind)
    mu, cov = pnl.mean(axis=0), np.cov(pnl, rowvar=False)

    def u(v):
        return float(mu @ v - LAM / 2 * v @ cov @ v)

    out = []
    for name in peers:
        rows = pairs(lambda: ours_mv(pnl), lambda name=name: PEERS_MV[name](pnl, mu, cov), count)
        w, res = rows[-1][0][2]
        wp = rows[-1][1][2]
        out.append({"case": "mean-variance", "projects": n, "scenarios": trials, "seed": seed, "generator": kind,
                    "peer": name, "ours_s": summary([r[0][0] for r in rows]),
                    "ours_cpu_s": summary([r[0][1] for r in rows]), "peer_s": summary([r[1][0] for r in rows]),
                    "ratio": summary([r[1][0] / r[0][0] for r in rows]),
                    "objective_diff": float((u(w) - u(wp)) / abs(u(wp))), "status": res.status,
                    "peer_weight_sum": float(wp.sum())})
    return out


def warm_up(peers) -> None:
    """Import every side and solve a tiny case once, so that no timed call pays for imports."""
    pnl = synthetic_pnl(10, 400, 0, "gauss")
    mu, cov = pnl.mean(axis=0), np.cov(pnl, rowvar=False)
    ours_cvar(pnl)
    ours_mv(pnl)
    for name in peers:
        PEERS_CVAR[name](pnl)
        PEERS_MV[name](pnl, mu, cov)


def print_rows(rows):
    for r in rows:
        print(f"  {r['case']}, {r['scenarios']:,} scenarios x {r['projects']} projects, {r['generator']} seed "
              f"{r['seed']}, vs {r['peer']}: ours {fmt(r['ours_s'])} (CPU {fmt(r['ours_cpu_s'])}), peer "
              f"{fmt(r['peer_s'])}, ratio x{fmt(r['ratio'], '', 3)}, objective difference "
              f"{r['objective_diff']:+.1e} (positive: ours better), ours {r['status']}", flush=True)


# ------------------------------------------------------------------ the big and the ticket cases
@contextlib.contextmanager
def earlier_method():
    """The earlier min-CVaR method, as the baseline of (d) and (f): no smoothed start; sub-sample levels
    50,000 -> 10,000 -> 2,000 -> 400 trials, each started from the level below's optimal basis
    (the method of 2026-12-05 00:52, 7.6 s of CPU)."""
    from workbench.allocation import cvar_dual

    old = cvar_dual.SMOOTH_SIZE
    cvar_dual.SMOOTH_SIZE = 10**18
    try:
        yield
    finally:
        cvar_dual.SMOOTH_SIZE = old


def earlier_cvar(pnl: np.ndarray):
    """``ours_cvar`` by the earlier method."""
    with earlier_method():
        return ours_cvar(pnl)


#: The 50,000 x 500 inputs: both generators, so the figure is not one input's luck.
BIG_INPUTS = (("gauss", 1), ("t", 2))


def big_case(runs: int, with_peers: bool, baseline: bool = False) -> list[dict]:
    """(d) on each of ``BIG_INPUTS``; the peers (``--big-peers``) on the first only (minutes each)."""
    return [_big_input(kind, seed, runs, with_peers and i == 0, baseline) for i, (kind, seed) in enumerate(BIG_INPUTS)]


def _big_input(kind: str, seed: int, runs: int, with_peers: bool, baseline: bool) -> dict:
    label = f"{'Gaussian' if kind == 'gauss' else 'Student-t'} seed {seed}"
    pnl = synthetic_pnl(500, 50_000, seed, kind)
    if baseline:
        rows = pairs(lambda: ours_cvar(pnl), lambda: earlier_cvar(pnl), runs)
        times = [r[0] for r in rows]
        base = [r[1] for r in rows]
    else:
        times = [timed(lambda: ours_cvar(pnl)) for _ in range(runs)]
    w, res = times[-1][2]
    ours = cvar_of(pnl @ w, BETA)[0]
    row = {"case": f"min-CVaR 50,000 x 500, {label}", "ours_s": summary([t[0] for t in times]),
           "ours_cpu_s": summary([t[1] for t in times]), "status": res.status, "cvar_per_unit": float(ours),
           "note": res.notes[0], "peers": {}, "load": os.getloadavg()}
    print(f"(d) min-CVaR, 50,000 scenarios x 500 projects ({label}), {runs} runs: wall {fmt(row['ours_s'])}, "
          f"CPU {fmt(row['ours_cpu_s'])}; status {res.status}; CVaR {ours:.10f} per unit", flush=True)
    print(f"  {res.notes[0]}")
    if baseline:
        wb, rb = base[-1][2]
        theirs = cvar_of(pnl @ wb, BETA)[0]
        row["earlier"] = {"s": summary([b[0] for b in base]), "cpu_s": summary([b[1] for b in base]),
                          "ratio_cpu": summary([b[1] / t[1] for b, t in zip(base, times, strict=True)]),
                          "ratio_wall": summary([b[0] / t[0] for b, t in zip(base, times, strict=True)]),
                          "objective_diff": float((theirs - ours) / abs(theirs)), "status": rb.status}
        c = row["earlier"]
        print(f"  earlier method (sub-sample levels, no smoothed start), alternating pairs: wall {fmt(c['s'])}, "
              f"CPU {fmt(c['cpu_s'])}; CPU ratio earlier/ours x{fmt(c['ratio_cpu'], '', 3)}, wall ratio "
              f"x{fmt(c['ratio_wall'], '', 3)}; objective difference {c['objective_diff']:+.1e} (positive: ours "
              f"better), its status {rb.status}", flush=True)
    if with_peers:
        for name, fn in PEERS_CVAR.items():
            t, cpu, wp = timed(lambda fn=fn: fn(pnl))
            theirs = cvar_of(pnl @ wp, BETA)[0]
            row["peers"][name] = {"s": t, "cpu_s": cpu, "objective_diff": float((theirs - ours) / abs(theirs))}
            print(f"  {name}, one run: {t:.1f} s wall, {cpu:.1f} s CPU, x{t / row['ours_s']['median']:.0f} our "
                  f"median wall; objective difference {(theirs - ours) / abs(theirs):+.1e} (positive: ours better)",
                  flush=True)
    print("  target: at most 5 s, same optimum within 1e-6")
    return row


def ticket_cases(runs: int) -> list[dict]:
    from allocation_tickets import synthetic, variant
    scn = variant(seed=1)
    smp = synthetic(scn, 5000, 1)
    out = []
    for method in ("min-cvar", "risk-parity"):
        times = [timed(lambda method=method: allocate(scn, method=method, sample=smp, time_limit=60))
                 for _ in range(runs)]
        res = times[-1][2]
        row = {"case": f"{method} with tickets, {len(scn.projects):,} projects",
               "ours_s": summary([t[0] for t in times]), "ours_cpu_s": summary([t[1] for t in times]),
               "status": res.status, "gap": float(res.gap),
               "objective": float(res.objective), "funded": int(sum(a > 0 for a in res.amounts.values()))}
        out.append(row)
        print(f"(e) {row['case']}, 5,000-trial factor sample, {runs} runs: wall {fmt(row['ours_s'])}, CPU "
              f"{fmt(row['ours_cpu_s'])}; status {res.status}, gap {res.gap:.1e}, objective {res.objective:,.6g}, "
              f"{row['funded']} funded", flush=True)
        print(f"  {res.notes[0]}")
        if len(res.notes) > 1:
            print(f"  {res.notes[1]}")
        print("  target: at most 10 s, gap 1e-4 or better")
    return out


def large_scaling(count: int, projects: list[int], scenarios: list[int], fixed: tuple[int, int]) -> list[dict]:
    """(f) Our min-CVaR at programme-office sizes, against the earlier method (sub-sample levels),
    ``count`` alternating pairs a point, on both generators (Gaussian seed 7, Student-t seed 8): time
    against projects (``fixed[0]`` scenarios) and against scenarios (``fixed[1]`` projects). The peers
    are left out here: at 50,000 x 500 PyPortfolioOpt alone takes about 500 s a run."""
    rows = []
    points = [("projects", n, fixed[0]) for n in projects] + [("scenarios", fixed[1], t) for t in scenarios]
    for axis, n, trials in points:
        for kind, seed in (("gauss", 7), ("t", 8)):
            pnl = synthetic_pnl(n, trials, seed, kind)
            got = pairs(lambda pnl=pnl: ours_cvar(pnl), lambda pnl=pnl: earlier_cvar(pnl), count)
            (wo, ro), (we, re_) = got[-1][0][2], got[-1][1][2]
            co, ce = cvar_of(pnl @ wo, BETA)[0], cvar_of(pnl @ we, BETA)[0]
            row = {"curve": axis, "projects": n, "scenarios": trials, "kind": kind, "seed": seed,
                   "ours_cpu_s": summary([o[1] for o, _ in got]), "earlier_cpu_s": summary([e[1] for _, e in got]),
                   "ours_s": summary([o[0] for o, _ in got]), "earlier_s": summary([e[0] for _, e in got]),
                   "ratio_cpu": summary([e[1] / o[1] for o, e in got]), "status": ro.status,
                   "earlier_status": re_.status, "objective_diff": float((ce - co) / abs(ce)),
                   "smoothed_start": "smoothed CVaR" in ro.notes[0]}
            rows.append(row)
            how = "smoothed start" if row["smoothed_start"] else "levels (same method)"
            print(f"  {n:>5,} x {trials:>7,} {kind:5} {how}: ours CPU {fmt(row['ours_cpu_s'])}, earlier CPU "
                  f"{fmt(row['earlier_cpu_s'])}, ratio x{fmt(row['ratio_cpu'], '', 3)}; {ro.status}, "
                  f"objective difference {row['objective_diff']:+.1e}", flush=True)
    return rows


def plot_large(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, axis in zip(axes, ("projects", "scenarios"), strict=True):
        sel = [r for r in rows if r["curve"] == axis]
        for kind, style in (("gauss", "-"), ("t", "--")):
            for side, label in (("ours_cpu_s", "smoothed start (ours)"), ("earlier_cpu_s", "sub-sample levels")):
                pts = sorted((r[axis], r[side]["median"]) for r in sel if r["kind"] == kind)
                if pts:
                    ax.loglog(*zip(*pts), style, marker="o" if side == "ours_cpu_s" else "s",
                              label=f"{label}, {'Gaussian' if kind == 'gauss' else 'Student-t'}")
        fixed = sel[0]["scenarios"] if axis == "projects" else sel[0]["projects"]
        ax.set_xlabel(f"{axis} ({fixed:,} {'scenarios' if axis == 'projects' else 'projects'})")
        ax.set_ylabel("CPU time, median of pairs (s)")
        ax.set_title(f"min-CVaR 95 % against {axis}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot(curves: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, axis, label in ((axes[0], "projects", "projects (scenarios fixed)"),
                            (axes[1], "scenarios", "scenarios (projects fixed)")):
        rows = [r for r in curves if r["curve"] == axis]
        first = rows[0]["peer"]
        for side in ["ours", *PEERS_CVAR]:
            pts = sorted((r[axis], r["ours_s"]["median"] if side == "ours" else r["peer_s"]["median"])
                         for r in rows if (side == "ours" and r["peer"] == first) or r["peer"] == side)
            if pts:
                ax.loglog(*zip(*pts), marker="o", label="Scenario Workbench" if side == "ours" else side)
        fixed = rows[0]["scenarios"] if axis == "projects" else rows[0]["projects"]
        ax.set_xlabel(label)
        ax.set_ylabel("wall clock, median of pairs (s)")
        ax.set_title(f"min-CVaR 95 %, {fixed:,} {'scenarios' if axis == 'projects' else 'projects'}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("a", "b", "c", "big", "tickets", "f"))
    ap.add_argument("--pairs", type=int, default=2, help="pairs per case (ours and peer alternating)")
    ap.add_argument("--runs", type=int, default=2, help="runs of the big and ticket cases")
    ap.add_argument("--big-peers", action="store_true", help="run each peer once on 50,000 x 500 (minutes each)")
    ap.add_argument("--big-baseline", action="store_true",
                    help="in (d), alternate ours with the earlier method (sub-sample levels, no smoothed start)")
    ap.add_argument("--peers", nargs="+", default=list(PEERS_CVAR))
    ap.add_argument("--scale-projects", type=int, nargs="+", default=[50, 100, 200])
    ap.add_argument("--scale-scenarios", type=int, nargs="+", default=[2500, 5000, 10_000, 20_000])
    ap.add_argument("--scale-fixed", type=int, nargs=2, default=[5000, 100], metavar=("SCENARIOS", "PROJECTS"),
                    help="scenarios of the projects curve, projects of the scenarios curve")
    ap.add_argument("--json", type=Path, default=ROOT / "docs" / "performance-allocation.json")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.platform(),
           "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    with threadpool_limits(1):
        warm_up(args.peers)
        if args.only in (None, "a"):
            print("(a) mean-variance", flush=True)
            rows = []
            for n, seed, kind in ((200, 1, "gauss"), (500, 2, "t")):
                rows += mv_case(n, 5000, seed, kind, args.peers, args.pairs)
                print_rows(rows[-len(args.peers):])
            out["mean_variance"] = rows
        if args.only in (None, "b"):
            print("(b) min-CVaR", flush=True)
            rows = []
            for n, trials, seed, kind in ((100, 5000, 1, "gauss"), (100, 5000, 2, "t"), (200, 10_000, 3, "gauss")):
                rows += cvar_case(n, trials, seed, kind, args.peers, args.pairs)
                print_rows(rows[-len(args.peers):])
            out["min_cvar"] = rows
        if args.only in (None, "c"):
            print("(c) scaling of min-CVaR (one pair a point, Gaussian seed 5)", flush=True)
            curves = []
            for n in args.scale_projects:
                for r in cvar_case(n, args.scale_fixed[0], 5, "gauss", args.peers, 1):
                    curves.append({**r, "curve": "projects"})
                print_rows(curves[-len(args.peers):])
            for trials in args.scale_scenarios:
                for r in cvar_case(args.scale_fixed[1], trials, 5, "gauss", args.peers, 1):
                    curves.append({**r, "curve": "scenarios"})
                print_rows(curves[-len(args.peers):])
            out["scaling"] = curves
            plot(curves, ROOT / "docs" / "performance-allocation.png")
        if args.only in (None, "big"):
            out["big"] = big_case(args.runs, args.big_peers, args.big_baseline)
        if args.only in (None, "tickets"):
            out["tickets"] = ticket_cases(args.runs)
        if args.only in (None, "f"):
            print("(f) min-CVaR at programme-office sizes, ours against the earlier method (CPU)", flush=True)
            out["large_scaling"] = large_scaling(args.pairs, [100, 200, 500, 1000], [10_000, 20_000, 50_000, 100_000],
                                                 (50_000, 500))
            plot_large(out["large_scaling"], ROOT / "docs" / "performance-allocation-large.png")
    out["load_after"] = os.getloadavg()
    print(f"load average before {out['load_before'][0]:.1f}, after {out['load_after'][0]:.1f} "
          f"({os.cpu_count()} cores)")
    if args.json:
        old = json.loads(args.json.read_text()) if args.json.exists() else {}
        old.update({k: v for k, v in out.items()})
        args.json.write_text(json.dumps(old, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
