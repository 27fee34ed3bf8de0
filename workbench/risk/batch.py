"""Many simulations of one allocation (stress tests, tornado), in worker processes when asked.

Each job is the keyword arguments of one :func:`~workbench.risk.engine.simulate` call
(trials, seed, overrides, forced events). In one process the jobs share each block's
random numbers (drawn once, read by every variant: the draws are most of the cost); with
``workers > 1`` they run in a pool of spawned processes, one whole simulation per task.
Either way each result is identical to a lone ``simulate`` call.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_context
from typing import TypedDict

from workbench.progress import CancelFn, Cancelled, ProgressFn, check_cancel
from workbench.risk.engine import CHUNK_BLOCKS, Plan, simulate
from workbench.risk.model import Overrides
from workbench.risk.paths import REPORT_STREAM, block_sizes, draw_block, draw_signature
from workbench.risk.result import RiskResult
from workbench.scenario import Scenario


class SimulationJob(TypedDict, total=False):
    """One job: the keywords of one :func:`~workbench.risk.engine.simulate` call (each may be left out)."""

    trials: int | None
    seed: int | None
    forced_events: Mapping[str, int | Iterable[int]] | None
    overrides: Overrides | None


def _one(scn: Scenario, amounts: Mapping[str, float], job: SimulationJob) -> RiskResult:
    return simulate(scn, amounts, **job)


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """A pool of ``workers`` spawned processes to share between several :func:`run_many` calls
    (``None`` when ``workers <= 1``)."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield pool


def run_many(scn: Scenario, amounts: Mapping[str, float], jobs: Sequence[SimulationJob], *, workers: int = 1,
             progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
             labels: Sequence[str] | None = None, pool: Executor | None = None) -> list[RiskResult]:
    """The results of ``jobs``, in order (in ``pool``, or a pool of ``workers`` processes)."""
    report = progress or (lambda f, m: None)
    total = max(len(jobs), 1)
    labels = labels or [""] * len(jobs)
    if pool is None and (workers <= 1 or len(jobs) < 2):
        return simulate_variants(scn, amounts, jobs, progress=progress, should_cancel=should_cancel,
                                 label=labels[0].split(":")[0] if labels else "")
    if pool is None:
        with worker_pool(min(workers, len(jobs))) as own:
            return run_many(scn, amounts, jobs, progress=progress, should_cancel=should_cancel, labels=labels,
                            pool=own)
    results: dict[int, RiskResult] = {}
    futures = {pool.submit(_one, scn, dict(amounts), job.copy()): i for i, job in enumerate(jobs)}
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for f in done:
                i = futures[f]
                results[i] = f.result()
                report(len(results) / total, labels[i])
            check_cancel(should_cancel)
    except Cancelled:
        for f in pending:
            f.cancel()
        raise
    return [results[i] for i in range(len(jobs))]


def simulate_variants(scn: Scenario, amounts: Mapping[str, float], jobs: Sequence[SimulationJob], *,
                      progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
                      label: str = "") -> list[RiskResult]:
    """The results of ``jobs`` (keywords ``trials``, ``seed``, ``forced_events``, ``overrides``),
    block by block: variants that draw the same numbers share one draw of each block."""
    t0 = time.perf_counter()
    report = progress or (lambda f, m: None)
    plans = [Plan.of(scn, amounts, **job) for job in jobs]
    cols = [p.collector() for p in plans]
    sizes = [block_sizes(p.trials) for p in plans]
    groups: dict[tuple[tuple[int, int, int, int, str, float | None], int], list[int]] = {}
    for i, p in enumerate(plans):
        groups.setdefault((draw_signature(p.model), p.seed), []).append(i)
    total = sum(len(sz) for sz in sizes) or 1
    done = 0
    for members in groups.values():
        blocks = max(len(sizes[i]) for i in members)
        for b in range(blocks):
            check_cancel(should_cancel)
            by_size: dict[int, list[int]] = {}
            for i in members:
                if b < len(sizes[i]):
                    by_size.setdefault(sizes[i][b], []).append(i)
            for m, users in by_size.items():
                first = plans[users[0]]
                draws = {b: draw_block(first.model, first.seed, REPORT_STREAM, b, m)}
                for i in users:
                    plans[i].chunk([(b, m)], cols[i], should_cancel, draws=draws)
                done += len(users)
            if b % CHUNK_BLOCKS == 0 or b == blocks - 1:
                report(done / total, label)
    seconds = time.perf_counter() - t0
    out = [p.result(c, seconds) for p, c in zip(plans, cols)]
    report(1.0, label)
    return out
