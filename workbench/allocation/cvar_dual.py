"""The continuous min-CVaR programme solved exactly through its dual, with the trials
aggregated into groups that are split until the answer is proven optimal.

Primal (shares ``w``; ``p_t`` trial ``t``'s P&L per unit; ``M`` the limit rows)::

    min  alpha + 1/k sum_t u_t
    s.t. u_t + alpha + p_t . w >= 0,  u_t >= 0         (one row per trial)
         lo <= M w <= hi,  lb <= w <= ub

Dual (``q_t`` a trial's weight in the tail; ``lam``/``mu`` the limit rows' multipliers;
``nu``/``kap`` the bounds')::

    max  lam . lo - mu . hi - nu . ub + kap . lb
    s.t. sum_t q_t p_t + M'(lam - mu) - nu + kap <= 0     (one row per project)
         sum_t q_t = 1,  0 <= q_t <= 1/k

The dual has one row per project (the simplex basis is about ``n + 1``), and at the
optimum almost every ``q_t`` sits at a bound: ``1/k`` deep in the tail (loss above
``alpha``), ``0`` outside it. Only the trials whose loss ties ``alpha`` (about as many as
the funded projects) are in between. Solving with one column per trial spends most of its
time pricing thousands of columns that end at a bound.

**Groups.** So the trials are partitioned into groups, and the programme solved has one
column per group ``G``: its mean P&L, weight ``q_G`` in ``[0, |G|/k]`` (each member gets
``q_G/|G|``). Trials near the tail's edge are groups of one; the rest are ranked groups
of growing size (a few dozen columns for tens of thousands of trials). Tying the members'
weights restricts the dual, and any solution of the restricted dual is a feasible point
of the full dual: its optimum ``R`` is a lower bound on the full programme's.

**Projects.** At the optimum most projects are unfunded (143 of 500 on the benchmark), and an
unfunded project's dual row is slack. So the programme starts with the rows of the projects
the guess funds (and those with a lower bound); a project left out has ``w = 0``. After each
solve the rows left out are priced (``P'q + M'y > 0``: the primal would fund it) and added.
The simplex basis, and the cost of every iteration, shrink by the share of unfunded projects.

**Splitting.** Let ``(w, alpha)`` be the grouped optimum (the duals of its rows) and
``e_t = loss_t - alpha`` every trial's excess. Each group with members on both sides of
``alpha`` is split into its members above ``alpha`` and the rest (the part near ``alpha``
becomes groups of one); the old column is fixed at zero and the same HiGHS instance re-solves
from its basis. Groups only ever split and projects are only added, so the loop ends (at
worst with every trial a group of one and every project in: the plain dual).

**Certificate** (:func:`certify`). When no group is mixed and no project prices out, the
answer is checked on the full programme: the grouped dual point, each trial given its group's
weight shared equally and any violated project row repaired by raising its ``nu``, is a
feasible point of the full dual, so its objective is a lower bound; the primal value at ``w``
(the mean of the ``k`` worst losses, on every trial) is an upper bound. Status ``optimal``
only when the two agree within ``CERTIFY_TOL`` (1e-9 of the programme). The shadow prices
are that dual point.

**Start.** The groups come from a guess ``w0``: the trials ranked by loss at ``w0``, a band of
single trials on each side of rank ``k``, then groups of 16, 32, ... outward. With many projects
and trials (:func:`solve_guessed`: 2 million numbers and 20 trials a project) the guess is the
optimum of a smoothed CVaR on every trial (:mod:`cvar_smooth`, Newton steps each a quadratic
programme under every limit), close enough that a band of about twice the funded projects
suffices and one or two rounds prove it. Otherwise (:func:`solve_nested`) the guess is the optimum
of an evenly spaced fifth of the sample, solved the same way, recursively (50,000 -> 10,000 ->
2,000 -> 400 trials), with a band of ``3 n``, and each level starts from the level below's
optimal basis (:meth:`DualCG.warm_start`): same rows, the basic trials kept as groups of one,
every other group at the bound its reduced cost asks for. The start is dual feasible, so the dual
simplex continues instead of starting cold. A branch-and-bound node starts from its parent's
answer.

Measured on 50,000 trials x 500 projects (one thread, CPU): 24 s with every project in and a
band of ``n/2``; 9.8 to 14 s with the projects priced and the band of ``3 n``; 7.6 to 13 s with
the warm-started levels (the last level still 3 rounds and about 3,000 dual simplex pivots);
1.7 s from the smoothed start (the guess 1.2 s, then one round on 604 groups).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from highspy import _core

from workbench.allocation.cvar_smooth import guess as smooth_guess
from workbench.allocation.outcome import SolverFailed
from workbench.allocation.problem import Problem
from workbench.allocation.solver import INF, Solution, new_highs, run
from workbench.progress import CancelFn, check_cancel

#: A trial is on a side of ``alpha`` when its excess is beyond this (loss per unit of the
#: programme; the LP's own feasibility tolerance is 1e-9).
SIDE_TOL = 1e-9

#: A project left out of the programme is added when its dual row is violated by more than this.
PRICE_TOL = 1e-9

#: A group split at ``alpha``: this many members on each side of it alone, then groups of
#: ``SPLIT_FIRST``, doubling (``rank_groups``).
SPLIT_HALF = 8
SPLIT_FIRST = 8
#: The first groups: ``band_width`` trials on each side of rank ``k`` alone, then groups of
#: ``FIRST_GROUP``, doubling.
FIRST_GROUP = 16


@dataclass
class Partition:
    """Each trial's group label (``labels[t]``); labels need not be consecutive."""

    labels: npt.NDArray[np.int64]


