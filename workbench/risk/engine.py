"""The Monte Carlo engine: the fitting sample for the allocation, and the reporting simulation.

Two independent random streams come from the seed (``docs/contracts/models.md``, Samples): stream 0
fits the allocation (``fit_sample``, at most 20,000 trials), stream 1 gives every reported
measure (``simulate``, the scenario's Trials). Each stream is cut into fixed blocks of
:data:`~workbench.risk.paths.BLOCK` trials with their own generators, so results are
bit-identical whatever the chunk size (memory and progress granularity) or the number of
worker processes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import cached_property
from multiprocessing import get_context

import numpy as np
import numpy.typing as npt

from workbench.progress import CancelFn, Cancelled, ProgressFn, check_cancel
from workbench.risk import measures as ms
from workbench.risk.model import (
    GUARANTEE,
    ModelError,
    Overrides,
    RiskModel,
    apply_overrides,
    build_model,
    patched_model,
)
from workbench.risk.paths import BLOCK, FIT_STREAM, REPORT_STREAM, DrawCache, Draws, block_sizes, simulate_block
from workbench.risk.result import (
    EventAttribution,
    FanChart,
    GuaranteeExposure,
    MonteCarloError,
    NominalView,
    RiskResult,
)
from workbench.scenario import Scenario

FIT_TRIALS = 20_000
#: Default chunk: blocks simulated between two progress reports / memory merges.
CHUNK_BLOCKS = 16
#: Below this many trials, worker processes cost more to start than they save.
MIN_PARALLEL_TRIALS = 200_000
#: Largest task sent to a worker process (blocks); bounds how long a cancel can take there.
PARALLEL_CHUNK_BLOCKS = 64
FAN_PERCENTILES = (5, 25, 50, 75, 95)
#: The fan chart is drawn from the first blocks of trials: 10 blocks = 40,960 trials
#: (a chart needs no more; the risk measures use every trial).
FAN_BLOCKS = 10
PAYOUT_PERCENTILES = (50, 90, 95, 99, 99.9)
IRR_PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True, eq=False)
class UnitSample:
    """The fitting sample: each included project's P&L per USD m allocated to it.

    P&L is linear in the amount for all three instruments, so a portfolio's P&L is
    ``pnl @ x`` for amounts ``x`` (USD m, in ``ids`` order).
    """

    ids: tuple[str, ...]
    pnl: npt.NDArray[np.float64]   # (trials, n)
    seed: int = 0

    @property
    def trials(self) -> int:
        return int(self.pnl.shape[0])

    @cached_property
    def mean(self) -> npt.NDArray[np.float64]:
        means: npt.NDArray[np.float64] = self.pnl.mean(axis=0)
        return means

    @cached_property
    def cov(self) -> npt.NDArray[np.float64]:
        if self.pnl.shape[1] == 0:
            return np.zeros((0, 0))
        return np.atleast_2d(np.cov(self.pnl, rowvar=False))


def scenario_seed(scn: Scenario, seed: int | None) -> int:
    return scn.seed if seed is None else int(seed)


def fit_sample(scn: Scenario, *, trials: int | None = None, seed: int | None = None,
               model: RiskModel | None = None, draws: DrawCache | None = None) -> UnitSample:
    """The fitting sample: ``min(Trials, 20,000)`` trials (or ``trials``) on stream 0 (its random numbers
    taken from ``draws`` when given)."""
    model = model or build_model(scn)
    n_trials = int(trials) if trials is not None else min(scn.trials, FIT_TRIALS)
    if n_trials < 1:
        raise ModelError("The fitting sample needs at least one trial.")
    seed = scenario_seed(scn, seed)
    units = [simulate_block(model, seed, FIT_STREAM, b, m,
                            draws=draws.get(model, seed, FIT_STREAM, b, m) if draws is not None else None).unit
             for b, m in enumerate(block_sizes(n_trials))]
    pnl = np.ascontiguousarray(np.concatenate(units, axis=1).T)
    return UnitSample(ids=model.ids, pnl=pnl, seed=seed)


# ---------------------------------------------------------------- reporting simulation
@dataclass(frozen=True, eq=False)
class _Chunk:
    """One chunk's per-trial outputs and its own tail candidates."""

    first: int              # index of its first trial
    pnl: npt.NDArray[np.float64]         # (M,)
    occurred: npt.NDArray[np.bool_]      # (E, M)
    value: npt.NDArray[np.float64]       # (H, M') value paths of the blocks below FAN_BLOCKS (M' may be 0)
    payout: npt.NDArray[np.float64]      # (M,) nominal guarantee payouts
    payout_pv: npt.NDArray[np.float64]   # (M,)
    tail_idx: npt.NDArray[np.int64]      # (<=k,) trial indices of its k smallest P&L
    tail_rows: npt.NDArray[np.float64]   # (<=k, n) project P&L in those trials
    tail_pnl: npt.NDArray[np.float64]    # (<=k,) their portfolio P&L
    block_sums: npt.NDArray[np.float64]  # (blocks, n) each block's sum of each project's P&L
    net_cash: npt.NDArray[np.float64]    # (M,) nominal cash returned minus cash invested ((0,) when not asked)
    irr: npt.NDArray[np.float64]         # (M,) annual IRR of the portfolio's cash flows ((0,) when not asked)


