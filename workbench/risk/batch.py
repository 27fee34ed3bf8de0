"""Many simulations of one allocation (stress tests, tornado), in worker processes when asked.

Each job is the keyword arguments of one :func:`~workbench.risk.engine.simulate` call
(trials, seed, overrides, forced events). In one process the jobs share each block's
random numbers (drawn once, read by every variant); with ``workers > 1`` they run in a
pool of spawned processes, one whole simulation per task. Either way each result is
identical to a lone ``simulate`` call.

Stress tests and the tornado read five numbers of each run (:class:`Summary`), so
:func:`summarize` computes only those, in one process: each block's random numbers are
drawn once, the funded projects' P&L of the unmoved scenario is simulated once per block,
and a variant simulates again only the funded projects its inputs move
(:func:`~workbench.risk.model.moved_projects`): the other projects' P&L is the same, bit for
bit, so every summary is exactly the lone ``simulate`` call's (tests check it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TypedDict

import numpy as np

from workbench.progress import CancelFn, Cancelled, ProgressFn, check_cancel
from workbench.risk import measures as ms
from workbench.risk.engine import CHUNK_BLOCKS, Plan, simulate
from workbench.risk.model import Overrides, RiskModel, build_model, moved_projects, submodel
from workbench.risk.paths import (
    BLOCK,
    REPORT_STREAM,
    DrawCache,
    Draws,
    block_sizes,
    draw_block,
    draw_signature,
    event_sums,
    sector_shocks,
    simulate_block,
)
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
            for m, users in _users_by_size(members, sizes, b).items():
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



@dataclass(frozen=True)
class Summary:
    """What a stress test or a tornado end reads of one simulation: the same numbers as its
    :class:`~workbench.risk.result.RiskResult` (USD m; VaR and CVaR as positive losses)."""

    trials: int
    seed: int
    expected_pnl: float
    std: float
    var: float
    cvar: float
    prob_loss: float

    @classmethod
    def of(cls, r: RiskResult) -> Summary:
        return cls(r.trials, r.seed, r.expected_pnl, r.std, r.var, r.cvar, r.prob_loss)

    @classmethod
    def from_pnl(cls, pnl: np.ndarray, seed: int, confidence: float) -> Summary:
        """The measures exactly as :func:`~workbench.risk.engine.simulate` computes them from its P&L sample."""
        n = len(pnl)
        k = ms.tail_count(n, confidence)
        srt = np.sort(pnl)
        return cls(trials=n, seed=seed, expected_pnl=float(pnl.mean()),
                   std=float(np.std(pnl, ddof=1)) if n > 1 else 0.0, var=float(-srt[k - 1]) + 0.0,
                   cvar=float(-srt[:k].mean()) + 0.0, prob_loss=ms.probability_of_loss(pnl))


def summaries(scn: Scenario, amounts: Mapping[str, float], jobs: Sequence[SimulationJob], *, workers: int = 1,
              progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
              labels: Sequence[str] | None = None, pool: Executor | None = None,
              draws: DrawCache | None = None) -> list[Summary]:
    """The :class:`Summary` of each job: :func:`summarize` in this process (random numbers from ``draws`` when
    given), or whole simulations in a pool."""
    if pool is None and workers <= 1:
        return summarize(scn, amounts, jobs, progress=progress, should_cancel=should_cancel,
                         label=labels[0].split(":")[0] if labels else "", draws=draws)
    return [Summary.of(r) for r in run_many(scn, amounts, jobs, workers=workers, progress=progress,
                                            should_cancel=should_cancel, labels=labels, pool=pool)]


def _engine_draws(base: RiskModel, sub: RiskModel, idx: np.ndarray, draws: Draws) -> Draws:
    """``draws`` of ``base``'s layout cut to the projects ``idx`` (laid out as ``sub``, their submodel)."""
    pos = base.engine_inverse[idx[sub.engine_order]]
    return Draws(draws.z_sec, np.ascontiguousarray(draws.z_spec[:, pos, :]), draws.u, draws.w)