def rank_groups(m: int, centre: int, half: int, first: int) -> np.ndarray:
    """Group labels (0, 1, ...) of ``m`` positions ranked worst first: those within ``half`` of
    ``centre`` each alone, then groups of ``first``, ``2 first``, ``4 first``, ... outward on both sides."""
    out = np.empty(m, dtype=np.int64)
    lo, hi = max(0, centre - half), min(m, centre + half)
    out[lo:hi] = np.arange(hi - lo)
    label = hi - lo
    size, end = max(first, 1), lo                      # deeper in the tail: [end - size, end)
    while end > 0:
        start = max(0, end - size)
        out[start:end] = label
        label, end, size = label + 1, start, size * 2
    size, start = max(first, 1), hi                    # outside the tail
    while start < m:
        end = min(m, start + size)
        out[start:end] = label
        label, start, size = label + 1, end, size * 2
    return out


def ranked_labels(loss: np.ndarray, k: int, half: int, first: int) -> np.ndarray:
    """Group labels by rank of ``loss`` around rank ``k`` (``rank_groups``)."""
    order = np.argsort(-loss, kind="stable")            # largest loss first
    labels = np.empty(len(loss), dtype=np.int64)
    labels[order] = rank_groups(len(order), k, half, first)
    return labels


@dataclass
class Warm:
    """A programme solved to optimality on a sub-sample (every ``step``-th trial), to start from."""

    cg: DualCG
    x: npt.NDArray[np.float64]   # its [w, alpha]
    step: int

    def projects(self) -> npt.NDArray[np.intp]:
        """The projects whose rows the next programme needs: those whose row is tight in the
        sub-sample's optimal basis (its slack nonbasic) or whose ``nu`` is basic. A row whose slack
        is basic (the project unfunded) leaves with that basic slack, and the basis stays square."""
        cg = self.cg
        basis = cg.h.getBasis()
        basic = _core.HighsBasisStatus.kBasic
        row, col = list(basis.row_status), list(basis.col_status)
        need = [j for j in cg.rows if row[cg.row_of[j]] != basic or col[cg.nu_col[j]] == basic]
        return np.sort(np.array(need, dtype=np.intp))

    def singles(self) -> npt.NDArray[np.intp]:
        """The trials (of the full sample) that are a group of one whose column is basic in the
        sub-sample's optimal basis: each must be a group of one in the next programme too."""
        cg = self.cg
        g = cg.labels - cg.first_q
        one = np.flatnonzero(np.bincount(g)[g] == 1)
        col = list(cg.h.getBasis().col_status)
        basic = _core.HighsBasisStatus.kBasic
        keep = np.array([col[int(cg.labels[t])] == basic for t in one], dtype=bool)
        trials: npt.NDArray[np.intp] = one[keep] * self.step
        return trials


