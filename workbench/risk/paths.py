"""One block of Monte Carlo trials: the random draws and the cash flows they imply.

Every block of :data:`BLOCK` trials has its own random stream,
``SeedSequence(seed, spawn_key=(stream, block))``, so a trial's numbers depend only on
the seed, the stream and the trial's index: never on chunk sizes or worker counts. The
arithmetic below is element-wise or reduces along fixed axes of fixed-shape arrays (no
BLAS), so it gives the same bits wherever it runs on one machine.

Arrays are laid out (year, project, trial): trials last, so each operation runs over
long contiguous rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from workbench.risk.model import EQUITY, LOAN, RiskModel

#: Trials per random-stream block. Part of the reproducibility contract: changing it
#: changes every simulated number for a given seed.
BLOCK = 4096

FIT_STREAM, REPORT_STREAM = 0, 1


@dataclass(frozen=True, eq=False)
class BlockPaths:
    """What one block of trials produced (n included projects, m trials, E events, H years)."""

    unit: npt.NDArray[np.float64]      # (n, m): each project's P&L (PV, USD m) per USD m allocated
    occurred: npt.NDArray[np.bool_]    # (E, m): the event started at least once within the horizon
    tau: npt.NDArray[np.int64]         # (n, m): default year offset, H when none (equity: H)
    value: npt.NDArray[np.float64] | None = None   # (H, m): portfolio value at each year-end (needs amounts)
    cash: npt.NDArray[np.float64] | None = None    # (H + 1, m): nominal portfolio cash flows at times 0..H


def generator(seed: int, stream: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream, block))))


def block_sizes(trials: int) -> list[int]:
    """Trials in each block: full blocks, then the remainder."""
    full, rest = divmod(trials, BLOCK)
    return [BLOCK] * full + ([rest] if rest else [])


def normals_per_trial(model: RiskModel) -> int:
    """Standard normals one trial draws (the benchmark's floor counts the same)."""
    return model.horizon * (len(model.sectors) + model.n)


@dataclass(frozen=True, eq=False)
class Draws:
    """The random numbers of one block, in their fixed order (read only once drawn)."""

    z_sec: npt.NDArray[np.float64]          # (H, S, m) sector normals
    z_spec: npt.NDArray[np.float64]         # (H, n, m) project normals, engine order
    u: npt.NDArray[np.float64] | None       # (H, E, m) event uniforms
    w: npt.NDArray[np.float64] | None       # (H, m) chi-square draws of the t copula


def draw_signature(model: RiskModel) -> tuple[int, int, int, int, str, float | None]:
    """Models with equal signatures draw identical random numbers for a block."""
    return (model.horizon, len(model.sectors), model.n, len(model.events), model.copula,
            model.dof if model.copula == "student-t" else None)


def draw_block(model: RiskModel, seed: int, stream: int, block: int, m: int) -> Draws:
    gen = generator(seed, stream, block)
    h, s_count, n, e_count = model.horizon, len(model.sectors), model.n, len(model.events)
    z_sec = gen.standard_normal((h, s_count, m))
    z_spec = gen.standard_normal((h, n, m))
    u = gen.random((h, e_count, m)) if e_count else None
    w = gen.chisquare(model.dof, (h, m)) if model.copula == "student-t" else None
    return Draws(z_sec, z_spec, u, w)


#: What a :class:`DrawCache` keeps at most by default (bytes): the default scenario's fitting sample and
#: reporting simulation (5 and 13 blocks of 4,096 trials) take about 220 MB.
DRAW_CACHE_BYTES = 256 * 2 ** 20


class DrawCache:
    """Blocks of random numbers kept for the next run: a block's numbers depend only on the seed, the stream,
    the block, its size and the model's :func:`draw_signature`, so an edit that changes no count (a return, a
    limit, a probability) draws nothing again, and neither do the stress tests and the tornado after the
    baseline. The arrays are read only. At most ``limit`` bytes: a block that does not fit replaces the
    blocks of other seeds or signatures, else it is drawn and not kept (the first blocks stay, and they are
    the ones every stage reads)."""

    def __init__(self, limit: int = DRAW_CACHE_BYTES):
        self.limit = limit
        self._kept: dict[tuple[object, ...], Draws] = {}
        self._bytes = 0
        self._lock = threading.Lock()   # a superseded run may still be reading while the next one starts

    @staticmethod
    def _size(d: Draws) -> int:
        return sum(a.nbytes for a in (d.z_sec, d.z_spec, d.u, d.w) if a is not None)

    def get(self, model: RiskModel, seed: int, stream: int, block: int, m: int) -> Draws:
        """The numbers of block ``block`` (``m`` trials) of ``stream``, drawn when not kept."""
        sig = (draw_signature(model), seed)
        key = (*sig, stream, block, m)
        with self._lock:
            found = self._kept.get(key)
        if found is not None:
            return found
        d = draw_block(model, seed, stream, block, m)
        size = self._size(d)
        for a in (d.z_sec, d.z_spec, d.u, d.w):
            if a is not None:
                a.flags.writeable = False
        with self._lock:
            if key in self._kept:   # drawn meanwhile by another run: the same numbers
                return self._kept[key]
            if self._bytes + size > self.limit:
                for old in [k for k in self._kept if k[:2] != sig]:
                    self._bytes -= self._size(self._kept.pop(old))
            if self._bytes + size <= self.limit:
                self._kept[key] = d
                self._bytes += size
        return d

    def blocks(self, model: RiskModel, seed: int, stream: int, trials: int) -> Mapping[int, Draws]:
        """Block index -> its numbers, for a run of ``trials`` trials (each drawn when first read)."""
        return _Blocks(self, model, seed, stream, block_sizes(trials))


class _Blocks(Mapping[int, Draws]):
    def __init__(self, cache: DrawCache, model: RiskModel, seed: int, stream: int, sizes: list[int]):
        self.cache, self.model, self.seed, self.stream, self.sizes = cache, model, seed, stream, sizes

    def __getitem__(self, block: int) -> Draws:
        if not 0 <= block < len(self.sizes):
            raise KeyError(block)
        return self.cache.get(self.model, self.seed, self.stream, block, self.sizes[block])

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.sizes)))

    def __len__(self) -> int:
        return len(self.sizes)


