"""``risk-parity``: deploy as much as the limits allow, as a constrained risk-budgeting
allocation over sectors, solved to a proven optimum.

1. ``T*``: the most the limits (and tickets) let us deploy (a linear or mixed-integer programme).
2. Among allocations of exactly ``T*`` under every limit and ticket, minimise

       R(x) = sd(x) / G(x),   sd(x) = sqrt(x'Cx),   G(x) = (prod_s y_s)^(1/K),

   the P&L standard deviation per USD of the geometric mean of the ``K`` sector amounts
   ``y_s``. This is Spinu's log-barrier form of risk budgeting (``min 1/2 x'Cx - 1/K sum_s
   ln y_s`` over the cone the limits span on the slice ``sum x = T*``, scaled back to ``T*``):
   when no limit binds, its minimiser has exactly equal sector risk contributions
   ``y_s (dV/dy_s)``; limits that bind move the contributions only through their own
   multipliers (Richard and Roncalli's constrained risk budgeting). Within a sector the split
   is the one with the least variance.
3. ``R`` is a ratio of a convex function to a positive concave one, so it is pseudoconvex: with
   the funded set fixed every local minimum is global. A local solve (SLSQP, then Frank-Wolfe
   steps) gives ``x``; a linear programme gives the proof: with ``r = R(x)``, the convex
   ``h = sd - r G`` is at least ``h(x) + grad h(x).(v - x)`` on the whole polytope, whose minimum
   ``m`` over the polytope bounds every allocation: ``R >= r + m / G_max`` with ``G_max = T* / K``
   (arithmetic-geometric means).
4. Minimum tickets: best-first branch and bound over the tickets each node's solution breaks
   (relaxing a ticket to ``0 <= x <= request`` enlarges the polytope, so a node's bound holds for
   its subtree), started by rounding. The gap is ``(R_best - least open bound) / R_best``.
"""

from __future__ import annotations

import heapq
import time
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from highspy import _core
from scipy.optimize import minimize

from workbench.allocation.binding import Objective, bindings
from workbench.allocation.formulation import base
from workbench.allocation.inputs import Inputs
from workbench.allocation.linear import NoAllocation, solve_linear
from workbench.allocation.outcome import Outcome, relative_gap, status_for
from workbench.allocation.problem import TOL, Problem
from workbench.allocation.solver import new_highs
from workbench.progress import CancelFn, check_cancel

Vector: TypeAlias = npt.NDArray[np.float64]
#: A node's answer: ``(R, proven lower bound on R over the node, shares w)``.
NodeAnswer: TypeAlias = tuple[float, float, Vector]

#: The local solve uses SLSQP up to this many free projects (its subproblems are dense), Frank-Wolfe above.
SLSQP_MAX = 400
#: Nodes of the tree over tickets before it stops with its best allocation and gap.
MAX_NODES = 200

OBJECTIVE = Objective("P&L standard deviation per USD of the geometric mean of the sector amounts", "", 1.0,
                      better="min")


def erc_budgets(cov: np.ndarray, iters: int = 500, tol: float = 1e-12) -> np.ndarray:
    """Weights (summing to 1) whose risk contributions ``b_s (cov b)_s`` are all equal."""
    k = cov.shape[0]
    d = np.diag(cov).copy()
    if k == 0:
        return np.zeros(0)
    if np.any(d <= 0):
        return np.full(k, 1.0 / k)
    y = 1.0 / np.sqrt(d)
    y /= y.sum()
    for _ in range(iters):
        old = y.copy()
        for s in range(k):
            other = float(cov[s] @ y - d[s] * y[s])
            y[s] = (-other + np.sqrt(other * other + 4.0 * d[s] / k)) / (2.0 * d[s])
        if np.max(np.abs(y - old)) < tol * max(1.0, np.max(np.abs(y))):
            break
    budgets: Vector = y / y.sum()
    return budgets


def risk_shares(w: np.ndarray, cov: np.ndarray, sector: np.ndarray, k: int) -> np.ndarray:
    """Each sector's share of the portfolio's P&L variance."""
    cw = cov @ w
    v = float(w @ cw)
    rc = np.bincount(sector, weights=w * cw, minlength=k)
    return rc / v if v > 0 else np.full(k, 1.0 / k)


