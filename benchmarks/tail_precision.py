"""Time to a 0.5 % relative standard error of CVaR 95 % on the default scenario: plain Monte
Carlo against importance sampling of the loss tail (workbench/risk/tail.py), same engine, same run.

Run: ``.venv/bin/python benchmarks/tail_precision.py [--repeats 3] [--precision 0.005]``. BLAS
threads are fixed to 1 before numpy loads. The allocation is the scenario's own method on the
fitting sample (fitted once, outside the timings). Each repeat uses another seed and runs the
two methods back to back, alternating which goes first, so both see the same load; the report
gives each method's trials (pilot included for importance sampling) and seconds, medians and
the ratio plain / importance measured within each repeat.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402


def main() -> None:
    from workbench.allocation import allocate
    from workbench.default_scenario import default_scenario
    from workbench.risk.engine import fit_sample
    from workbench.risk.tail import cvar_to_precision

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--precision", type=float, default=0.005)
    args = ap.parse_args()
    scn = default_scenario()
    amounts = allocate(scn, sample=fit_sample(scn)).amounts
    rows = []
    for r in range(args.repeats):
        seed = scn.seed + r
        out = {}
        for method in (("plain", "importance") if r % 2 == 0 else ("importance", "plain")):
            t, c = time.perf_counter(), time.process_time()
            est = cvar_to_precision(scn, amounts, precision=args.precision, method=method, seed=seed)
            out[method] = (time.perf_counter() - t, est, time.process_time() - c)
        rows.append(out)
        p, i = out["plain"], out["importance"]
        print(f"repeat {r + 1} (seed {seed}): plain {p[0]:.2f} s, {p[1].trials:,} trials, rel. s.e. "
              f"{100 * p[1].relative_se:.3f} %; importance {i[0]:.2f} s, {i[1].trials:,} + {i[1].pilot_trials:,} "
              f"pilot trials, rel. s.e. {100 * i[1].relative_se:.3f} %; CVaR {p[1].cvar:,.0f} vs {i[1].cvar:,.0f} "
              f"(difference {abs(p[1].cvar - i[1].cvar) / (p[1].cvar_se ** 2 + i[1].cvar_se ** 2) ** 0.5:.1f} "
              f"combined s.e.); time ratio {p[0] / i[0]:.1f}x wall, {p[2] / i[2]:.1f}x CPU; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    ratios = [o["plain"][0] / o["importance"][0] for o in rows]
    cpu = [o["plain"][2] / o["importance"][2] for o in rows]
    trial_ratios = [o["plain"][1].trials / (o["importance"][1].trials + o["importance"][1].pilot_trials) for o in rows]
    print(f"Time to a {100 * args.precision:g} % relative s.e. of CVaR: plain median "
          f"{statistics.median(o['plain'][0] for o in rows):.2f} s, importance sampling median "
          f"{statistics.median(o['importance'][0] for o in rows):.2f} s; ratio median {statistics.median(ratios):.1f}x "
          f"(range {min(ratios):.1f} to {max(ratios):.1f}); CPU-time ratio median {statistics.median(cpu):.1f}x (range "
          f"{min(cpu):.1f} to {max(cpu):.1f}); trials ratio median {statistics.median(trial_ratios):.1f}x")


if __name__ == "__main__":
    main()
