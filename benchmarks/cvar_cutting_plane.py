"""min-CVaR by a cutting-plane method on the CVaR function in the primal, against the allocator's
exact dual method, on the same inputs: the measurement behind "tried and dropped" in
``docs/performance.md`` (section "Allocation engine").

    .venv/bin/python benchmarks/cvar_cutting_plane.py                       # 5,000 x 100, plain cuts
    .venv/bin/python benchmarks/cvar_cutting_plane.py --trials 10000 --projects 200
    .venv/bin/python benchmarks/cvar_cutting_plane.py --trust-region 0.01   # a box around the best point

The cuts are the aggregated cuts of Kunzi-Bay and Mayer (2006) in the form without ``alpha``:
with ``k`` tail trials, ``CVaR(w) = max over sets K of k trials of (1/k) sum_{t in K} loss_t(w)``,
so the programme is ``min v/k`` over the weights ``w`` (summing to one, each 0..1, the
benchmark's budget) with one dense row ``v >= sum_{t in K} loss_t(w)`` per cut, ``K`` the ``k``
worst trials at the iterate. Each iteration: one product of the P&L matrix with ``w``, one row
added, HiGHS's dual simplex re-solving from the previous basis (presolve off, one thread). The
lower bound is the cut model's optimum (the model is below the function), the upper bound the
CVaR at the best iterate; it stops at a relative gap of ``--gap``. With ``--trust-region D`` the
model is minimised within ``|w - c| <= D`` of the best point ``c``, moved when the step achieves
a tenth of the predicted decrease (the radius doubled when it achieves half at the box's edge,
halved when the model was badly wrong); the gap then counts only when the box is not binding.

Inputs: ``benchmarks/allocation.py``'s Gaussian factor generator; BLAS one thread. Prints CPU
and wall clock of each side and their ratio.
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
from highspy import _core  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from allocation import BETA, ours_cvar, synthetic_pnl  # noqa: E402

from workbench.allocation.cvar import cvar_of, tail_count  # noqa: E402

INF = float(_core.kHighsInf)


def cutting_plane(pnl: np.ndarray, k: int, *, gap: float, max_iter: int, trust: float | None) -> dict:
    trials, n = pnl.shape
    h = _core._Highs()
    for name, value in (("output_flag", False), ("threads", 1), ("presolve", "off"),
                        ("primal_feasibility_tolerance", 1e-9), ("dual_feasibility_tolerance", 1e-9)):
        h.setOptionValue(name, value)
    lp = _core.HighsLp()
    lp.num_col_, lp.num_row_ = n + 1, 1                    # w (n), v; the row: sum w = 1
    lp.col_cost_ = np.r_[np.zeros(n), 1.0 / k]
    lp.col_lower_ = np.r_[np.zeros(n), -INF]
    lp.col_upper_ = np.r_[np.ones(n), INF]
    lp.row_lower_, lp.row_upper_ = np.array([1.0]), np.array([1.0])
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n + 1, 1
    lp.a_matrix_.start_ = np.r_[np.arange(n + 1), n].astype(np.int32)
    lp.a_matrix_.index_ = np.zeros(n, np.int32)
    lp.a_matrix_.value_ = np.ones(n)
    h.passModel(lp)
    idx = np.arange(n + 1, dtype=np.int32)
    cols = np.arange(n, dtype=np.int32)
    lp_cpu = 0.0

    def cut(w: np.ndarray) -> tuple[float, np.ndarray]:
        loss = -(pnl @ w)
        worst = np.argpartition(loss, trials - k)[trials - k:]
        return float(loss[worst].sum() / k), pnl[worst].sum(axis=0)     # v + g.w >= 0 is v >= sum of losses

    centre = np.full(n, 1.0 / n)
    best, g = cut(centre)
    h.addRow(0.0, INF, n + 1, idx, np.r_[g, 1.0])
    lower, radius, iterations = -np.inf, trust, 0
    while iterations < max_iter:
        iterations += 1
        if radius is not None:
            h.changeColsBounds(n, cols, np.maximum(centre - radius, 0.0), np.minimum(centre + radius, 1.0))
        c0 = time.process_time()
        h.run()
        lp_cpu += time.process_time() - c0
        x = np.array(h.getSolution().col_value)
        w, model = x[:n], x[n] / k
        boxed = radius is not None and bool(np.any(
            ((w <= centre - radius + 1e-12) & (centre - radius > 0))
            | ((w >= centre + radius - 1e-12) & (centre + radius < 1))))
        if not boxed:
            lower = max(lower, model)
        if best - lower <= gap * abs(best):
            break
        f, g = cut(w)
        if radius is None:
            if f < best:
                best, centre = f, w
        else:
            predicted = best - model
            if best - f >= 0.1 * predicted:
                if best - f >= 0.5 * predicted and boxed:
                    radius = min(2 * radius, 1.0)
                best, centre = f, w
            elif f - model > 0.9 * predicted:
                radius = max(radius / 2, 1e-9)
        h.addRow(0.0, INF, n + 1, idx, np.r_[g, 1.0])
    return {"iterations": iterations, "cvar": best, "lower": lower, "lp_cpu": lp_cpu,
            "gap": (best - lower) / abs(best) if np.isfinite(lower) else float("inf")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=5000)
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gap", type=float, default=1e-9, help="relative gap to stop at")
    ap.add_argument("--max-iter", type=int, default=5000)
    ap.add_argument("--trust-region", type=float, default=None, metavar="D")
    args = ap.parse_args(argv)
    pnl = synthetic_pnl(args.projects, args.trials, args.seed, "gauss")
    k = tail_count(args.trials, BETA)
    with threadpool_limits(1):
        ours_cvar(synthetic_pnl(10, 400, 0, "gauss"))                  # imports and first calls outside the timing
        t0, c0 = time.perf_counter(), time.process_time()
        w, res = ours_cvar(pnl)
        ours_wall, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        exact = float(cvar_of(pnl @ w, BETA)[0])
        t0, c0 = time.perf_counter(), time.process_time()
        cp = cutting_plane(pnl, k, gap=args.gap, max_iter=args.max_iter, trust=args.trust_region)
        cp_wall, cp_cpu = time.perf_counter() - t0, time.process_time() - c0
    kind = "plain cuts" if args.trust_region is None else f"cuts in a box of {args.trust_region:g}"
    print(f"min-CVaR {BETA:.0%}, {args.trials:,} trials x {args.projects} projects (Gaussian seed {args.seed}), "
          f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  allocator (exact dual, {res.status}): CPU {ours_cpu:.2f} s, wall {ours_wall:.2f} s, CVaR {exact:.10f}")
    print(f"  cutting plane ({kind}): {cp['iterations']:,} iterations, CPU {cp_cpu:.2f} s (LP re-solves "
          f"{cp['lp_cpu']:.2f} s), wall {cp_wall:.2f} s; best CVaR {cp['cvar']:.10f}, relative gap to its "
          f"lower bound {cp['gap']:.1e}; (its CVaR - the allocator's) / |the allocator's| "
          f"{(cp['cvar'] - exact) / abs(exact):+.1e}")
    print(f"  CPU ratio cutting plane / allocator: x{cp_cpu / ours_cpu:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