class _Polytope:
    """The allocations of exactly ``T*`` (shares ``w``) under every row limit, with per-node column bounds,
    as one HiGHS model reused for every linear programme (warm-started)."""

    def __init__(self, prob: Problem, tau: float, sector: np.ndarray, k: int):
        n = prob.n
        self.n, self.k = n, k
        A = prob.matrix()
        lo, hi = prob.bounds()
        S = prob.S
        # Rows: the limits, the total, and y_s - t >= 0 (t: the least sector amount, used only to find a start).
        M = sp.vstack([A, sp.csr_matrix(np.ones((1, n))),
                       sp.csr_matrix((np.ones(n), (sector, np.arange(n))), shape=(k, n))]).tocsr()
        tcol = sp.csr_matrix(np.r_[np.zeros(A.shape[0] + 1), -np.ones(k)].reshape(-1, 1))
        full = sp.hstack([M, tcol]).tocsc()
        full.sort_indices()
        self.rows = A
        self.row_lo, self.row_hi = lo / S, hi / S
        self.tau = tau
        lp = _core.HighsLp()
        lp.num_col_ = n + 1
        lp.num_row_ = full.shape[0]
        lp.col_cost_ = np.zeros(n + 1)
        lp.col_lower_ = np.zeros(n + 1)
        lp.col_upper_ = np.r_[prob.request / S, 0.0]
        lp.row_lower_ = np.r_[lo / S, tau * (1 - 1e-10), np.zeros(k)]
        lp.row_upper_ = np.r_[hi / S, tau, np.full(k, np.inf)]
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = n + 1
        lp.a_matrix_.num_row_ = full.shape[0]
        lp.a_matrix_.start_ = full.indptr.astype(np.int32)
        lp.a_matrix_.index_ = full.indices.astype(np.int32)
        lp.a_matrix_.value_ = full.data.astype(float)
        self.h = new_highs()
        self.h.passModel(lp)
        self.idx = np.arange(n + 1, dtype=np.int32)

    def set_bounds(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.h.changeColsBounds(self.n, self.idx[: self.n], lo, hi)

    def _run(self, cost: np.ndarray, t_hi: float) -> np.ndarray | None:
        self.h.changeColsCost(self.n + 1, self.idx, cost)
        self.h.changeColBounds(self.n, 0.0, t_hi)
        self.h.run()
        if self.h.getModelStatus() != _core.HighsModelStatus.kOptimal:
            return None
        return np.array(self.h.getSolution().col_value)

    def most_balanced(self) -> np.ndarray | None:
        """A point of the polytope maximising the least sector amount (``None``: the polytope is empty)."""
        v = self._run(np.r_[np.zeros(self.n), -1.0], np.inf)
        return None if v is None else v

    def minimise(self, cost: np.ndarray) -> np.ndarray | None:
        v = self._run(np.r_[cost, 0.0], 0.0)
        return None if v is None else v[: self.n]


class _Ratio:
    """``f = ln R = 1/2 ln w'Cw - 1/K sum_s ln y_s`` over the sectors that can be funded."""

    def __init__(self, C: np.ndarray, sector: np.ndarray, k: int, active: np.ndarray):
        self.C, self.sector, self.k = C, sector, k
        self.active = active                   # bool per sector: counted in the geometric mean
        self.ka = int(active.sum())
        self.member = active[sector]

    def y(self, w: Vector) -> Vector:
        amounts: Vector = np.bincount(self.sector, weights=w, minlength=self.k)[self.active]
        return amounts

    def value(self, w: Vector) -> float:
        v = float(w @ self.C @ w)
        y = self.y(w)
        if v <= 0 or np.any(y <= 0):
            return np.inf if np.any(y <= 0) else -np.inf
        return 0.5 * float(np.log(v)) - float(np.mean(np.log(y)))

    def grad(self, w: Vector, cw: Vector | None = None) -> Vector:
        cw = self.C @ w if cw is None else cw
        v = float(w @ cw)
        inv = np.zeros(self.k)
        inv[self.active] = 1.0 / np.maximum(self.y(w), 1e-300)
        g: Vector = cw / v - inv[self.sector] / self.ka
        return g

    def ratio(self, w: Vector) -> float:
        f = self.value(w)
        return float(np.exp(f)) if np.isfinite(f) else (0.0 if f < 0 else np.inf)


def _line_min(fn: _Ratio, w: Vector, d: Vector, cw: Vector, cd: Vector) -> float:
    """Minimiser over ``t`` in [0, 1] of ``f(w + t d)`` (unimodal: ``f`` is pseudoconvex), by bisection on f'."""
    a, b_, c = float(w @ cw), float(w @ cd), float(d @ cd)
    y = fn.y(w)
    dy = fn.y(d)

    def slope(t: float) -> float:
        yt = y + t * dy
        if np.any(yt <= 0):
            return np.inf
        return (b_ + t * c) / (a + 2 * t * b_ + t * t * c) - float(np.mean(dy / yt))

    if slope(1.0) <= 0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return lo


def _certify(fn: _Ratio, poly: _Polytope, w: np.ndarray, cw: np.ndarray) -> tuple[float, float, np.ndarray | None]:
    """``(R(w), a proven lower bound on R over the node's polytope, the Frank-Wolfe vertex)``."""
    r = fn.ratio(w)
    g = fn.grad(w, cw)
    v = poly.minimise(g)
    if v is None or not np.isfinite(r):
        return r, -np.inf, None
    sd = float(np.sqrt(max(w @ cw, 0.0)))
    m = sd * float(g @ (v - w))            # h(w) = 0 and grad h = sd * grad f
    g_max = poly.tau / fn.ka
    return r, min(r, r + m / g_max), v


def _local(fn: _Ratio, poly: _Polytope, prob: Problem, lo: np.ndarray, hi: np.ndarray, w0: np.ndarray,
           tol: float, deadline: float) -> tuple[np.ndarray, float, float]:
    """Minimise ``R`` over the node's polytope from the feasible ``w0``: SLSQP (up to ``SLSQP_MAX`` free
    projects), then Frank-Wolfe steps with exact line search until the certificate is within ``tol``."""
    w = w0.copy()
    free = np.flatnonzero(hi - lo > 1e-12)
    if 0 < len(free) <= SLSQP_MAX:
        w = _slsqp(fn, poly, lo, hi, w, free)
    cw = fn.C @ w
    r, lb, v = _certify(fn, poly, w, cw)
    it = 0
    while v is not None and relative_gap(r, lb) > tol and time.perf_counter() < deadline and it < 5000:
        it += 1
        d = v - w
        cd = fn.C @ d
        t = _line_min(fn, w, d, cw, cd)
        if t <= 0:
            break
        w = w + t * d
        cw = cw + t * cd
        if it % 20 == 0:
            cw = fn.C @ w
        r, lb, v = _certify(fn, poly, w, cw)
    return w, r, lb


def _slsqp(fn: _Ratio, poly: _Polytope, lo: Vector, hi: Vector, w0: Vector, free: npt.NDArray[np.intp]) -> Vector:
    """SLSQP over the free projects; kept only if it lowers ``f`` and stays inside the polytope."""
    A = poly.rows[:, free].toarray()
    base_w = w0.copy()
    base_w[free] = 0.0
    fixed_act = poly.rows @ base_w
    # Rows with no free member, or a constant multiple of the total on the free projects, are fixed by the
    # total: leave them out (SLSQP's subproblem stalls on such degenerate rows).
    nz = np.abs(A).sum(axis=1) > 0
    par = nz & np.all(np.abs(A - A.max(axis=1, keepdims=True)) <= 1e-12, axis=1)
    keep = nz & ~par
    fin_lo, fin_hi = np.isfinite(poly.row_lo) & keep, np.isfinite(poly.row_hi) & keep
    G = np.vstack([A[fin_lo], -A[fin_hi]])
    hvec = np.r_[poly.row_lo[fin_lo] - fixed_act[fin_lo], -(poly.row_hi[fin_hi] - fixed_act[fin_hi])]
    rest = poly.tau - float(base_w.sum())

    def f(v: Vector) -> tuple[float, Vector]:
        w = base_w.copy()
        w[free] = v
        val = fn.value(w)
        if not np.isfinite(val):
            return 1e6, np.zeros(len(free))
        return val, fn.grad(w)[free]

    # scipy's constraint dictionaries: "type" a string, "fun" and "jac" callables
    cons: list[dict[str, Any]] = [{"type": "eq", "fun": lambda v: np.array([v.sum() - rest]),
                                   "jac": lambda v: np.ones((1, len(v)))}]
    if len(G):
        cons.append({"type": "ineq", "fun": lambda v: G @ v - hvec, "jac": lambda v: G})
    start = w0[free]
    try:
        res = minimize(f, start, jac=True, method="SLSQP", bounds=list(zip(lo[free], hi[free], strict=True)),
                       constraints=cons, options={"maxiter": 300, "ftol": 1e-14})
    except (ValueError, np.linalg.LinAlgError):
        return w0
    if not np.all(np.isfinite(res.x)):
        return w0
    w = base_w.copy()
    w[free] = np.clip(res.x, lo[free], hi[free])
    act = poly.rows @ w
    ok = (np.all(act >= poly.row_lo - 1e-9) and np.all(act <= poly.row_hi + 1e-9)
          and abs(w.sum() - poly.tau) <= 1e-9 * max(1.0, poly.tau))
    return w if ok and fn.value(w) <= fn.value(w0) else w0


def _broken(prob: Problem, w: np.ndarray, state: np.ndarray, ticketed: np.ndarray) -> np.ndarray:
    """Positions in ``ticketed`` of free projects funded strictly between 0 and their ticket."""
    tol = TOL
    t = prob.ticket[ticketed] / prob.S
    ws = w[ticketed]
    return np.flatnonzero(np.isnan(state) & (ws > tol) & (ws < t - tol))


def risk_parity(prob: Problem, data: Inputs, *, time_limit: float, mip_rel_gap: float,
                should_cancel: CancelFn | None = None) -> Outcome:
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    n, S = prob.n, prob.S
    if n == 0:
        return Outcome(np.zeros(0), "optimal", 0.0, 0.0)
    names = list(dict.fromkeys(str(s) for s in prob.group("Sector")))
    sector = np.array([names.index(str(s)) for s in prob.group("Sector")])
    k = len(names)
    C = np.asarray(data.cov, float)
    # 1. The most the limits let us deploy.
    most, _ = solve_linear(prob, -np.ones(n), Objective("total", "USD m", -S), time_limit=time_limit,
                           mip_rel_gap=mip_rel_gap)
    total = float(most.x.sum())
    notes: list[str] = []
    if most.status != "optimal":
        notes.append(f"The most the limits let us deploy was not proven ({most.status}); the allocation holds "
                     f"the total at the best found, USD {total:,.0f} m.")
    tau = total / S
    plain = bindings(prob, base(prob, np.zeros(n)), most.x, None, None, OBJECTIVE, with_prices=False)
    if tau <= TOL:
        return Outcome(most.x, most.status, most.gap, 0.0, plain,
                       ("The limits let nothing be deployed, so nothing is allocated.",))
    poly = _Polytope(prob, tau, sector, k)
    ticketed = np.flatnonzero(prob.ticket > 0)
    req_w = prob.request / S
    tick_w = prob.ticket[ticketed] / S

    def bounds_of(state: Vector) -> tuple[Vector, Vector]:
        lo, hi = np.zeros(n), req_w.copy()
        lo[ticketed[state == 1.0]] = tick_w[state == 1.0]
        hi[ticketed[state == 0.0]] = 0.0
        return lo, hi

    # Sectors that can be funded at all on the slice (the relaxation): they count in the geometric mean.
    root_state = np.full(len(ticketed), np.nan)
    poly.set_bounds(*bounds_of(root_state))
    active = np.zeros(k, bool)
    for s in range(k):
        v = poly.minimise(-(sector == s).astype(float))
        active[s] = v is not None and float(v[sector == s].sum()) > TOL
    if not active.any():
        raise NoAllocation
    fn = _Ratio(C, sector, k, active)
    if float(most.x @ C @ most.x) <= 0:
        return Outcome(most.x, "optimal", 0.0, 0.0, plain,
                       ("The covariance of these projects' P&L is zero: every allocation has zero risk.",))
    skipped = [nm for nm, a in zip(names, active, strict=True) if not a]
    if skipped:
        notes.append("No amount can go to " + ", ".join(skipped) + " under these limits; risk parity is over the "
                     "other sectors.")
    node_tol = mip_rel_gap / 4

    def solve(state: Vector) -> NodeAnswer | None:
        """``(R, proven bound, w)`` of a node, or ``None`` when no allocation funds every counted sector."""
        lo, hi = bounds_of(state)
        poly.set_bounds(lo, hi)
        start = poly.most_balanced()
        if start is None or float(start[n]) <= TOL * 1e-3:
            return None
        w, r, lb = _local(fn, poly, prob, lo, hi, np.clip(start[:n], lo, hi), node_tol, deadline)
        return r, lb, w

    nodes = 0
    best_r: float = np.inf
    best_w: Vector | None = None
    root = solve(root_state)
    if root is None:
        raise NoAllocation
    heap: list[tuple[float, int, Vector, NodeAnswer]] = [(root[1], 0, root_state, root)]
    counter = 1

    leaf_bounds: list[float] = []    # proven bounds of nodes closed because their allocation keeps every ticket

    def consider(state: Vector, sol: NodeAnswer) -> bool:
        nonlocal best_r, best_w
        if len(_broken(prob, sol[2], state, ticketed)) == 0:
            leaf_bounds.append(sol[1])
            if sol[0] < best_r:
                best_r, best_w = sol[0], sol[2]
            return True
        return False

    consider(root_state, root)
    # Frozen rounding: every ticketed project keeps its side of the root's allocation (funded at least its
    # ticket, unfunded at zero; a broken one the nearer side), so one solve keeps every ticket. With
    # thousands of projects the rounding below keeps breaking new tickets (2,000 projects: no allocation
    # within 92 nodes); this one, on the benchmark, lands within 1e-4 of the root's bound.
    if best_w is None and len(ticketed):
        ws = root[2][ticketed]
        frozen = np.where(ws >= 0.5 * tick_w, 1.0, 0.0)
        frozen[ws <= TOL] = 0.0
        sol = solve(frozen)
        nodes += 1
        if sol is not None and len(_broken(prob, sol[2], frozen, ticketed)) == 0:
            best_r, best_w = sol[0], sol[2]
    # Rounding: broken tickets funded when at least half reached, else not; repeat on what breaks next.
    if best_w is None and len(ticketed):
        state, sol = root_state.copy(), root
        for _ in range(4):
            bad = _broken(prob, sol[2], state, ticketed)
            if len(bad) == 0:
                break
            state[bad] = (sol[2][ticketed[bad]] >= 0.5 * tick_w[bad]).astype(float)
            sol = solve(state)
            nodes += 1
            if sol is None:
                break
            if len(_broken(prob, sol[2], state, ticketed)) == 0:
                if sol[0] < best_r:
                    best_r, best_w = sol[0], sol[2]
                break
    complete = True
    while heap:
        check_cancel(should_cancel)
        lb = heap[0][0]
        if best_w is not None and relative_gap(best_r, lb) <= mip_rel_gap:
            break
        if nodes >= MAX_NODES or time.perf_counter() >= deadline:
            complete = False
            break
        lb, _, state, sol = heapq.heappop(heap)
        if lb >= best_r:
            continue
        bad = _broken(prob, sol[2], state, ticketed)
        if len(bad) == 0:
            continue
        frac = np.minimum(sol[2][ticketed[bad]], tick_w[bad] - sol[2][ticketed[bad]]) / tick_w[bad]
        j = bad[int(np.argmax(frac))]
        for value in (1.0, 0.0):
            child = state.copy()
            child[j] = value
            nodes += 1
            cs = solve(child)
            if cs is None or cs[1] >= best_r:
                continue
            if not consider(child, cs):
                heapq.heappush(heap, (cs[1], counter, child, cs))
                counter += 1
    if best_w is None:
        x = most.x
        return Outcome(x, status_for(np.inf, mip_rel_gap), np.inf, fn.ratio(x / S), plain,
                       (*notes, f"The search over minimum tickets found no allocation keeping every ticket within "
                        f"{nodes} nodes; this is the largest deployment, not balanced for risk."))
    # Every allocation lies in an open node, a closed leaf, or a pruned node (bound above best_r).
    lower = min([h[0] for h in heap] + [b for b in leaf_bounds] + [best_r])
    lower = max(lower, min(root[1], best_r))
    gap = relative_gap(best_r, lower)
    x = np.clip(best_w, 0.0, req_w) * S
    off = ticketed[x[ticketed] < prob.ticket[ticketed] - TOL * S]
    x[off] = 0.0
    shares = risk_shares(x / S, C, sector, k)
    dev = float(np.max(np.abs(shares[active] - 1.0 / fn.ka)))
    how = (f"Minimised by SLSQP and Frank-Wolfe steps, proven by a linear programme (Frank-Wolfe bound); "
           f"relative gap {gap:.1e}")
    if len(ticketed) and nodes:
        how += f"; minimum tickets: {nodes} node solve{'' if nodes == 1 else 's'} (roundings, then branch and bound)"
        if not complete:
            how += " (stopped by the " + ("time" if time.perf_counter() >= deadline else "node") + " limit)"
    notes.append(how + ".")
    if dev <= 1e-6:
        notes.append(f"Exact risk parity: every sector contributes the same share of the variance of {prob.npv}.")
    else:
        notes.append("Limits or tickets bind, so sector risk shares are not all equal (largest difference from "
                     f"equal shares {dev:.1%}); the allocation is the constrained risk-budgeting optimum.")
    shares_text = ", ".join(f"{nm} {sh:.1%}" for nm, sh in zip(names, shares, strict=True))
    notes.append(f"Sector shares of the variance of {prob.npv}: {shares_text}.")
    binding = bindings(prob, base(prob, np.zeros(n)), x, None, None, OBJECTIVE, with_prices=False)
    return Outcome(x, status_for(gap, mip_rel_gap), gap, fn.ratio(x / S), binding, tuple(notes))