def alone(labels: npt.NDArray[np.int64], trials: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
    """``labels`` with each of ``trials`` taken out of its group into one of its own."""
    out = labels.copy()
    out[trials] = labels.max() + 1 + np.arange(len(trials))
    return out


class DualCG:
    def __init__(self, prob: Problem, pnl: np.ndarray, k: int, lb: np.ndarray | None = None,
                 ub: np.ndarray | None = None, projects: np.ndarray | None = None):
        """``lb``/``ub``: column bounds of ``w`` (shares; default 0 and the requests), e.g. a
        branch-and-bound node's funded (``lb`` = ticket) and unfunded (``ub`` = 0) projects.
        ``projects``: the projects whose rows start in the programme (default all; those with
        ``lb > 0`` always); the others have ``w = 0`` until :meth:`add_rows` adds them."""
        self.prob, self.pnl, self.k = prob, pnl, k
        n, S = prob.n, prob.S
        self.M = sp.csr_matrix(prob.matrix())
        lo, hi = prob.bounds()
        lo, hi = lo / S, hi / S
        self.ub = prob.request / S if ub is None else np.asarray(ub, float)
        self.lb = np.zeros(n) if lb is None else np.asarray(lb, float)
        keep = np.ones(n, bool) if projects is None else np.zeros(n, bool)
        if projects is not None:
            keep[projects] = True
        keep |= self.lb > 0
        self.rows = np.flatnonzero(keep)                     # projects in the programme
        self.row_of = np.full(n, -1, dtype=np.int64)         # HiGHS row of each project's dual row (-1: left out)
        self.row_of[self.rows] = np.arange(len(self.rows))
        self.sum_row = len(self.rows)                        # the row sum_t q_t = 1
        self.lam = np.flatnonzero(np.isfinite(lo))
        self.mu = np.flatnonzero(np.isfinite(hi))
        self.kap = np.flatnonzero(self.lb > 0)
        J, m = self.rows, len(self.rows)
        # Columns: lam (finite row lower bounds), mu (finite row upper bounds), nu (one per project in
        # the programme: w <= ub), kappa (w >= lb, where lb > 0).
        MJ = sp.csc_matrix(self.M[:, J])
        kap = sp.csc_matrix((np.ones(len(self.kap)), (self.row_of[self.kap], np.arange(len(self.kap)))),
                            shape=(m, len(self.kap)))
        blocks = [MJ[self.lam].T, -MJ[self.mu].T, -sp.eye(m, format="csc"), kap]
        width = len(self.lam) + len(self.mu) + m + len(self.kap)
        A = sp.vstack([sp.hstack(blocks, format="csc"), sp.csc_matrix((1, width))], format="csc")
        cost = np.r_[-lo[self.lam], hi[self.mu], self.ub[J], -self.lb[self.kap]]   # minimise minus the dual objective
        lp = _core.HighsLp()
        lp.num_col_ = A.shape[1]
        lp.num_row_ = m + 1
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(A.shape[1])
        lp.col_upper_ = np.full(A.shape[1], INF)
        lp.row_lower_ = np.r_[np.full(m, -INF), 1.0]
        lp.row_upper_ = np.r_[np.zeros(m), 1.0]
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = A.shape[1]
        lp.a_matrix_.num_row_ = m + 1
        A.sort_indices()
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        self.h = new_highs()
        self.h.setOptionValue("presolve", "off")
        self.h.passModel(lp)
        self.nu_col = np.full(n, -1, dtype=np.int64)            # HiGHS column of each project's nu
        self.nu_col[J] = len(self.lam) + len(self.mu) + np.arange(m)
        self.kap_col = len(self.lam) + len(self.mu) + m + np.arange(len(self.kap))
        self.first_q = A.shape[1]
        self.labels = np.full(pnl.shape[0], -1, dtype=np.int64)   # trial -> HiGHS column of its group
        self.loss: np.ndarray | None = None                         # every trial's loss at the last solution
        self.splits = 0
        self.added = 0
        self.warmed = False                 # started from a sub-sample's basis

    # ------------------------------------------------------------------ the groups
    def start(self, part: Partition) -> None:
        """The first groups (before any solve)."""
        _, inverse = np.unique(part.labels, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.flatnonzero(np.diff(inverse[order])) + 1
        self._add_groups(np.split(order, bounds))

    def _add_groups(self, groups: list[np.ndarray]) -> None:
        m = len(groups)
        if m == 0:
            return
        J = self.rows
        r = len(J)
        hrows = np.r_[self.row_of[J], self.sum_row].astype(np.int32)
        first = self.h.getNumCol()
        sizes = np.array([len(g) for g in groups], dtype=float)
        vals = np.empty((m, r + 1))
        for j, g in enumerate(groups):
            vals[j, :r] = self.pnl[g[0], J] if len(g) == 1 else self.pnl[np.ix_(g, J)].mean(axis=0)
            self.labels[g] = first + j
        vals[:, r] = 1.0
        idx = np.tile(hrows, m)
        starts = np.arange(m, dtype=np.int32) * (r + 1)
        self.h.addCols(m, np.zeros(m), np.zeros(m), sizes / self.k, m * (r + 1), starts, idx, vals.ravel())

    @property
    def columns(self) -> int:
        """Groups in the programme."""
        return len(np.unique(self.labels))

    @property
    def singles(self) -> int:
        """Trials that are a group of their own."""
        counts = np.bincount(self.labels - self.first_q)
        return int(np.sum(counts == 1))

    def partition(self) -> Partition:
        return Partition(self.labels.copy())

    # ------------------------------------------------------------------ solving
    def solve(self, time_limit: float) -> tuple[str, np.ndarray | None, float, Solution | None]:
        """(status, primal w and alpha, restricted objective, raw dual-LP solution)."""
        self.h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        sol = run(self.h, mip=False)
        if sol.status in ("infeasible", "unbounded"):     # the dual unbounded: the limits cannot all hold
            return "infeasible", None, np.nan, sol
        if not sol.has_solution or sol.row_dual is None:
            return sol.status, None, np.nan, sol
        x = np.zeros(self.prob.n + 1)                     # w (n) then alpha
        x[self.rows] = -sol.row_dual[self.row_of[self.rows]]
        x[-1] = -sol.row_dual[self.sum_row]
        return sol.status, x, -sol.objective, sol

    def _sides(self, x: np.ndarray) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.intp],
                                             npt.NDArray[np.bool_]]:
        self.loss = -(self.pnl @ x[: self.prob.n])
        excess = self.loss - x[self.prob.n]
        above, below = excess > SIDE_TOL, excess < -SIDE_TOL
        g = self.labels - self.first_q
        mixed = (np.bincount(g, weights=above) > 0) & (np.bincount(g, weights=below) > 0)
        return excess, above, g, mixed

    def mixed(self, x: np.ndarray) -> int:
        """Trials in groups with members on both sides of ``alpha`` at ``x`` (0: the grouped
        optimum is optimal for the full programme)."""
        _, _, g, mixed = self._sides(x)
        return int(np.sum(mixed[g]))

    def refine(self, x: np.ndarray) -> bool:
        """Split every group with members on both sides of ``alpha`` at ``x``; ``False`` when none has."""
        excess, above, g, mixed = self._sides(x)
        if not np.any(mixed):
            return False
        bad = np.flatnonzero(mixed)
        trials = np.flatnonzero(mixed[g])
        trials = trials[np.argsort(g[trials], kind="stable")]
        cuts = np.flatnonzero(np.diff(g[trials])) + 1
        new: list[np.ndarray] = []
        for members in np.split(trials, cuts):
            members = members[np.argsort(-excess[members], kind="stable")]
            sub = rank_groups(len(members), int(above[members].sum()), SPLIT_HALF, SPLIT_FIRST)
            cut = np.flatnonzero(np.diff(sub)) + 1
            new.extend(np.split(members, cut))
        cols = (bad + self.first_q).astype(np.int32)
        self.h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.zeros(len(cols)))
        first = self.h.getNumCol()
        self._add_groups(new)
        self._upper_where_above(first, [float(excess[part].mean()) > 0 for part in new])
        self.splits += len(bad)
        return True

    def _upper_where_above(self, first: int, above: list[bool]) -> None:
        """New group columns ``first, first + 1, ...`` start at their upper bound where their mean
        excess is positive (HiGHS adds a column at its lower bound). That is the bound their reduced
        cost asks for at the current duals, so the basis stays dual feasible, and the weight of a
        split group stays in its parts: the next solve needs a few pivots, not one per part."""
        if not any(above):
            return
        basis = self.h.getBasis()
        if not basis.valid:
            return
        col = list(basis.col_status)
        upper = _core.HighsBasisStatus.kUpper
        for i, up in enumerate(above):
            if up:
                col[first + i] = upper
        basis.col_status = col
        self.h.setBasis(basis)

    def group_weights(self, sol: Solution) -> np.ndarray:
        """Each trial's weight ``q_t`` in the dual point (its group's weight shared equally)."""
        v = sol.values
        g = self.labels
        counts = np.bincount(g, minlength=len(v))
        weights: npt.NDArray[np.float64] = v[g] / counts[g]
        return weights

    def violated_projects(self, sol: Solution) -> np.ndarray:
        """The projects left out whose dual row the current point violates (the primal would fund them)."""
        out = np.flatnonzero(self.row_of < 0)
        if len(out) == 0:
            return out
        q = self.group_weights(sol)
        tail = np.flatnonzero(q > 0)
        y = self._limit_multipliers(sol)
        viol: npt.NDArray[np.float64] = self.pnl[np.ix_(tail, out)].T @ q[tail] + self.M[:, out].T @ y
        return out[viol > PRICE_TOL]

    def primal_duals(self, sol: Solution) -> tuple[np.ndarray, np.ndarray]:
        """The primal's row duals (limit rows) and column duals (w), as HiGHS would report them."""
        v = sol.values
        row = self._limit_multipliers(sol)
        col = np.zeros(self.prob.n)
        inside = self.nu_col >= 0
        col[inside] = -v[self.nu_col[inside]]
        col[self.kap] += v[self.kap_col]
        return row, col

    def add_all_projects(self) -> None:
        out = np.flatnonzero(self.row_of < 0)
        if len(out):
            self.add_rows(out)

    def _limit_multipliers(self, sol: Solution) -> np.ndarray:
        v = sol.values
        y = np.zeros(self.M.shape[0])
        y[self.lam] += v[: len(self.lam)]
        y[self.mu] -= v[len(self.lam): len(self.lam) + len(self.mu)]
        return y

    def add_rows(self, add: np.ndarray) -> None:
        """Rows for projects ``add`` (coefficients of every existing column) and their ``nu`` columns."""
        ncol = self.h.getNumCol()
        nrow = self.h.getNumRow()
        g = self.labels
        counts = np.bincount(g, minlength=ncol).astype(float)
        live = np.flatnonzero(counts > 0)
        Mc = sp.csc_matrix(self.M[:, add])
        starts, idx, vals = [], [], []
        nnz = 0
        for pos, j in enumerate(add):
            means = np.bincount(g, weights=self.pnl[:, j], minlength=ncol)[live] / counts[live]
            lim = Mc[:, pos].toarray().ravel()
            lam_v, mu_v = lim[self.lam], -lim[self.mu]
            cols = np.r_[np.arange(len(self.lam)), len(self.lam) + np.arange(len(self.mu)), live]
            v = np.r_[lam_v, mu_v, means]
            nz = v != 0
            starts.append(nnz)
            idx.append(cols[nz])
            vals.append(v[nz])
            nnz += int(nz.sum())
        m = len(add)
        self.h.addRows(m, np.full(m, -INF), np.zeros(m), nnz, np.array(starts, np.int32),
                       np.concatenate(idx).astype(np.int32), np.concatenate(vals))
        self.rows = np.r_[self.rows, add]
        self.row_of[add] = np.arange(nrow, nrow + m)
        self.h.addCols(m, self.ub[add], np.zeros(m), np.full(m, INF), m, np.arange(m, dtype=np.int32),
                       np.arange(nrow, nrow + m, dtype=np.int32), np.full(m, -1.0))
        self.nu_col[add] = ncol + np.arange(m)
        self.added += m

    # ------------------------------------------------------------------ warm start
    def warm_start(self, warm: Warm) -> bool:
        """Start from the optimal basis of the same programme on a sub-sample (``warm``), before any solve.

        Both programmes have the same rows (one per project in it, and ``sum q = 1``), the same
        limit and bound columns, and a trial that is a group of one in both has the same column
        (its P&L). So the sub-sample's basis matrix is a basis matrix here: the row duals, i.e.
        ``w`` and ``alpha``, are the sub-sample's optimum. Every other column is a group with
        weight in ``[0, |G|/k]``; it starts at the bound its reduced cost asks for (upper when
        its mean loss at that optimum exceeds ``alpha``), so the start is dual feasible and the
        dual simplex only has to restore ``sum q = 1`` and the basic weights' bounds: a few
        pivots per trial ranked differently by the two samples, instead of a cold solve.
        ``False`` (and nothing set) when the bases cannot be matched."""
        sub = warm.cg
        if np.any(sub.row_of[self.rows] < 0) or not np.array_equal(sub.kap, self.kap):
            return False
        basis = sub.h.getBasis()
        if not basis.valid:
            return False
        scol, srow = list(basis.col_status), list(basis.row_status)
        basic, lower, upper = (_core.HighsBasisStatus.kBasic, _core.HighsBasisStatus.kLower,
                               _core.HighsBasisStatus.kUpper)
        n = self.prob.n
        row: list[_core.HighsBasisStatus] = [lower] * self.h.getNumRow()
        for j in self.rows:
            row[self.row_of[j]] = srow[sub.row_of[j]]
        row[self.sum_row] = srow[sub.sum_row]
        ncol = self.h.getNumCol()
        col: list[_core.HighsBasisStatus] = [lower] * ncol
        for i in range(len(self.lam) + len(self.mu)):
            col[i] = scol[i]
        for j in self.rows:
            col[self.nu_col[j]] = scol[sub.nu_col[j]]
        for c, sc in zip(self.kap_col.tolist(), sub.kap_col.tolist(), strict=True):
            col[c] = scol[sc]
        # groups: by the sign of their mean excess at the sub-sample's optimum
        x = warm.x
        excess = -(self.pnl @ x[:n]) - x[n]
        g = self.labels - self.first_q
        size = np.bincount(g)
        mean = np.bincount(g, weights=excess) / np.maximum(size, 1)
        for c in np.flatnonzero((size > 0) & (mean > 0)).tolist():
            col[self.first_q + c] = upper
        # the sub-sample's group columns: a basic one must be a trial alone in both
        sg = sub.labels - sub.first_q
        ssize = np.bincount(sg, minlength=len(scol) - sub.first_q)
        only = np.full(len(ssize), -1, dtype=np.int64)        # sub column -> its only trial
        one = np.flatnonzero(ssize[sg] == 1)
        only[sg[one]] = one
        sub_nu = set(sub.nu_col[sub.nu_col >= 0].tolist())
        for c in range(sub.first_q, len(scol)):
            if scol[c] != basic or c in sub_nu:
                continue
            s_t = int(only[c - sub.first_q])
            if s_t < 0:
                return False
            here = int(self.labels[s_t * warm.step])
            if size[here - self.first_q] != 1:
                return False
            col[here] = basic
        if sum(st == basic for st in col) + sum(st == basic for st in row) != self.h.getNumRow():
            return False
        new = _core.HighsBasis()
        new.col_status = col
        new.row_status = row
        return bool(self.h.setBasis(new) == _core.HighsStatus.kOk)