def simulate_block(model: RiskModel, seed: int, stream: int, block: int, m: int,
                   amounts: np.ndarray | None = None, forced: np.ndarray | None = None,
                   values: bool = False, draws: Draws | None = None, cash: bool = False,
                   sector: tuple[np.ndarray, np.ndarray] | None = None) -> BlockPaths:
    """Simulate ``m`` trials of block ``block`` of ``stream``.

    ``forced`` (H, E) bool: event e is made to start in year t when not already under way
    (its uniform draw is still consumed, so random numbers stay common). ``values``: also
    the portfolio value path at ``amounts`` (for the fan chart). ``cash``: also the
    portfolio's nominal cash flows at ``amounts`` (for the cash multiple and the IRR).
    ``draws``: the block's random numbers when already drawn (shared by variants of one
    scenario; not modified). ``sector``: the block's sector part and event occurrences
    ``(sec, occurred)`` when already computed for this model's sector volatilities, copula and
    events (:func:`sector_part`; read only), so variants that move only projects' parameters
    skip the sector and event passes.
    """
    own = draws is None          # our own draws may be overwritten; shared ones are read only
    if draws is None:
        draws = draw_block(model, seed, stream, block, m)
    h, n, e_count = model.horizon, model.n, len(model.events)
    z_sec, z_spec, u, w = draws.z_sec, draws.z_spec, draws.u, draws.w

    # Sector part of the annual log return: sigma * e + event shocks (-sigma^2/2 goes in the drift).
    if sector is not None:
        sec, occurred = sector
    else:
        sec = _sector_shocks(model, z_sec, w)
        occurred = np.zeros((e_count, m), dtype=bool)
        if e_count and u is not None:   # the uniforms are drawn whenever there are events
            _add_events(model, sec, u, forced, occurred)

    # C[t, j] = sum over years <= t of (s_p z_p + sector part); the drift
    # ln(1 + mu_p) - sigma_s^2/2 - s_p^2/2 and the start year are applied afterwards, on the
    # default thresholds and on the horizon value only.
    order = model.engine_order
    vol = model.specific[order]
    psec = model.project_sector[order]
    c = z_spec if own else np.empty_like(z_spec)   # becomes the cumulative log returns
    for j in range(n):
        cj = c[:, j]
        np.multiply(z_spec[:, j], vol[j], out=cj)   # in place when own: same arithmetic either way
        cj += sec[:, psec[j]]
    for t in range(1, h):
        np.add(c[t], c[t - 1], out=c[t])
    k0 = model.start[order]
    svol = model.sector_vol[psec]
    drift = np.log1p(model.mu[order]) - 0.5 * vol * vol - 0.5 * svol * svol
    late = np.flatnonzero(k0 > 0)
    base = np.zeros((n, m))          # C just before the start year (0 when starting in year 0)
    for p in late:
        base[p] = c[k0[p] - 1, p]

    disc = model.discount()
    annuity = np.concatenate(([0.0], np.cumsum(disc[1:])))   # A[k] = sum_{t<k} disc[t+1]
    unit = np.empty((n, m))
    tau = np.full((n, m), h, dtype=np.int64)
    n_eq = model.n_equity
    growth = np.zeros((0, m))
    if n_eq:
        logv = c[h - 1, :n_eq] - base[:n_eq] + (drift[:n_eq] * (h - k0[:n_eq]))[:, None]
        growth = np.exp(logv)                                # equity value index at the horizon
        unit[:n_eq] = growth * disc[h] - disc[k0[:n_eq]][:, None]
    if n_eq < n:
        d = slice(n_eq, n)
        tau[d] = _default_year(model, c[:, d], base[d], drift[d], k0[d])
        n_loan = n_eq + model.n_loan
        for sl, is_loan in ((slice(n_eq, n_loan), True), (slice(n_loan, n), False)):
            if sl.start == sl.stop:
                continue
            tau_d = tau[sl]
            hit = tau_d < h
            k0d = k0[sl][:, None]
            cpn = model.coupon[order][sl][:, None]
            rec = model.recovery[order][sl][:, None]
            flows = annuity[tau_d]
            flows -= annuity[k0d]
            flows *= cpn                                     # coupons / fees before default
            disc_end = disc[np.minimum(tau_d + 1, h)]        # the default year-end's factor
            if is_loan:   # recovery at default, else principal at the horizon; minus capital
                flows += np.where(hit, rec * disc_end, disc[h])
                flows -= disc[k0d]
            else:         # the guarantor pays (1 - recovery) at default; no capital goes out
                flows -= np.where(hit, (1.0 - rec) * disc_end, 0.0)
            unit[sl] = flows
    value = None
    if values and amounts is not None:
        value = _values(model, c, base, drift, k0, tau, amounts[order])
    nominal = None
    if cash and amounts is not None:
        nominal = cash_flows(model, k0, tau, growth, amounts[order])
    back = model.engine_inverse
    return BlockPaths(unit=unit[back], occurred=occurred, tau=tau[back], value=value, cash=nominal)


