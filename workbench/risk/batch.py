"""Many simulations of one allocation (stress tests, tornado), in worker processes when asked.

Each job is the keyword arguments of one :func:`~workbench.risk.engine.simulate` call
(trials, seed, overrides, forced events). With ``workers > 1`` the jobs run in a pool of
spawned processes, one whole simulation per task; each simulation is identical to a
serial one, so the results do not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

from workbench.progress import CancelFn, Cancelled, ProgressFn, check_cancel
from workbench.risk.engine import simulate
from workbench.risk.result import RiskResult
from workbench.scenario import Scenario


def _one(scn: Scenario, amounts: Mapping[str, float], job: Mapping[str, Any]) -> RiskResult:
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


def run_many(scn: Scenario, amounts: Mapping[str, float], jobs: Sequence[Mapping[str, Any]], *, workers: int = 1,
             progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
             labels: Sequence[str] | None = None, pool: Executor | None = None) -> list[RiskResult]:
    """The results of ``jobs``, in order (in ``pool``, or a pool of ``workers`` processes)."""
    report = progress or (lambda f, m: None)
    total = max(len(jobs), 1)
    labels = labels or [""] * len(jobs)
    if pool is None and (workers <= 1 or len(jobs) < 2):
        out = []
        for i, job in enumerate(jobs):
            check_cancel(should_cancel)
            report(i / total, labels[i])
            out.append(simulate(scn, amounts, should_cancel=should_cancel, **job))
        report(1.0, "")
        return out
    if pool is None:
        with worker_pool(min(workers, len(jobs))) as own:
            return run_many(scn, amounts, jobs, progress=progress, should_cancel=should_cancel, labels=labels,
                            pool=own)
    results: dict[int, RiskResult] = {}
    futures = {pool.submit(_one, scn, dict(amounts), dict(job)): i for i, job in enumerate(jobs)}
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