@dataclass
class DualResult:
    """What :func:`solve_dual` found.

    ``objective`` is the full programme's value at ``x`` (the mean of the ``k`` worst losses,
    shares of the programme); ``bound`` a lower bound on the full programme's optimum from a
    full dual point (:func:`certify`). Status ``optimal`` only when they agree within
    ``CERTIFY_TOL``.
    """

    status: str
    x: npt.NDArray[np.float64] | None   # [w, alpha] (shares)
    objective: float
    bound: float
    row_dual: npt.NDArray[np.float64] | None
    col_dual: npt.NDArray[np.float64] | None
    columns: int                  # groups in the last programme
    singles: int                  # of which groups of one trial
    rounds: int
    partition: Partition | None
    gap: float = np.nan           # full programme: primal value at x minus the certified lower bound
    projects_added: int = 0       # projects whose rows were added by pricing
    warm_started: bool = False    # started from a sub-sample's optimal basis (:func:`solve_nested`)
    start: str = ""               # how the first groups were chosen, when not from sub-samples (for the notes)

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """``x``, for callers that read it only after the programme was solved."""
        if self.x is None:
            raise SolverFailed(f"The CVaR programme stopped ({self.status}) without an allocation.")
        return self.x


def tail_mean(loss: np.ndarray, k: int) -> float:
    """Mean of the ``k`` largest values."""
    if k >= len(loss):
        return float(loss.mean())
    return float(np.partition(loss, len(loss) - k)[len(loss) - k:].mean())