def cash_flows(model: RiskModel, k0: np.ndarray, tau: np.ndarray, growth: np.ndarray,
               amounts: np.ndarray) -> np.ndarray:
    """(H + 1, m): the portfolio's nominal (undiscounted) cash flows at times 0..H (engine order arrays).

    Time ``k`` is the start of year ``k`` (``k = H`` the end of the last year). Equity and
    loans pay their capital out at the start of their Start year; equity returns its value
    at the horizon; a loan pays its coupon at each year-end before default, then its
    recovery at the default year-end or its principal at the horizon; a guarantee puts no
    cash out, earns its fee at each year-end before default and pays ``1 - recovery`` of
    the amount at the default year-end. The same flows, discounted, give the P&L.
    """
    h = model.horizon
    m = tau.shape[1]
    out = np.zeros((h + 1, m))
    inst = model.instrument[model.engine_order]
    cpn = model.coupon[model.engine_order]
    rec = model.recovery[model.engine_order]
    times = np.arange(h + 1)[:, None]
    defaults = np.arange(h + 1)[None, :]                     # default year; h = none
    for j in np.flatnonzero(amounts > 0):
        x, k = float(amounts[j]), int(k0[j])
        if inst[j] == EQUITY:
            out[k] -= x
            out[h] += x * growth[j]
            continue
        # table[time, default year]: flows of one USD m, looked up by each trial's default year
        paid = (times > k) & (times <= defaults)             # coupons / fees at year-ends before default
        table = cpn[j] * paid.astype(float)
        at_default = times == np.minimum(defaults + 1, h)
        hit = defaults < h
        if inst[j] == LOAN:
            table[k] -= 1.0
            table += np.where(at_default & hit, rec[j], 0.0)
            table[h] += np.where(hit[0], 0.0, 1.0)
        else:
            table -= np.where(at_default & hit, 1.0 - rec[j], 0.0)
        out += (table * x)[:, tau[j]]
    return out


