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

from dataclasses import dataclass

import numpy as np
from scipy import special

from workbench.risk.model import EQUITY, GUARANTEE, LOAN, RiskModel

#: Trials per random-stream block. Part of the reproducibility contract: changing it
#: changes every simulated number for a given seed.
BLOCK = 4096

FIT_STREAM, REPORT_STREAM = 0, 1


@dataclass(frozen=True, eq=False)
class BlockPaths:
    """What one block of trials produced (n included projects, m trials, E events, H years)."""

    unit: np.ndarray        # (n, m): each project's P&L (PV, USD m) per USD m allocated
    occurred: np.ndarray    # (E, m) bool: the event started at least once within the horizon
    tau: np.ndarray         # (n, m) int: default year offset, H when none (equity: H)
    value: np.ndarray | None = None    # (H, m): portfolio value at each year-end (needs amounts)


def generator(seed: int, stream: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream, block))))


def block_sizes(trials: int) -> list[int]:
    """Trials in each block: full blocks, then the remainder."""
    full, rest = divmod(trials, BLOCK)
    return [BLOCK] * full + ([rest] if rest else [])


def normals_per_trial(model: RiskModel) -> int:
    """Standard normals one trial draws (the benchmark's floor counts the same)."""
    return model.horizon * (len(model.sectors) + model.n)


def simulate_block(model: RiskModel, seed: int, stream: int, block: int, m: int,
                   amounts: np.ndarray | None = None, forced: np.ndarray | None = None) -> BlockPaths:
    """Simulate ``m`` trials of block ``block`` of ``stream``.

    ``forced`` (H, E) bool: event e is made to start in year t when not already under way
    (its uniform draw is still consumed, so random numbers stay common).
    """
    gen = generator(seed, stream, block)
    h, s_count, n, e_count = model.horizon, len(model.sectors), model.n, len(model.events)
    z_sec = gen.standard_normal((h, s_count, m))
    z_spec = gen.standard_normal((h, n, m))
    u = gen.random((h, e_count, m)) if e_count else None
    w = gen.chisquare(model.dof, (h, m)) if model.copula == "student-t" else None

    # Sector part of the annual log return: -sigma^2/2 + sigma * e + event shocks.
    sec = _sector_shocks(model, z_sec, w)
    occurred = np.zeros((e_count, m), dtype=bool)
    if e_count:
        _add_events(model, sec, u, forced, occurred)

    # Project annual log returns, zero before the project's start year.
    vol = model.specific
    drift = np.log1p(model.mu) - 0.5 * vol * vol
    r = np.take(sec, model.project_sector, axis=1)
    z_spec *= vol[None, :, None]
    r += z_spec
    r += drift[None, :, None]
    if model.start.any():
        before = np.arange(h)[:, None] < model.start[None, :]
        r[before] = 0.0
    logv = np.cumsum(r, axis=0, out=r)   # log value index at each year-end

    disc = model.discount()
    annuity = np.concatenate(([0.0], np.cumsum(disc[1:])))   # A[k] = sum_{t<k} disc[t+1]
    unit = np.empty((n, m))
    tau = np.full((n, m), h, dtype=np.int64)
    eq = np.flatnonzero(model.instrument == EQUITY)
    debt = np.flatnonzero(model.instrument != EQUITY)
    if eq.size:
        unit[eq] = np.exp(logv[h - 1, eq]) * disc[h] - disc[model.start[eq]][:, None]
    if debt.size:
        ln_d = np.log(model.threshold) if model.threshold > 0 else -np.inf
        below = logv[:, debt] < ln_d
        hit = below.any(axis=0)
        tau_d = np.where(hit, below.argmax(axis=0), h)
        tau[debt] = tau_d
        k0 = model.start[debt][:, None]
        cpn = model.coupon[debt][:, None]
        rec = model.recovery[debt][:, None]
        carry = cpn * (annuity[tau_d] - annuity[k0])        # coupons / fees before default
        disc_end = disc[np.minimum(tau_d + 1, h)]            # the default year-end's factor
        is_loan = (model.instrument[debt] == LOAN)[:, None]
        loan = carry + np.where(hit, rec * disc_end, disc[h]) - disc[k0]
        guar = carry - np.where(hit, (1.0 - rec) * disc_end, 0.0)
        unit[debt] = np.where(is_loan, loan, guar)
    value = None if amounts is None else _values(model, logv, tau, amounts)
    return BlockPaths(unit=unit, occurred=occurred, tau=tau, value=value)


def _sector_shocks(model: RiskModel, z: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """(H, S, m): ``-sigma_s^2/2 + sigma_s * e_s`` with ``e = chol @ z`` (Gaussian or t copula)."""
    s_count = z.shape[1]
    e = np.empty_like(z)
    chol = model.chol
    for s in range(s_count):   # explicit, fixed-order sums: no BLAS, identical bits everywhere
        acc = z[:, 0] * chol[s, 0]
        for j in range(1, s_count):
            if chol[s, j] != 0.0:
                acc += z[:, j] * chol[s, j]
        e[:, s] = acc
    if w is not None:   # Student-t copula: t-distributed dependence, standard normal margins
        nu = model.dof
        t = e / np.sqrt(w / nu)[:, None, :]
        e = special.ndtri(special.stdtr(nu, t))
        e = np.clip(e, -38.0, 38.0)   # stdtr rounds to 1 far in the upper tail
    vol = model.sector_vol[None, :, None]
    e *= vol
    e -= 0.5 * vol * vol
    return e


def _add_events(model: RiskModel, sec: np.ndarray, u: np.ndarray, forced: np.ndarray | None,
                occurred: np.ndarray) -> None:
    """Run the event process year by year and add the shocks of events under way to ``sec``."""
    h = sec.shape[0]
    prob = model.event_prob[:, None]
    dur = model.event_duration[:, None]
    remaining = np.zeros(occurred.shape, dtype=np.int64)
    shocks = model.event_shock
    live = [e for e in range(len(model.events)) if np.any(shocks[e] != 0.0)]
    for t in range(h):
        starts = (remaining == 0) & (u[t] < prob)
        if forced is not None and forced[t].any():
            starts |= (remaining == 0) & forced[t][:, None]
        remaining = np.where(starts, dur, remaining)
        occurred |= starts
        active = remaining > 0
        for e in live:
            sec[t] += shocks[e][:, None] * active[e][None, :]
        remaining -= active


def _values(model: RiskModel, logv: np.ndarray, tau: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """(H, m): nominal portfolio value at each year-end.

    Equity at its value index times the amount; a loan at par until it defaults; plus the
    cash received to date (coupons, fees, recoveries) minus guarantee payouts to date.
    Projects not yet started count nothing.
    """
    h, _, m = logv.shape
    out = np.zeros((h, m))
    years = np.arange(h)[:, None]
    for p in np.flatnonzero(amounts > 0):
        x, k0 = amounts[p], model.start[p]
        started = (years >= k0)
        if model.instrument[p] == EQUITY:
            out += np.where(started, np.exp(logv[:, p]) * x, 0.0)
            continue
        tp = tau[p][None, :]
        paid_years = np.clip(np.minimum(years, tp - 1) - k0 + 1, 0, None)
        defaulted = years >= tp
        cash = model.coupon[p] * x * paid_years
        if model.instrument[p] == LOAN:
            out += cash + np.where(defaulted, model.recovery[p] * x, np.where(started, x, 0.0))
        elif model.instrument[p] == GUARANTEE:
            out += cash - np.where(defaulted, (1.0 - model.recovery[p]) * x, 0.0)
    return out