#: Below this many trials the programme is solved from the guess; else from the optimum (and the
#: optimal basis) of every ``SUBSAMPLE_STEP``-th trial (:func:`solve_nested`). On 50,000 x 500
#: the levels are 10,000, 2,000 and 400 trials: the 2,000-trial level took 3.4 s of CPU from a cold
#: start with every project in, 0.9 s started from the 400-trial level.
SUBSAMPLE_FROM = 1000
SUBSAMPLE_STEP = 5
#: Start each level from the level below's optimal basis. ``False`` (with ``SUBSAMPLE_FROM = 8000``)
#: is the earlier method, each level solved from a cold start: ``benchmarks/allocation.py`` times both.
WARM_START = True


def band_width(n: int, k: int) -> int:
    """Half-width of the band of groups of one: about the ties at the optimum (at most one per
    project and limit, plus one) and the ranking error of a guess."""
    return int(min(k, max(50, 3 * n)))


def guess(prob: Problem, pnl: np.ndarray, k: int, w0: np.ndarray, *, time_limit: float,
          should_cancel: CancelFn | None, t0: float, lb: npt.NDArray[np.float64] | None = None,
          ub: npt.NDArray[np.float64] | None = None) -> np.ndarray:
    """A good ``w`` to rank the trials at: on a large sample, the exact optimum of an evenly
    spaced fifth of it (:func:`solve_nested`); otherwise ``w0``."""
    T = pnl.shape[0]
    if T < SUBSAMPLE_FROM:
        return w0
    sub = pnl[::SUBSAMPLE_STEP]
    ks = max(1, round(k * len(sub) / T))
    res = solve_nested(prob, sub, ks, w0, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb, ub=ub)
    return res.x[: prob.n] if res.x is not None else w0