def _default_year(model: RiskModel, c: np.ndarray, base: np.ndarray, drift: np.ndarray,
                  k0: np.ndarray) -> np.ndarray:
    """(n_d, m): the first year t >= start with log value index below ln(threshold); H when none.

    Log value index at year-end t is ``C_t - base + drift * (t - k0 + 1)``; it is compared
    with the threshold as ``C_t < ln(D) - drift * (t - k0 + 1) + base``.
    """
    h, n_d, m = c.shape
    ln_d = np.log(model.threshold) if model.threshold > 0 else -np.inf
    years = np.arange(h)[:, None]
    thr = ln_d - drift[None, :] * (years - k0[None, :] + 1)
    thr[years < k0[None, :]] = -np.inf                       # no default before the start year
    with_base = bool(np.any(k0 > 0))
    alive = np.ones((n_d, m), dtype=bool)
    count = np.zeros((n_d, m), dtype=np.int16)
    ok = np.empty((n_d, m), dtype=bool)
    for t in range(h):
        if with_base:
            np.greater_equal(c[t], base + thr[t][:, None], out=ok)
        else:
            np.greater_equal(c[t], thr[t][:, None], out=ok)
        alive &= ok
        np.add(count, alive, out=count, casting="unsafe")
    return count


def _sector_shocks(model: RiskModel, z: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """(H, S, m): ``sigma_s * e_s`` with ``e = chol @ z`` (Gaussian, or t copula with normal margins).

    The drift ``-sigma_s^2 / 2`` is added to each project's drift instead (one number per project).
    """
    s_count = z.shape[1]
    factor = model.chol if w is not None else model.chol * model.sector_vol[:, None]
    e = np.empty_like(z)
    for s in range(s_count):   # explicit, fixed-order sums: no BLAS, identical bits everywhere
        acc = e[:, s]
        np.multiply(z[:, 0], factor[s, 0], out=acc)
        for j in range(1, s_count):
            if factor[s, j] != 0.0:
                acc += z[:, j] * factor[s, j]
    if w is not None:   # Student-t copula: t-distributed dependence, standard normal margins
        nu = model.dof
        t = e / np.sqrt(w / nu)[:, None, :]
        e = special.ndtri(special.stdtr(nu, t))
        e = np.clip(e, -38.0, 38.0)   # stdtr rounds to 1 far in the upper tail
        e *= model.sector_vol[None, :, None]
    return e


def sector_shocks(model: RiskModel, draws: Draws) -> np.ndarray:
    """(H, S, m): the sector part before events, exactly as :func:`simulate_block` computes it."""
    return _sector_shocks(model, draws.z_sec, draws.w)


def event_sums(model: RiskModel, draws: Draws,
               forced: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(H, S, m) shocks of the events under way and (E, m) occurrences, such that ``sector_shocks + sums``
    is bit for bit the sector part :func:`simulate_block` computes (with the ``forced`` starts, if any); None
    when the events are too many to be tabulated (then only :func:`simulate_block` itself gives those bits)."""
    e_count = len(model.events)
    h, s_count, m = draws.z_sec.shape
    occurred = np.zeros((e_count, m), dtype=bool)
    sums = np.zeros((h, s_count, m))
    if e_count > _TABLE_EVENTS:
        return None
    if e_count and draws.u is not None:   # the uniforms are drawn whenever there are events
        _add_events(model, sums, draws.u, forced, occurred)   # 0 + a tabulated sum is that sum exactly
    return sums, occurred


#: Up to this many events, the shocks of each combination of events under way are tabulated.
_TABLE_EVENTS = 10


def _add_events(model: RiskModel, sec: np.ndarray, u: np.ndarray, forced: np.ndarray | None,
                occurred: np.ndarray) -> None:
    """Run the event process year by year and add the shocks of events under way to ``sec``."""
    h = sec.shape[0]
    e_count, m = occurred.shape
    may_start = u < model.event_prob[None, :, None]
    if forced is not None:
        may_start |= forced[:, :, None]
    dur = model.event_duration[:, None].astype(np.int8 if model.event_duration.max() < 127 else np.int64)
    remaining = np.zeros((e_count, m), dtype=dur.dtype)
    shocks = model.event_shock
    table = None
    if e_count <= _TABLE_EVENTS:
        # table[code] = sum of the shocks of the events whose bits are set, added in event order
        table = np.zeros((2 ** e_count, shocks.shape[1]))
        for e in range(e_count):
            half = 2 ** e
            table[half:2 * half] = table[:half] + shocks[e]
        table = np.ascontiguousarray(table.T)
    for t in range(h):
        starts = (remaining == 0) & may_start[t]
        np.copyto(remaining, dur, where=starts, casting="unsafe")
        occurred |= starts
        active = remaining > 0
        remaining -= active
        if table is not None:
            code = np.zeros(m, dtype=np.intp)
            for e in range(e_count):
                code |= active[e].astype(np.intp) << e
            sec[t] += np.take(table, code, axis=1)
        else:
            for e in range(e_count):
                sec[t] += shocks[e][:, None] * active[e][None, :]


def _values(model: RiskModel, c: np.ndarray, base: np.ndarray, drift: np.ndarray, k0: np.ndarray,
            tau: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """(H, m): nominal portfolio value at each year-end (engine order arrays).

    Equity at its value index times the amount; a loan at par until it defaults; plus the
    cash received to date (coupons, fees, recoveries) minus guarantee payouts to date.
    Projects not yet started count nothing. A loan's or guarantee's path depends only on
    its default year, so it is looked up in a small (year x default year) table.
    """
    h, _, m = c.shape
    out = np.zeros((h, m))
    years = np.arange(h)[:, None]
    defaults = np.arange(h + 1)[None, :]                     # default year; h = none
    inst = model.instrument[model.engine_order]
    cpn = model.coupon[model.engine_order]
    rec = model.recovery[model.engine_order]
    for j in np.flatnonzero(amounts > 0):
        x, k = amounts[j], int(k0[j])
        if inst[j] == EQUITY:
            logv = c[k:, j] - base[j]
            logv += (drift[j] * (np.arange(k, h) - k + 1))[:, None]
            out[k:] += np.exp(logv) * x
            continue
        paid = np.clip(np.minimum(years, defaults - 1) - k + 1, 0, None)
        defaulted = years >= defaults
        if inst[j] == LOAN:
            table = cpn[j] * paid + np.where(defaulted, rec[j], np.where(years >= k, 1.0, 0.0))
        else:
            table = cpn[j] * paid - np.where(defaulted, 1.0 - rec[j], 0.0)
        out += (table * x)[:, tau[j]]
    return out