class _Tail:
    """The ``k`` smallest P&L seen so far, ordered by (P&L, trial index), with their project P&L rows.

    Merging in any order gives the same final set, so chunks and workers cannot change it.
    """

    def __init__(self, k: int, n: int):
        self.k = k
        self.pnl = np.zeros(0)
        self.idx = np.zeros(0, dtype=np.int64)
        self.rows = np.zeros((0, n))

    @property
    def threshold(self) -> float:
        """No trial with a larger P&L can enter the tail any more."""
        return float(self.pnl.max()) if len(self.pnl) >= self.k else np.inf

    def add(self, pnl: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> None:
        old = len(self.pnl)
        if old + len(pnl) <= self.k:
            self.pnl = np.concatenate([self.pnl, pnl])
            self.idx = np.concatenate([self.idx, idx])
            self.rows = np.concatenate([self.rows, rows], axis=0)
            return
        keep = self._select(np.concatenate([self.pnl, pnl]), np.concatenate([self.idx, idx]))
        if old == self.k:   # full: the accepted newcomers take the evicted rows' places
            slots = np.flatnonzero(~keep[:old])
            taken = np.flatnonzero(keep[old:])
            self.pnl[slots], self.idx[slots], self.rows[slots] = pnl[taken], idx[taken], rows[taken]
            return
        k_old, k_new = np.flatnonzero(keep[:old]), np.flatnonzero(keep[old:])
        self.pnl = np.concatenate([self.pnl[k_old], pnl[k_new]])
        self.idx = np.concatenate([self.idx[k_old], idx[k_new]])
        self.rows = np.concatenate([self.rows[k_old], rows[k_new]], axis=0)

    def _select(self, pnl: np.ndarray, idx: np.ndarray) -> npt.NDArray[np.bool_]:
        """Mask of the k smallest by (P&L, trial index), in linear time."""
        v = np.partition(pnl, self.k - 1)[self.k - 1]
        keep: npt.NDArray[np.bool_] = pnl < v
        ties = np.flatnonzero(pnl == v)
        keep[ties[np.argsort(idx[ties], kind="stable")[:self.k - int(keep.sum())]]] = True
        return keep

    def canonical_rows(self) -> np.ndarray:
        """The rows ordered by (P&L, trial index), so sums over them do not depend on merge order."""
        return self.rows[np.lexsort((self.idx, self.pnl))]


def _run_chunk(model: RiskModel, seed: int, blocks: list[tuple[int, int]], amounts: np.ndarray,
               forced: np.ndarray | None, k: int, should_cancel: CancelFn | None = None,
               threshold: float = np.inf, draws: Mapping[int, Draws] | None = None,
               nominal: bool = False) -> _Chunk:
    """Simulate a run of consecutive blocks (top level so worker processes can call it).

    Only trials with P&L at or below ``threshold`` (the k-th smallest seen so far, when
    known) are kept as tail candidates. ``nominal``: also each trial's net nominal cash and IRR.
    """
    disc = model.discount()
    funded = np.flatnonzero(amounts > 0)
    guar = [p for p in funded if model.instrument[p] == GUARANTEE]
    tail = _Tail(k, model.n)
    pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    waiting = 0
    parts = []
    for b, m in blocks:
        check_cancel(should_cancel)
        paths = simulate_block(model, seed, REPORT_STREAM, b, m, amounts=amounts, forced=forced,
                               values=b < FAN_BLOCKS, draws=draws.get(b) if draws else None, cash=nominal)
        unit = paths.unit
        pnl = np.zeros(m)
        for p in funded:   # fixed order, element-wise: the same bits however trials are grouped
            pnl += amounts[p] * unit[p]
        payout, payout_pv = np.zeros(m), np.zeros(m)
        for p in guar:
            hit = paths.tau[p] < model.horizon
            loss = (1.0 - model.recovery[p]) * amounts[p]
            payout += np.where(hit, loss, 0.0)
            payout_pv += np.where(hit, loss * disc[np.minimum(paths.tau[p] + 1, model.horizon)], 0.0)
        cand = np.flatnonzero(pnl <= min(threshold, tail.threshold))
        pending.append((pnl[cand], cand + b * BLOCK, (unit[:, cand] * amounts[:, None]).T))
        waiting += len(cand)
        if waiting >= max(k // 2, BLOCK):   # merge in batches, keeping the pending rows bounded
            tail.add(*(np.concatenate(part, axis=0) for part in zip(*pending)))
            pending, waiting = [], 0
        if paths.cash is not None:
            net, irr = paths.cash.sum(axis=0), ms.internal_rate_of_return(paths.cash)
        else:
            net, irr = np.zeros(0), np.zeros(0)
        parts.append((pnl, paths, payout, payout_pv, unit.sum(axis=1) * amounts, net, irr))
    if pending:
        tail.add(*(np.concatenate(part, axis=0) for part in zip(*pending)))
    values = [x[1].value for x in parts if x[1].value is not None]
    return _Chunk(
        first=blocks[0][0] * BLOCK, pnl=np.concatenate([x[0] for x in parts]),
        occurred=np.concatenate([x[1].occurred for x in parts], axis=1),
        value=np.concatenate(values, axis=1) if values else np.zeros((model.horizon, 0)),
        payout=np.concatenate([x[2] for x in parts]), payout_pv=np.concatenate([x[3] for x in parts]),
        tail_idx=tail.idx, tail_rows=tail.rows, tail_pnl=tail.pnl,
        block_sums=np.array([x[4] for x in parts]),
        net_cash=np.concatenate([x[5] for x in parts]), irr=np.concatenate([x[6] for x in parts]),
    )


def _forced_matrix(model: RiskModel, forced_events: Mapping[str, int | Iterable[int]] | None) -> np.ndarray | None:
    if not forced_events:
        return None
    out = np.zeros((model.horizon, len(model.events)), dtype=bool)
    pos = {e: i for i, e in enumerate(model.events)}
    for name, years in forced_events.items():
        if name not in pos:
            raise ModelError(f'There is no risk event called "{name}" to force.')
        for y in [years] if isinstance(years, (int, np.integer)) else years:
            t = int(y) - model.start_year
            if not 0 <= t < model.horizon:
                raise ModelError(f'Event "{name}" cannot be forced in {y}: the scenario runs from '
                                 f"{model.start_year} to {model.start_year + model.horizon - 1}.")
            out[t, pos[name]] = True
    return out


def amounts_vector(model: RiskModel, amounts: Mapping[str, float]) -> np.ndarray:
    """Amounts in model order (included projects); unknown or excluded IDs must be 0."""
    pos = {i: k for k, i in enumerate(model.ids)}
    x = np.zeros(model.n)
    for pid, v in amounts.items():
        v = float(v or 0.0)
        if not math.isfinite(v) or v < 0:
            raise ModelError(f"Project {pid}: the amount must be a number at least 0, not {v}.")
        if pid in pos:
            x[pos[pid]] = v
        elif v > 0:
            raise ModelError(f"Project {pid} is not an included project of the scenario, so it cannot be funded.")
    return x


@dataclass(frozen=True, eq=False)
class Plan:
    """One simulation's inputs, ready for the engine."""

    model: RiskModel
    trials: int
    seed: int
    x: npt.NDArray[np.float64]              # amounts in model order
    forced: npt.NDArray[np.bool_] | None    # (H, E) forced starts
    k: int                        # tail trials
    nominal: bool = False         # also the undiscounted cash view (cash multiple, IRR)

    @classmethod
    def of(cls, scn: Scenario, amounts: Mapping[str, float], *, trials: int | None = None, seed: int | None = None,
           forced_events: Mapping[str, int | Iterable[int]] | None = None,
           overrides: Overrides | None = None, nominal: bool = False, model: RiskModel | None = None) -> Plan:
        """``model``: ``build_model(scn)`` when already built; with ``overrides``, the model they give is patched
        from it when :func:`~workbench.risk.model.patched_model` can (the same model, without a rebuild)."""
        patched = patched_model(model, scn, overrides) if model is not None and overrides else None
        if patched is not None:
            model = patched   # its overrides set none of the Scenario fields read below (Trials, Random seed)
        else:
            scn = apply_overrides(scn, overrides)   # an override may set Trials or Random seed too
            model = model if model is not None and not overrides else build_model(scn)
        n_trials = scn.trials if trials is None else int(trials)
        if n_trials < 1:
            raise ModelError("The simulation needs at least one trial.")
        return cls(model=model, trials=n_trials, seed=scenario_seed(scn, seed), x=amounts_vector(model, amounts),
                   forced=_forced_matrix(model, forced_events), k=ms.tail_count(n_trials, model.confidence),
                   nominal=nominal)

    def collector(self) -> _Collected:
        return _Collected(self.model, self.trials, self.k, self.nominal)

    def chunk(self, blocks: list[tuple[int, int]], col: _Collected, should_cancel: CancelFn | None = None,
              draws: Mapping[int, Draws] | None = None) -> None:
        """Simulate ``blocks`` (index, size) into ``col``."""
        col.add(_run_chunk(self.model, self.seed, blocks, self.x, self.forced, self.k, should_cancel,
                           threshold=col.tail.threshold, draws=draws, nominal=self.nominal))

    def result(self, col: _Collected, seconds: float) -> RiskResult:
        return _measures(self.model, self.x, self.seed, self.trials, self.k, col, seconds)


def simulate(scn: Scenario, amounts: Mapping[str, float], *, trials: int | None = None, seed: int | None = None,
             chunk_size: int | None = None, workers: int = 1, progress: ProgressFn | None = None,
             should_cancel: CancelFn | None = None, forced_events: Mapping[str, int | Iterable[int]] | None = None,
             overrides: Overrides | None = None, min_parallel_trials: int = MIN_PARALLEL_TRIALS,
             nominal: bool = False, model: RiskModel | None = None,
             draws: DrawCache | None = None) -> RiskResult:
    """Simulate the allocation ``amounts`` (project ID -> USD m) on the reporting stream.

    ``forced_events``: event name -> calendar year(s) in which it is made to start.
    ``overrides``: input values replaced for this run (see :func:`~workbench.risk.model.apply_overrides`).
    ``nominal``: also the undiscounted cash view (``RiskResult.nominal``: cash multiple, IRR).
    ``model``: ``build_model(scn)`` when the caller has it already (it is built otherwise). ``draws``: random
    numbers kept between runs (read in this process; worker processes draw their own).
    Results are identical for every ``chunk_size`` and ``workers``.
    """
    t0 = time.perf_counter()
    plan = Plan.of(scn, amounts, trials=trials, seed=seed, forced_events=forced_events, overrides=overrides,
                   nominal=nominal, model=model)
    model, n_trials, seed, x, forced, k = plan.model, plan.trials, plan.seed, plan.x, plan.forced, plan.k
    sizes = block_sizes(n_trials)
    per_chunk = max(1, (chunk_size or CHUNK_BLOCKS * BLOCK) // BLOCK)
    chunks = [list(enumerate(sizes))[i:i + per_chunk] for i in range(0, len(sizes), per_chunk)]
    progress = progress or (lambda f, m: None)
    progress(0.0, f"Simulating {n_trials:,} trials")
    col = _Collected(model, n_trials, k, nominal)
    if workers > 1 and len(chunks) > 1 and n_trials >= min_parallel_trials:
        # fewer, larger chunks: each returns up to k tail rows, so this bounds what is sent back
        per_task = min(max(per_chunk, -(-len(sizes) // (2 * workers))), PARALLEL_CHUNK_BLOCKS)
        tasks = [list(enumerate(sizes))[i:i + per_task] for i in range(0, len(sizes), per_task)]
        _run_parallel(model, seed, tasks, x, forced, k, workers, progress, should_cancel, n_trials, col, nominal)
    else:
        done = 0
        kept = draws.blocks(model, seed, REPORT_STREAM, n_trials) if draws is not None else None
        for ch in chunks:
            col.add(_run_chunk(model, seed, ch, x, forced, k, should_cancel, threshold=col.tail.threshold,
                               nominal=nominal, draws=kept))
            done += sum(m for _, m in ch)
            progress(0.95 * done / n_trials, f"Simulated {done:,} of {n_trials:,} trials")
    check_cancel(should_cancel)
    out = _measures(model, x, seed, n_trials, k, col, time.perf_counter() - t0)
    progress(1.0, "Simulation done")
    return out


def _run_parallel(model: RiskModel, seed: int, chunks: list[list[tuple[int, int]]], x: np.ndarray,
                  forced: np.ndarray | None, k: int, workers: int, progress: ProgressFn,
                  should_cancel: CancelFn | None, n_trials: int, col: _Collected, nominal: bool = False) -> None:
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_run_chunk, model, seed, ch, x, forced, k, nominal=nominal): i
                   for i, ch in enumerate(chunks)}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for f in finished:
                    r = f.result()
                    col.add(r)   # in any order: every result lands at its own trials
                    done += len(r.pnl)
                    progress(0.95 * done / n_trials, f"Simulated {done:,} of {n_trials:,} trials")
                check_cancel(should_cancel)
        except Cancelled:
            for f in pending:
                f.cancel()
            raise


class _Collected:
    """Per-trial outputs of every chunk, each written at its own trial indices, and the tail."""

    def __init__(self, model: RiskModel, n: int, k: int, nominal: bool = False):
        self.pnl = np.empty(n)
        self.net_cash = np.empty(n if nominal else 0)
        self.irr = np.empty(n if nominal else 0)
        self.occurred = np.empty((len(model.events), n), dtype=bool)
        self.payout = np.empty(n)
        self.payout_pv = np.empty(n)
        self._values: dict[int, np.ndarray] = {}
        self._sums: dict[int, np.ndarray] = {}
        self.tail = _Tail(k, model.n)

    def add(self, r: _Chunk) -> None:
        sl = slice(r.first, r.first + len(r.pnl))
        self.pnl[sl] = r.pnl
        self.occurred[:, sl] = r.occurred
        self.payout[sl] = r.payout
        self.payout_pv[sl] = r.payout_pv
        if len(self.irr):
            self.net_cash[sl] = r.net_cash
            self.irr[sl] = r.irr
        self._values[r.first] = r.value
        self._sums[r.first] = r.block_sums
        self.tail.add(r.tail_pnl, r.tail_idx, r.tail_rows)

    @property
    def value(self) -> np.ndarray:
        return np.concatenate([self._values[f] for f in sorted(self._values)], axis=1)

    @property
    def block_sums(self) -> np.ndarray:
        return np.concatenate([self._sums[f] for f in sorted(self._sums)], axis=0)


def _measures(model: RiskModel, x: np.ndarray, seed: int, n: int, k: int, col: _Collected,
              seconds: float) -> RiskResult:
    pnl = col.pnl
    tail_rows = col.tail.canonical_rows()
    srt = np.sort(pnl)
    c = model.confidence
    contrib_p = ms.euler_contributions(tail_rows) + 0.0   # no "-0.0" for unfunded projects
    instruments = tuple(("Equity", "Loan", "Guarantee")[i] for i in model.instrument)
    sectors = tuple(model.sectors[i] for i in model.project_sector)
    contributions = {
        "project": {pid: float(v) for pid, v in zip(model.ids, contrib_p)},
        "sector": ms.group_sum(contrib_p, sectors),
        "instrument": ms.group_sum(contrib_p, instruments),
        "financier": ms.group_sum(contrib_p, tuple(f or "(none)" for f in model.financier)),
    }
    mean = float(pnl.mean())
    mc = MonteCarloError(
        expected_pnl_se=ms.standard_error_of_mean(pnl),
        var_ci=ms.var_confidence_interval(srt, c), cvar_ci=ms.cvar_confidence_interval(srt, c),
        cvar_se=ms.cvar_standard_error(srt, c),
    )
    occurred = col.occurred
    events = []
    for e, name in enumerate(model.events):
        hit = occurred[e]
        nw = int(hit.sum())
        events.append(EventAttribution(
            event=name, probability=nw / n, trials_with=nw,
            expected_pnl_with=float(pnl[hit].mean()) if nw else float("nan"),
            expected_pnl_without=float(pnl[~hit].mean()) if nw < n else float("nan"),
        ))
    value = col.value
    years = np.arange(model.horizon)
    invested = np.array([float(x[(model.instrument != GUARANTEE) & (model.start <= t)].sum()) for t in years])
    fan = FanChart(
        years=tuple(model.start_year + int(t) for t in years), percentiles=FAN_PERCENTILES,
        values=np.percentile(value, FAN_PERCENTILES, axis=1, method="inverted_cdf"),
        mean=value.mean(axis=1), invested=invested,
    )
    del value
    payout, payout_pv = col.payout, col.payout_pv
    pq = np.percentile(payout, PAYOUT_PERCENTILES, method="inverted_cdf")
    p_edges, p_counts = ms.histogram(payout, bins=100)
    guarantees = GuaranteeExposure(
        face=float(x[model.instrument == GUARANTEE].sum()), expected_payout=float(payout.mean()),
        expected_payout_pv=float(payout_pv.mean()), probability_of_payout=float(np.mean(payout > 0)),
        percentiles={int(q * 10) if q % 1 else int(q): float(v) for q, v in zip(PAYOUT_PERCENTILES, pq)},
        max_payout=float(payout.max()), edges=p_edges, counts=p_counts,
    )
    expected_by_project = _expected_by_project(model, col.block_sums, n)
    edges, counts = ms.histogram(pnl)
    nominal = _nominal(model, x, col) if len(col.irr) else None
    notes = []
    if model.corr_repaired:
        notes.append("The correlation matrix was repaired to the nearest valid one.")
    return RiskResult(
        trials=n, seed=seed, confidence=c, tail_trials=k,
        amounts={pid: float(v) for pid, v in zip(model.ids, x)},
        expected_pnl=mean, std=float(np.std(pnl, ddof=1)) if n > 1 else 0.0,
        var=float(-srt[k - 1]) + 0.0, cvar=float(-srt[:k].mean()) + 0.0, prob_loss=ms.probability_of_loss(pnl),
        percentiles=ms.percentiles(pnl), histogram_edges=edges, histogram_counts=counts,
        quantiles=np.quantile(srt, np.linspace(0, 1, 1001), method="inverted_cdf"),
        fan=fan, contributions=contributions, expected_by_project=expected_by_project,
        events=tuple(events), guarantees=guarantees, mc_error=mc, seconds=seconds, notes=tuple(notes),
        discount_rate=float(model.discount_rate), nominal=nominal,
    )


def _nominal(model: RiskModel, x: np.ndarray, col: _Collected) -> NominalView:
    """The undiscounted view from each trial's net cash and IRR."""
    invested = float(x[model.instrument != GUARANTEE].sum())
    net = col.net_cash
    irr = col.irr[np.isfinite(col.irr)]
    if invested > 0 and len(irr):
        q = np.percentile(irr, IRR_PERCENTILES, method="inverted_cdf")
        irr_pct = {int(p): float(v) for p, v in zip(IRR_PERCENTILES, q)}
    else:
        irr_pct = {int(p): float("nan") for p in IRR_PERCENTILES}
    returned = invested + float(net.mean())
    return NominalView(
        cash_invested=invested, expected_cash_returned=returned,
        cash_multiple=returned / invested if invested > 0 else float("nan"),
        prob_cash_loss=float(np.mean(net < 0.0)) if invested > 0 else float("nan"),
        irr_percentiles=irr_pct, irr_defined=len(irr) / len(net) if len(net) else 0.0,
    )


def _expected_by_project(model: RiskModel, block_sums: np.ndarray, n: int) -> dict[str, float]:
    """Mean P&L of each project (block sums added in block order: independent of chunking)."""
    sums = block_sums.sum(axis=0)
    return {pid: float(v) for pid, v in zip(model.ids, sums / n)}


__all__ = ["FIT_TRIALS", "UnitSample", "amounts_vector", "fit_sample", "simulate"]
