"""What-if speed: switching values of every tornado input, and one goal seek, at 20,000 trials.

Run: ``.venv/bin/python benchmarks/whatif.py [--repeats 3]``. BLAS threads are fixed to 1
before numpy loads. Each repeat alternates, in pairs, a baseline (one plain
``simulate`` of the same allocation at 20,000 trials) with the measured task, so the
ratio is measured under the same load; the report gives medians and ranges, the number
of engine evaluations each task needs, and the default scenario plus a second generator
(the same scenario with another seed) as inputs.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

TRIALS = 20_000


def main() -> None:
    from workbench.default_scenario import default_scenario
    from workbench.risk.engine import simulate
    from workbench.whatif.evaluator import Evaluator
    from workbench.whatif.inputs import find_input
    from workbench.whatif.statistics import parse_target
    from workbench.whatif.switching import goal_seek, switching_values

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = {"switching": [], "seek": [], "base": [], "evals_sw": [], "evals_seek": [], "cpu_sw": [], "cpu_seek": []}
    for r in range(args.repeats):
        scn = default_scenario()
        if r % 2:
            scn = scn.with_fields(**{"Random seed": 1000 + r})   # a second generator of inputs
        t, c = time.perf_counter(), time.process_time()
        ev = Evaluator(scn, trials=TRIALS)
        setup, setup_cpu = time.perf_counter() - t, time.process_time() - c
        amounts = dict(zip(ev.model.ids, ev.base_amounts))
        t = time.perf_counter()
        simulate(scn, amounts, trials=TRIALS)
        base = time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        res = switching_values(ev)
        sw, sw_cpu = time.perf_counter() - t + setup, time.process_time() - c + setup_cpu
        n_sw = sum(c.evaluations for c in res)
        ev2 = Evaluator(scn, trials=TRIALS)
        t = time.perf_counter()
        simulate(scn, amounts, trials=TRIALS)
        base2 = time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        s = goal_seek(ev2, find_input(scn, "Data centers: expected return"), parse_target("P(NPV<0)<=10%"))
        sk, sk_cpu = time.perf_counter() - t + setup, time.process_time() - c + setup_cpu
        rows["switching"].append(sw)
        rows["seek"].append(sk)
        rows["base"].append((base, base2))
        rows["evals_sw"].append(n_sw)
        rows["evals_seek"].append(s.crossing.evaluations)
        rows["cpu_sw"].append(sw_cpu)
        rows["cpu_seek"].append(sk_cpu)
        print(f"repeat {r + 1}: switching {sw:.2f} s wall, {sw_cpu:.2f} s CPU ({n_sw} evaluations, {len(res)} "
              f"inputs), goal seek {sk:.2f} s wall, {sk_cpu:.2f} s CPU ({s.crossing.evaluations} evaluations), "
              f"one simulate {base:.3f}/{base2:.3f} s; load average {os.getloadavg()[0]:.1f}", flush=True)

    def line(name, xs, evals, bases, cpu):
        ratios = [x / b for x, b in zip(xs, bases)]
        print(f"{name}: median {statistics.median(xs):.2f} s (range {min(xs):.2f} to {max(xs):.2f}), CPU median "
              f"{statistics.median(cpu):.2f} s; "
              f"{statistics.median(evals):.0f} evaluations; median {statistics.median(ratios):.1f}x one plain "
              f"simulate of {TRIALS:,} trials (range {min(ratios):.1f} to {max(ratios):.1f})")
    line("Switching values, all tornado inputs", rows["switching"], rows["evals_sw"], [b[0] for b in rows["base"]],
         rows["cpu_sw"])
    line("Goal seek, data centers' return for P(NPV<0) <= 10 %", rows["seek"], rows["evals_seek"],
         [b[1] for b in rows["base"]], rows["cpu_seek"])


if __name__ == "__main__":
    main()
