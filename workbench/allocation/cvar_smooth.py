"""A close guess of the min-CVaR optimum on the whole sample, for :mod:`cvar_dual` to polish and
prove: Newton's method on a smoothed CVaR, each step a convex quadratic programme under every limit.

**Smoothing.** The programme minimises ``F(w) = min_alpha alpha + 1/k sum_t (x_t)_+`` with
``x_t = loss_t(w) - alpha``: piecewise linear, with a kink for every trial. Replacing ``(x)_+`` by

    h(x) = 0 (x <= 0),   x^2 / (2 mu) (0 < x < mu),   x - mu/2 (x >= mu)

gives ``F_mu``: convex, continuously differentiable and piecewise quadratic, within ``mu/2`` of
``F`` (``0 <= (x)_+ - h(x) <= mu/2``, and the tail weights ``h'`` sum to ``k``). With ``alpha`` at
its optimum (``sum_t clip(x_t / mu, 0, 1) = k``) and ``p_t`` trial ``t``'s P&L per unit:

    grad F_mu = -1/k sum_t clip(x_t / mu, 0, 1) p_t
    hess F_mu = 1/(k mu) (P_B' P_B - P_B'1 1'P_B / |B|),    B = {t: 0 < x_t < mu}

the Hessian being the scatter of the trials within ``mu`` above the value at risk.

**Newton.** Each step minimises the quadratic model ``g.(v - w) + 1/2 (v - w)'H(v - w)`` over
every limit and bound (one HiGHS quadratic programme), then backtracks along ``v - w`` until
``F_mu`` falls enough (Armijo). ``mu`` starts at twice CVaR minus VaR at the first point (so the
smoothing covers a few thousand trials near the value at risk) and is divided by three twice;
each ``mu`` takes a few steps (Newton converges fast on a piecewise quadratic).

**Why.** The exact programme, polished from this point with a band of a few hundred single
trials (:func:`cvar_dual.solve_guessed`), needs one or two rounds. Measured on 50,000 trials x
500 projects (one thread): the guess 2.0 s of CPU, ``|w - w*|_1 = 0.02`` of the programme, the
polish 0.5 s; sub-sample levels (the earlier guess, 50,000 -> 10,000 -> 2,000 -> 400 trials)
took 3.1 s for a guess at ``|w - w*|_1 = 0.19`` and 4.2 s to polish it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from workbench.allocation.problem import Problem
from workbench.allocation.solver import Model, solve
from workbench.progress import CancelFn, check_cancel

Vector: TypeAlias = npt.NDArray[np.float64]

#: ``mu`` of the first stage, as a multiple of CVaR minus VaR at the first point; each later
#: stage divides it by ``MU_SHRINK``.
MU_FIRST = 2.0
MU_SHRINK = 3.0
STAGES = 3
#: Newton steps at most per stage, and the step (L1, shares of the programme) that ends a stage.
STEPS = 8
STEP_TOL = 2e-3
#: Armijo's sufficient decrease, and the shortest step tried before the stage ends.
ARMIJO = 1e-4
MIN_STEP = 1.0 / 64


@dataclass
class Trace:
    """What the guess did: one entry per Newton step (``mu``, band size, step length, L1 move)."""

    steps: list[tuple[float, int, float, float]] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""           # why it ended early ("" when it ran every stage)

    def describe(self) -> str:
        """For the allocation's notes."""
        if not self.steps:
            return f"the trials first ranked at the requests' shares ({self.stopped})"
        end = f", stopped early: {self.stopped}" if self.stopped else ""
        return (f"the trials first ranked at the optimum of a smoothed CVaR ({len(self.steps)} Newton steps, "
                f"{self.seconds:.2f} s{end})")


def tail_alpha(loss: Vector, k: int, mu: float) -> float:
    """``alpha`` with ``sum_t clip((loss_t - alpha) / mu, 0, 1) = k`` (``k < len(loss)``)."""
    kth = float(np.partition(loss, len(loss) - k)[len(loss) - k])   # the k-th largest loss
    top = loss[loss > kth - mu]                     # alpha lies in [kth - mu, kth]: only these count
    lo, hi = kth - mu, kth
    for _ in range(60):                             # the count falls as alpha rises: bisection
        a = 0.5 * (lo + hi)
        if float(np.clip((top - a) / mu, 0.0, 1.0).sum()) > k:
            lo = a
        else:
            hi = a
    return 0.5 * (lo + hi)


def smoothed_at(loss: Vector, k: int, mu: float) -> tuple[float, float]:
    """``(F_mu, alpha)`` at the point whose trial losses are ``loss``."""
    alpha = tail_alpha(loss, k, mu)
    x = loss - alpha
    pos = x[x > 0]
    h = np.where(pos < mu, pos * pos / (2 * mu), pos - mu / 2)
    return alpha + float(h.sum()) / k, alpha


def smoothed(pnl: npt.NDArray[np.float64], w: Vector, k: int, mu: float) -> tuple[float, Vector, float]:
    """``(F_mu(w), losses, alpha)``."""
    loss: Vector = -(pnl @ w)
    f, alpha = smoothed_at(loss, k, mu)
    return f, loss, alpha