class _SectorParts:
    """One block's sector part (sector shocks plus the shocks of the events under way, and the events'
    occurrences) for the variants of the unmoved scenario, exactly as :func:`simulate_block` computes it: the
    sector shocks are made once for the base's volatilities, the events once for the base's events without
    forced starts; a variant that moves either has that part made for it."""

    def __init__(self, base: RiskModel, draws: Draws):
        self.base, self.draws = base, draws
        self._shocks: np.ndarray | None = None
        self._events: tuple[np.ndarray, np.ndarray] | None = None
        self._whole: tuple[np.ndarray, np.ndarray] | None = None

    def of(self, model: RiskModel, forced: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
        """``(sec, occurred)`` for ``model`` (laid out as the base, by :func:`moved_projects`) with ``forced``
        starts; None when the events are too many to tabulate (then :func:`simulate_block` makes its own)."""
        base = self.base
        same_events = forced is None and (np.array_equal(model.event_prob, base.event_prob)
                                          and np.array_equal(model.event_duration, base.event_duration)
                                          and np.array_equal(model.event_shock, base.event_shock))
        same_vol = np.array_equal(model.sector_vol, base.sector_vol)
        if same_events and same_vol and self._whole is not None:
            return self._whole
        if same_events:
            if self._events is None:
                self._events = event_sums(base, self.draws)
            events = self._events
        else:
            events = event_sums(model, self.draws, forced)
        if events is None:
            return None
        if same_vol:
            if self._shocks is None:
                self._shocks = sector_shocks(base, self.draws)
            shocks = self._shocks
        else:
            shocks = sector_shocks(model, self.draws)
        whole = (shocks + events[0], events[1])
        if same_events and same_vol:
            self._whole = whole
        return whole


def summarize(scn: Scenario, amounts: Mapping[str, float], jobs: Sequence[SimulationJob], *,
              progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
              label: str = "", draws: DrawCache | None = None) -> list[Summary]:
    """The :class:`Summary` of each job, computed only from the P&L of the funded projects its inputs move
    (the others' P&L is the unmoved scenario's, simulated once per block; see the module docstring)."""
    report = progress or (lambda f, m: None)
    base = build_model(scn)
    plans = [Plan.of(scn, amounts, **job, model=base) for job in jobs]
    pnls = [np.empty(p.trials) for p in plans]
    sizes = [block_sizes(p.trials) for p in plans]
    # per plan: the funded projects to simulate again (None: the whole plan, on its own)
    again: list[np.ndarray | None] = []
    for p in plans:
        moved = moved_projects(base, p.model, p.forced)
        again.append(None if moved is None else np.intersect1d(moved, np.flatnonzero(p.x > 0)))
    # per plan: its model cut to those projects (made once, read in every block)
    subs = [submodel(p.model, rows) if rows is not None and len(rows) else None for p, rows in zip(plans, again)]
    groups: dict[tuple[tuple[int, int, int, int, str, float | None], int], list[int]] = {}
    for i, p in enumerate(plans):
        groups.setdefault((draw_signature(p.model), p.seed), []).append(i)
    total = sum(len(sz) for sz in sizes) or 1
    done = 0
    for (_sig, seed), members in groups.items():
        shared = [i for i in members if again[i] is not None]
        funded = np.flatnonzero(plans[shared[0]].x > 0) if shared else np.zeros(0, dtype=np.int64)
        if any(not np.array_equal(plans[i].x, plans[shared[0]].x) for i in shared):
            shared = []   # not reached by stress tests and the tornado: one allocation for every variant
        base_sub = submodel(base, funded)
        blocks = max(len(sizes[i]) for i in members)
        for b in range(blocks):
            check_cancel(should_cancel)
            for m, users in _users_by_size(members, sizes, b).items():
                first = plans[users[0]]
                block = (draws.get(first.model, seed, REPORT_STREAM, b, m) if draws is not None
                         else draw_block(first.model, seed, REPORT_STREAM, b, m))
                base_unit = None     # (funded, m): the unmoved scenario's P&L per USD m of the funded projects
                parts = _SectorParts(base, block)
                cut: dict[tuple[int, ...], Draws] = {}
                for i in users:
                    p, rows = plans[i], again[i]
                    out = pnls[i][b * BLOCK: b * BLOCK + m]
                    if rows is None or i not in shared:
                        unit = simulate_block(p.model, seed, REPORT_STREAM, b, m, forced=p.forced, draws=block).unit
                        _portfolio(unit, p.x, np.flatnonzero(p.x > 0), out)
                        continue
                    if base_unit is None:
                        base_unit = simulate_block(base_sub, seed, REPORT_STREAM, b, m, sector=parts.of(base, None),
                                                   draws=_engine_draws(base, base_sub, funded, block)).unit
                    unit = base_unit
                    sub = subs[i]
                    if sub is not None:
                        key = tuple(int(r) for r in rows)
                        if key not in cut:
                            cut[key] = _engine_draws(base, sub, rows, block)
                        unit = base_unit.copy()
                        unit[np.searchsorted(funded, rows)] = simulate_block(
                            sub, seed, REPORT_STREAM, b, m, forced=p.forced, draws=cut[key],
                            sector=parts.of(p.model, p.forced)).unit
                    _portfolio(unit, p.x[funded], np.arange(len(funded)), out)
                done += len(users)
            if b % CHUNK_BLOCKS == 0 or b == blocks - 1:
                report(done / total, label)
    found = [Summary.from_pnl(pnl, p.seed, p.model.confidence) for p, pnl in zip(plans, pnls)]
    report(1.0, label)
    return found


def _portfolio(unit: np.ndarray, x: np.ndarray, funded: np.ndarray, out: np.ndarray) -> None:
    """``out`` = the sum of ``x[p] * unit[p]`` over ``funded``, in that order (the engine's order of addition)."""
    out[:] = 0.0
    for p in funded:
        out += x[p] * unit[p]


def _users_by_size(members: list[int], sizes: list[list[int]], b: int) -> dict[int, list[int]]:
    """The runs among ``members`` that have a block ``b``, by that block's size (they draw it once)."""
    by_size: dict[int, list[int]] = {}
    for i in members:
        if b < len(sizes[i]):
            by_size.setdefault(sizes[i][b], []).append(i)
    return by_size
