"""The continuous min-CVaR programme solved through its dual, by column generation.

Primal (shares ``w``; ``p_t`` trial ``t``'s P&L per unit; ``M`` the limit rows)::

    min  alpha + 1/k sum_t u_t
    s.t. u_t + alpha + p_t . w >= 0,  u_t >= 0         (one row per trial)
         lo <= M w <= hi,  0 <= w <= ub

Dual (``q_t`` a trial's weight in the tail; ``lam``/``mu`` the limit rows' multipliers;
``nu`` the requests')::

    max  lam . lo - mu . hi - nu . ub
    s.t. sum_t q_t p_t + M'(lam - mu) - nu <= 0         (one row per project)
         sum_t q_t = 1,  0 <= q_t <= 1/k

The dual has one row per project instead of one per trial, so the simplex basis is
small (about n + 1 instead of thousands). Column generation on the dual is row
generation on the primal: solve with a subset of trials, price every trial (a trial
whose loss exceeds ``alpha`` at the current ``w`` has a negative reduced cost), add those,
re-solve with the primal simplex warm-started, and stop when none prices out. The final
programme is optimal for the full one; ``w`` and ``alpha`` are the duals of its rows, and
the primal's duals (the shadow prices) are its column values.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from highspy import _core

from workbench.allocation.problem import Problem
from workbench.allocation.solver import INF, Solution, new_highs, run
from workbench.progress import CancelFn, check_cancel


class DualCG:
    def __init__(self, prob: Problem, pnl: np.ndarray, k: int, lb: np.ndarray | None = None,
                 ub: np.ndarray | None = None):
        """``lb``/``ub``: column bounds of ``w`` (shares; default 0 and the requests), e.g. a
        branch-and-bound node's funded (``lb`` = ticket) and unfunded (``ub`` = 0) projects."""
        self.prob, self.pnl, self.k = prob, pnl, k
        n, S = prob.n, prob.S
        M = sp.csc_matrix(prob.matrix())
        lo, hi = prob.bounds()
        lo, hi = lo / S, hi / S
        ub = prob.request / S if ub is None else np.asarray(ub, float)
        lb = np.zeros(n) if lb is None else np.asarray(lb, float)
        self.lam = np.flatnonzero(np.isfinite(lo))
        self.mu = np.flatnonzero(np.isfinite(hi))
        self.kap = np.flatnonzero(lb > 0)
        # Columns: lam (finite row lower bounds), mu (finite row upper bounds), nu (one per project:
        # w <= ub), kappa (w >= lb, where lb > 0).
        kap = sp.csc_matrix((np.ones(len(self.kap)), (self.kap, np.arange(len(self.kap)))), shape=(n, len(self.kap)))
        blocks = [M[self.lam].T, -M[self.mu].T, -sp.eye(n, format="csc"), kap]
        width = len(self.lam) + len(self.mu) + n + len(self.kap)
        A = sp.vstack([sp.hstack(blocks, format="csc"), sp.csc_matrix((1, width))], format="csc")
        cost = np.r_[-lo[self.lam], hi[self.mu], ub, -lb[self.kap]]    # minimise minus the dual objective
        lp = _core.HighsLp()
        lp.num_col_ = A.shape[1]
        lp.num_row_ = n + 1
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(A.shape[1])
        lp.col_upper_ = np.full(A.shape[1], INF)
        lp.row_lower_ = np.r_[np.full(n, -INF), 1.0]
        lp.row_upper_ = np.r_[np.zeros(n), 1.0]
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = A.shape[1]
        lp.a_matrix_.num_row_ = n + 1
        A.sort_indices()
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        self.h = new_highs()
        self.h.setOptionValue("presolve", "off")
        self.h.passModel(lp)
        self.first_q = A.shape[1]
        self.active = np.zeros(pnl.shape[0], dtype=bool)
        self.order: list[np.ndarray] = []

    def add(self, trials: np.ndarray) -> None:
        trials = trials[~self.active[trials]]
        m = len(trials)
        if m == 0:
            return
        n = self.prob.n
        idx = np.tile(np.arange(n + 1, dtype=np.int32), m)
        vals = np.empty((m, n + 1))
        vals[:, :n] = self.pnl[trials]
        vals[:, n] = 1.0
        starts = np.arange(m, dtype=np.int32) * (n + 1)
        self.h.addCols(m, np.zeros(m), np.zeros(m), np.full(m, 1.0 / self.k), m * (n + 1), starts, idx,
                       vals.ravel())
        self.active[trials] = True
        self.order.append(trials)

    def solve(self, time_limit: float) -> tuple[str, np.ndarray | None, float, Solution | None]:
        """(status, primal w and alpha, primal objective, raw dual-LP solution)."""
        self.h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        sol = run(self.h, mip=False)
        if sol.status in ("infeasible", "unbounded"):     # the dual unbounded: the limits cannot all hold
            return "infeasible", None, np.nan, sol
        if not sol.has_solution or sol.row_dual is None:
            return sol.status, None, np.nan, sol
        x = -sol.row_dual                                 # w (n) then alpha
        return sol.status, x, -sol.objective, sol

    def violated(self, x: np.ndarray, batch: int) -> np.ndarray:
        n = self.prob.n
        excess = -(self.pnl @ x[:n]) - x[n]
        excess[self.active] = -np.inf
        cand = np.flatnonzero(excess > 1e-9)
        if len(cand) > batch:
            cand = cand[np.argpartition(-excess[cand], batch - 1)[:batch]]
        return cand

    def primal_duals(self, sol: Solution) -> tuple[np.ndarray, np.ndarray]:
        """The primal's row duals (limit rows) and column duals (w), as HiGHS would report them."""
        v = sol.x
        nr = len(self.prob.row_limits)
        row = np.zeros(nr)
        row[self.lam] += v[: len(self.lam)]
        row[self.mu] -= v[len(self.lam): len(self.lam) + len(self.mu)]
        start = len(self.lam) + len(self.mu)
        nu = v[start: start + self.prob.n]
        col = -nu
        col[self.kap] += v[start + self.prob.n: self.first_q]
        return row, col


def solve_dual(prob: Problem, pnl: np.ndarray, k: int, initial: np.ndarray, *, time_limit: float,
               should_cancel: CancelFn | None, t0: float, lb: np.ndarray | None = None, ub: np.ndarray | None = None,
               with_active: bool = False):
    """Column generation to optimality: (status, [w, alpha], objective, row duals, col duals, trials used, rounds)
    (and the trials used, when ``with_active``)."""
    cg = DualCG(prob, pnl, k, lb, ub)
    cg.add(initial)
    rounds = 0
    while True:
        check_cancel(should_cancel)
        rounds += 1
        status, x, obj, sol = cg.solve(time_limit - (time.perf_counter() - t0))
        if status == "infeasible" or x is None:
            out = (status, None, obj, None, None, int(cg.active.sum()), rounds)
            return (*out, np.flatnonzero(cg.active)) if with_active else out
        new = cg.violated(x, max(cg.k, 200))
        if len(new) == 0 or status == "time limit":
            row, col = cg.primal_duals(sol)
            out = (status, x, obj, row, col, int(cg.active.sum()), rounds)
            return (*out, np.flatnonzero(cg.active)) if with_active else out
        cg.add(new)