def solve_nested(prob: Problem, pnl: np.ndarray, k: int, w0: np.ndarray, *, time_limit: float,
                 should_cancel: CancelFn | None, t0: float, lb: npt.NDArray[np.float64] | None = None,
                 ub: npt.NDArray[np.float64] | None = None, max_rounds: int | None = None) -> DualResult:
    """The programme on ``pnl`` to proven optimality, started from the optimum of an evenly spaced
    fifth of the trials (recursively, down to fewer than ``SUBSAMPLE_FROM``): its ``w`` ranks the
    trials, and its optimal basis is the first basis here (:meth:`DualCG.warm_start`), so each
    level continues the previous level's dual simplex instead of solving from a cold start.
    ``max_rounds`` caps the rounds of the last level (status ``round limit`` when it stops it)."""
    return _nested(prob, pnl, k, w0, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb, ub=ub,
                   max_rounds=max_rounds)[0]


def _nested(prob: Problem, pnl: np.ndarray, k: int, w0: np.ndarray, *, time_limit: float,
            should_cancel: CancelFn | None, t0: float, lb: npt.NDArray[np.float64] | None,
            ub: npt.NDArray[np.float64] | None, max_rounds: int | None = None) -> tuple[DualResult, DualCG]:
    def level(pnl: np.ndarray, k: int, start: np.ndarray, warm: Warm | None = None,
              max_rounds: int | None = None) -> tuple[DualResult, DualCG]:
        return _solve(prob, pnl, k, start, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb, ub=ub,
                      max_rounds=max_rounds, warm=warm)

    T = pnl.shape[0]
    if T < SUBSAMPLE_FROM:
        return level(pnl, k, w0, max_rounds=max_rounds)
    sub = pnl[::SUBSAMPLE_STEP]
    ks = max(1, round(k * len(sub) / T))
    inner, icg = _nested(prob, sub, ks, w0, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb, ub=ub)
    if inner.x is None:
        return level(pnl, k, w0, max_rounds=max_rounds)
    warm = Warm(icg, inner.x, SUBSAMPLE_STEP) if WARM_START and inner.status == "optimal" else None
    return level(pnl, k, inner.x[: prob.n], warm, max_rounds)