def guess(prob: Problem, pnl: npt.NDArray[np.float64], k: int, w0: Vector, *, lb: Vector, ub: Vector,
          time_limit: float, should_cancel: CancelFn | None, t0: float) -> tuple[Vector, Trace]:
    """A point near the min-CVaR optimum (shares; every limit and bound holds at it once one Newton
    step was taken), and what it took. ``w0`` need not meet the limits. Returns ``w0`` itself when
    the sample has no spread in its tail or the first quadratic programme fails (the exact
    programme then starts from ``w0``, and reports infeasibility itself)."""
    trace = Trace()
    t_start = time.perf_counter()
    T, n = pnl.shape
    if k >= T or n == 0:
        trace.stopped = "tail is the whole sample"
        return w0, trace
    loss = -(pnl @ w0)
    top = np.partition(loss, T - k)[T - k:]
    spread = float(top.mean() - top.min())            # CVaR minus VaR at w0
    if not spread > 0:
        trace.stopped = "no spread in the tail"
        return w0, trace
    A = sp.csc_matrix(prob.matrix())
    lo, hi = prob.bounds()
    lo, hi = lo / prob.S, hi / prob.S
    w, feasible = w0, False
    mu = MU_FIRST * spread
    for _ in range(STAGES):
        f, alpha = smoothed_at(loss, k, mu)          # ``loss`` is at ``w``: only mu changed
        for _ in range(STEPS):
            check_cancel(should_cancel)
            if time.perf_counter() - t0 >= time_limit:
                trace.stopped = "time limit"
                return w, _done(trace, t_start)
            x = loss - alpha
            tail = np.flatnonzero(x > 0)
            weight = np.minimum(x[tail] / mu, 1.0)
            g: Vector = -(pnl[tail].T @ weight) / k
            band = tail[x[tail] < mu]
            J = np.arange(n) if not feasible else working_set(w, g, lb)
            sol = _newton_step(pnl, band, J, w, g, k, mu, A, lo, hi, lb, ub,
                               max(time_limit - (time.perf_counter() - t0), 0.05))
            if sol is None:
                trace.stopped = "quadratic step failed"
                return w, _done(trace, t_start)
            d = sol - w
            step = 1.0
            if feasible:                              # backtrack; before the first step w may break limits
                slope = float(g @ d)
                while True:
                    fn, ln, an = smoothed(pnl, w + step * d, k, mu)
                    if fn <= f + ARMIJO * step * slope or step <= MIN_STEP:
                        break
                    step /= 2
                if fn > f:                            # no descent even at the shortest step: next mu
                    break
            else:
                fn, ln, an = smoothed(pnl, w + d, k, mu)
                feasible = True
            w, f, loss, alpha = w + step * d, fn, ln, an
            moved = float(np.abs(step * d).sum())
            trace.steps.append((mu, len(band), step, moved))
            if moved <= STEP_TOL:
                break
        mu /= MU_SHRINK
    return w, _done(trace, t_start)


def working_set(w: Vector, g: Vector, lb: Vector) -> npt.NDArray[np.intp]:
    """The projects a Newton step may move: those funded at ``w`` (or with a lower bound), and as
    many again (at least ``EXTRA``) of the unfunded ones whose gradient is lowest (the most
    attractive in the smoothed tail). The rest stay at zero for this step; the next step's set is
    drawn again, and the exact programme prices every project in the end."""
    inside = (w > 1e-9) | (lb > 0)
    out = np.flatnonzero(~inside)
    extra = min(len(out), max(EXTRA, int(inside.sum())))
    if extra < len(out):
        out = out[np.argpartition(g[out], extra - 1)[:extra]]
    return np.sort(np.r_[np.flatnonzero(inside), out])


#: At least this many unfunded projects may enter at each Newton step (:func:`working_set`).
EXTRA = 20


def _newton_step(pnl: npt.NDArray[np.float64], band: npt.NDArray[np.intp], J: npt.NDArray[np.intp], w: Vector,
                 g: Vector, k: int, mu: float, A: sp.csc_matrix, lo: Vector, hi: Vector, lb: Vector, ub: Vector,
                 time_limit: float) -> Vector | None:
    """The minimiser of the quadratic model over every limit and bound, the projects outside ``J``
    held where they are; ``None`` when the quadratic programme fails."""
    n = len(w)
    rest = np.setdiff1d(np.arange(n), J, assume_unique=True)
    AJ = sp.csc_matrix(A[:, J])
    held = A[:, rest] @ w[rest] if len(rest) else np.zeros(A.shape[0])
    H = _hessian(pnl[np.ix_(band, J)], k, mu)
    sol = solve(Model(g[J] - H @ w[J], lb[J], ub[J], AJ, lo - held, hi - held, Q=H), time_limit=time_limit)
    if sol.status != "optimal" or sol.x is None:
        return None
    out = w.copy()
    out[J] = sol.x[: len(J)]
    return out


def _hessian(band: npt.NDArray[np.float64], k: int, mu: float) -> Vector:
    """``1/(k mu)`` times the scatter of the band's P&L about its mean, plus a tiny ridge so the
    quadratic programme is strictly convex when the band has fewer trials than projects."""
    m = band.shape[1]
    if len(band) == 0:
        H: Vector = np.zeros((m, m))
    else:
        c = band.sum(axis=0)
        H = (band.T @ band - np.outer(c, c) / len(band)) / (k * mu)
    ridge = 1e-8 * max(float(np.trace(H)) / max(m, 1), 1e-12)
    H[np.diag_indices(m)] += ridge
    return H


def _done(trace: Trace, t_start: float) -> Trace:
    trace.seconds = time.perf_counter() - t_start
    return trace