def solve_dual(prob: Problem, pnl: np.ndarray, k: int, start: np.ndarray, *, time_limit: float,
               should_cancel: CancelFn | None, t0: float, lb: np.ndarray | None = None,
               ub: np.ndarray | None = None, max_rounds: int | None = None) -> DualResult:
    """The full programme to proven optimality from a guess ``start`` of ``w`` (shares): trials
    grouped by rank of loss at the guess, projects the guess funds (and those with ``lb > 0``)
    in the programme; then, warm-started in the same HiGHS instance, mixed groups split and
    violated projects added until neither is left, and the answer checked on the full programme
    (:func:`certify`)."""
    return _solve(prob, pnl, k, start, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb, ub=ub,
                  max_rounds=max_rounds)[0]


def _solve(prob: Problem, pnl: np.ndarray, k: int, start: np.ndarray, *, time_limit: float,
           should_cancel: CancelFn | None, t0: float, lb: np.ndarray | None = None,
           ub: np.ndarray | None = None, max_rounds: int | None = None,
           warm: Warm | None = None, half: int | None = None) -> tuple[DualResult, DualCG]:
    n = prob.n
    start = np.asarray(start, float)
    labels = ranked_labels(-(pnl @ start), k, band_width(n, k) if half is None else half, FIRST_GROUP)
    if warm is not None:
        projects = warm.projects()
        labels = alone(labels, warm.singles())
    else:
        projects = np.flatnonzero(start > 1e-12)
    cg = DualCG(prob, pnl, k, lb, ub, projects=projects if len(projects) else None)
    cg.start(Partition(labels))
    cg.warmed = warm is not None and cg.warm_start(warm)
    rounds = 0
    while True:
        check_cancel(should_cancel)
        rounds += 1
        status, x, _, sol = cg.solve(time_limit - (time.perf_counter() - t0))
        if status == "infeasible" and len(cg.rows) < n:
            cg.add_all_projects()                # the projects left out may be needed for feasibility
            continue
        if status == "infeasible" or x is None or sol is None:   # x is None whenever sol is
            return DualResult(status, None, np.nan, np.nan, None, None, cg.columns, cg.singles, rounds, None,
                              np.nan, 0), cg
        if status != "optimal":
            return _result(cg, status, x, sol, rounds, k), cg
        add = cg.violated_projects(sol)
        if len(add) == 0 and cg.mixed(x) == 0:
            return _result(cg, status, x, sol, rounds, k), cg
        if max_rounds is not None and rounds >= max_rounds:
            return _result(cg, "round limit", x, sol, rounds, k), cg
        if time.perf_counter() - t0 >= time_limit:
            return _result(cg, "time limit", x, sol, rounds, k), cg
        if len(add):
            cg.add_rows(add)
        cg.refine(x)


#: The full programme's duality gap (shares of the programme) below which an answer is optimal.
CERTIFY_TOL = 1e-9


def certify(cg: DualCG, x: np.ndarray, sol: Solution) -> tuple[float, float]:
    """Check ``x`` against the full programme, every trial and project: (primal value, lower bound).

    The primal value is the mean of the ``k`` worst losses at ``w`` (``w`` satisfies the limits: it
    is the grouped programme's primal point). The lower bound is the dual objective of the full
    dual point made from the grouped one: each trial gets its group's weight shared equally
    (``0 <= q_t <= 1/k``, summing to one), the limit and bound multipliers as solved, and any
    violation of a project's dual row (a project left out, or rounding) repaired by raising its
    ``nu`` (which lowers the bound by ``ub`` times the violation). By weak duality the optimum
    lies between the two; equal (within ``CERTIFY_TOL``), ``x`` is proven optimal."""
    prob = cg.prob
    q = cg.group_weights(sol)
    tail = np.flatnonzero(q > 0)
    v = sol.values
    y = cg._limit_multipliers(sol)
    nu = np.zeros(prob.n)
    inside = cg.nu_col >= 0
    nu[inside] = v[cg.nu_col[inside]]
    kap = np.zeros(prob.n)
    kap[cg.kap] = v[cg.kap_col]
    resid = cg.pnl[tail].T @ q[tail] + cg.M.T @ y - nu + kap
    nu = nu + np.maximum(resid, 0.0)
    lo, hi = prob.bounds()
    lo, hi = lo / prob.S, hi / prob.S
    lam, mu = np.maximum(y, 0.0), np.maximum(-y, 0.0)
    lower = float(lam[cg.lam] @ lo[cg.lam] - mu[cg.mu] @ hi[cg.mu] - nu @ cg.ub + kap @ cg.lb)
    lower -= abs(float(q.sum()) - 1.0) * float(np.max(np.abs(x[-1:])))   # sum q = 1 up to rounding
    if cg.loss is None:
        cg.loss = -(cg.pnl @ x[: prob.n])
    return tail_mean(cg.loss, cg.k), lower


def _result(cg: DualCG, status: str, x: np.ndarray, sol: Solution, rounds: int, k: int) -> DualResult:
    row, col = cg.primal_duals(sol)
    value, lower = certify(cg, x, sol)
    gap = max(value - lower, 0.0)
    if status == "optimal" and gap > CERTIFY_TOL * max(1.0, abs(value)):
        status = "not proven"
    return DualResult(status, x, value, lower, row, col, cg.columns, cg.singles, rounds, cg.partition(), gap,
                      cg.added, cg.warmed)


#: The exact programme starts from the smoothed programme's optimum (:func:`solve_guessed`) when the
#: sample has at least ``SMOOTH_SIZE`` numbers (trials x projects) and ``SMOOTH_RATIO`` trials a
#: project; otherwise from sub-sample levels (:func:`solve_nested`), which are as fast or faster
#: there. Measured (CPU, one thread, medians of 2 alternating pairs): at 2 million numbers, from
#: 25 x 80,000 to 200 x 10,000, the smoothed start is 1.1 to 1.6 times faster, at 500 x 50,000 about
#: 5 times; below, the default scenario's frontier (25 projects x 20,000 trials) takes 3.4 s by
#: levels and 3.8 s smoothed, 100 x 1,000 0.10 s against 0.23 s, and the 2,000-project ticket case
#: (5,000 trials) 4.6 s against 14.9 s.
SMOOTH_SIZE = 2_000_000
SMOOTH_RATIO = 20


def polish_band(start: np.ndarray, prob: Problem, k: int) -> int:
    """Half-width of the band of single trials around rank ``k`` when the guess is close
    (:mod:`cvar_smooth`): about twice the ties the optimum can have (one per funded project and
    limit, plus one)."""
    ties = int(np.sum(start > 1e-9)) + prob.matrix().shape[0] + 1
    return int(min(k, max(50, 2 * ties)))


def solve_guessed(prob: Problem, pnl: np.ndarray, k: int, w0: np.ndarray, *, time_limit: float,
                  should_cancel: CancelFn | None, t0: float, lb: npt.NDArray[np.float64] | None = None,
                  ub: npt.NDArray[np.float64] | None = None, smooth: bool | None = None) -> DualResult:
    """The programme on ``pnl`` to proven optimality. On a large sample (``smooth`` None: by
    ``SMOOTH_SIZE`` and ``SMOOTH_RATIO``; True or False to choose) it starts from the optimum of
    the smoothed programme on every trial (:func:`cvar_smooth.guess`): the trials ranked at that
    point, a band of :func:`polish_band` single trials around rank ``k``, then rounds
    (:func:`solve_dual`) until proven. Otherwise from sub-sample levels (:func:`solve_nested`)."""
    T = pnl.shape[0]
    if smooth is None:
        smooth = T * prob.n >= SMOOTH_SIZE and T >= SMOOTH_RATIO * prob.n
    if not smooth:
        return solve_nested(prob, pnl, k, w0, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb,
                            ub=ub)
    lo = np.zeros(prob.n) if lb is None else np.asarray(lb, float)
    hi = prob.request / prob.S if ub is None else np.asarray(ub, float)
    start, trace = smooth_guess(prob, pnl, k, np.asarray(w0, float), lb=lo, ub=hi, time_limit=time_limit,
                                should_cancel=should_cancel, t0=t0)
    res, _ = _solve(prob, pnl, k, start, time_limit=time_limit, should_cancel=should_cancel, t0=t0, lb=lb, ub=ub,
                    half=polish_band(start, prob, k))
    res.start = trace.describe()
    return res
