"""Quadratic objectives ``c.w + 1/2 w'Qw`` (Q positive semi-definite) under every limit.

Without tickets this is one convex quadratic programme for HiGHS. With minimum tickets it
is a mixed-integer quadratic programme, which HiGHS does not solve directly; we use
**outer approximation** (Duran & Grossmann; the method the contract allows):

* a master mixed-integer *linear* programme replaces ``1/2 w'Qw`` by a variable ``theta``
  kept above tangent planes ``theta >= (Q w_k).w - 1/2 w_k'Q w_k`` (valid because the
  quadratic is convex), so the master's bound is a valid lower bound;
* for each set of funded projects the master proposes, the quadratic programme with those
  binaries fixed gives a feasible allocation, hence an upper bound, and a new tangent plane;
* stop when the bounds meet within the requested relative gap, or at the time limit; the
  gap reported is ``(upper - lower) / |upper|``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeAlias, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from workbench.allocation.binding import Objective, bindings
from workbench.allocation.branching import branch_and_bound, broken_tickets
from workbench.allocation.formulation import Base, base, binaries, clean
from workbench.allocation.linear import NoAllocation
from workbench.allocation.outcome import OPTIMAL, Outcome, SolverFailed, status_for
from workbench.allocation.problem import Problem
from workbench.allocation.solver import Solution, load, new_highs, run, solve
from workbench.progress import CancelFn, check_cancel

Vector: TypeAlias = npt.NDArray[np.float64]
#: What a caller adds to every model (columns and rows of its own), or ``None``.
Extra: TypeAlias = Callable[[Base], None] | None


def _qp(prob: Problem, c_w: Vector, Q: Vector | sp.spmatrix, extra: Extra, fix_z: Vector | None, relax: bool,
        time_limit: float) -> tuple[Base, Solution]:
    b = base(prob, c_w, fix_z=fix_z)
    if relax:
        b.builder.integer = [False] * len(b.builder.integer)
    if extra is not None:
        extra(b)
    sol = solve(b.builder.model(Q=Q), time_limit=time_limit)
    return b, sol


#: Above this many projects the outer approximation's master (dense in the covariance factor)
#: is not worth building; the branch and bound's answer and gap are reported instead.
OA_MAX = 400


def minimize_quadratic(prob: Problem, c_w: Vector, Q: Vector | sp.spmatrix, obj: Objective, *, time_limit: float,
                       mip_rel_gap: float, extra: Extra = None, should_cancel: CancelFn | None = None,
                       max_rounds: int = 500, max_nodes: int = 64) -> tuple[Outcome, Vector]:
    """Minimise ``c.w + 1/2 w'Qw``; returns the outcome and the full solution vector."""
    t0 = time.perf_counter()
    def left() -> float:
        return max(time_limit - (time.perf_counter() - t0), 0.05)

    has_tickets = bool(np.any(prob.ticket > 0))
    if not has_tickets:
        b, sol = _qp(prob, c_w, Q, extra, None, False, time_limit)
        if sol.status == "infeasible":
            raise NoAllocation
        if not sol.has_solution:
            raise SolverFailed(f"The quadratic solver stopped ({sol.status}) without an allocation.")
        x = clean(prob, b, sol.values)
        if sol.status == "optimal":
            return Outcome(x, OPTIMAL, 0.0, obj.scale * sol.objective,
                           bindings(prob, b, x, sol.row_dual, sol.col_dual, obj)), sol.values
        return Outcome(x, status_for(np.inf, mip_rel_gap), np.inf, obj.scale * sol.objective,
                       bindings(prob, b, x, None, None, obj, with_prices=False),
                       (f"The quadratic solver stopped ({sol.status}) before proving optimality; this is its last "
                        "allocation, which meets every limit.",)), sol.values

    # The relaxation (tickets ignored); optimal if it keeps every ticket, else branch and bound
    # over the broken tickets, else outer approximation.
    ticketed = np.flatnonzero(prob.ticket > 0)
    free = np.full(len(ticketed), np.nan)
    rb, relax = _qp(prob, c_w, Q, extra, free, False, left())
    if relax.status == "infeasible":
        raise NoAllocation
    if relax.has_solution and relax.status == "optimal":
        x = clean(prob, rb, relax.values)
        if len(broken_tickets(prob, x, ticketed, free)) == 0:
            return Outcome(x, OPTIMAL, 0.0, obj.scale * relax.objective,
                           bindings(prob, rb, x, relax.row_dual, relax.col_dual, obj),
                           ("Minimum tickets: the relaxation already keeps every ticket.",)), relax.values

        def solve_node(fixed: Vector, _initial: None) -> tuple[float, Vector, tuple[Base, Solution], None]:
            nb, ns = _qp(prob, c_w, Q, extra, fixed, False, left())
            if ns.status == "infeasible":
                raise NoAllocation
            if not ns.has_solution or ns.status != "optimal":
                raise SolverFailed(f"a node stopped ({ns.status})")
            return ns.objective, clean(prob, nb, ns.values), (nb, ns), None

        try:
            found = branch_and_bound(prob, solve_node, x, relax.objective, None, mip_rel_gap=mip_rel_gap,
                                     time_limit=time_limit, t0=t0, should_cancel=should_cancel,
                                     max_nodes=max_nodes)
        except SolverFailed:
            found = None
        # Settled, or no time left for more, or too large for the outer approximation's master:
        # the branch and bound's answer, with its gap.
        if found is not None and (found.complete or left() < 0.25 * time_limit or prob.n > OA_MAX):
            fb, fs = found.payload
            gap = _gap(found.upper, found.lower)
            xb = clean(prob, fb, fs.values)
            why = "" if gap <= mip_rel_gap else (", stopped by the time limit" if left() <= 0.05
                                                 else ", stopped by the node limit")
            return Outcome(xb, status_for(gap, mip_rel_gap), gap, obj.scale * found.upper,
                           bindings(prob, fb, xb, fs.row_dual, fs.col_dual, obj),
                           (f"Minimum tickets: branch and bound over the broken tickets, {found.nodes} nodes "
                            f"(relative gap {gap:.2e}{why}).",)), fs.values
    else:
        found = None
    # Outer approximation (seeded with the branch and bound's best allocation and bound, if any).
    master_b = base(prob, c_w)
    if extra is not None:
        extra(master_b)
    n_main = master_b.builder.num_col
    L = _factor(Q, prob.n)                          # Q = L L', so w'Qw = sum_j y_j^2 with y = L'w
    r = L.shape[1]
    y = master_b.builder.add_cols(r, -np.inf, np.inf, 0.0)
    theta = master_b.builder.add_cols(r, 0.0, np.inf, 0.5)
    link = sp.hstack([-sp.csr_matrix(L.T), sp.csr_matrix((r, n_main - prob.n)), sp.eye(r, format="csr")])
    master_b.builder.add_rows(link, 0.0, 0.0)       # y_j = L_j' w
    h = new_highs(None, max(mip_rel_gap / 4, 1e-7))
    load(h, master_b.builder.model())
    best_ub, best = (found.upper, found.payload) if found is not None else (np.inf, None)
    lower = found.lower if found is not None else -np.inf
    seen: set[bytes] = set()
    rounds = 0
    stop = ""
    jj = np.arange(r)

    def add_cuts(v: Vector, theta_now: Vector | None = None) -> None:
        """Tangents ``theta_j >= 2 a_j y_j - a_j^2`` at ``a = L'w`` where the master underestimates."""
        a = L.T @ v[: prob.n]
        mask = np.ones(r, bool) if theta_now is None else theta_now < a * a - 1e-12 * max(1.0, float(a @ a))
        k = int(mask.sum())
        if not k:
            return
        idx = np.empty((k, 2), dtype=np.int32)
        idx[:, 0] = y.start + jj[mask]
        idx[:, 1] = theta.start + jj[mask]
        vals = np.empty((k, 2))
        vals[:, 0] = -2.0 * a[mask]
        vals[:, 1] = 1.0
        h.addRows(k, -(a[mask] ** 2), np.full(k, np.inf), 2 * k, np.arange(k, dtype=np.int32) * 2, idx.ravel(),
                  vals.ravel())

    if relax.has_solution:
        for scale in (1.0, 0.0, 0.5, 1.5, -1.0):
            add_cuts(relax.values * scale)
    while True:
        check_cancel(should_cancel)
        rounds += 1
        h.setOptionValue("time_limit", float(min(left(), max(2.0, 0.25 * left()))))
        m = run(h, mip=True)
        if m.status == "infeasible":
            raise NoAllocation
        if not m.has_solution:
            stop = ", stopped by the time limit"
            break
        lower = max(lower, m.bound if np.isfinite(m.bound) else m.objective)
        z = binaries(master_b, m.values)
        key = z.tobytes()
        if key not in seen:
            seen.add(key)
            fb, fs = _qp(prob, c_w, Q, extra, z, False, left())
            if fs.has_solution and fs.objective < best_ub:
                best_ub, best = fs.objective, (fb, fs)
            if fs.has_solution:
                add_cuts(fs.values)
        add_cuts(m.values, m.values[theta])
        gap = _gap(best_ub, lower)
        if gap <= mip_rel_gap or rounds >= max_rounds or left() <= 0.05:
            if gap > mip_rel_gap:
                stop = ", stopped by the time limit" if left() <= 0.05 else ", stopped by the round limit"
            break
    if best is None:
        raise SolverFailed("The outer approximation found no allocation within the time limit; raise it.")
    fb, fs = best
    x = clean(prob, fb, fs.values)
    gap = _gap(best_ub, lower)
    note = (f"Minimum tickets: solved by outer approximation in {rounds} rounds "
            f"(relative gap {gap:.2e}{stop if gap > mip_rel_gap else ''}).",)
    return Outcome(x, status_for(gap, mip_rel_gap), gap, obj.scale * best_ub,
                   bindings(prob, fb, x, fs.row_dual, fs.col_dual, obj), note), fs.values


def _factor(Q: Vector | sp.spmatrix, n: int) -> Vector:
    """``L`` (n x r) with ``Q = L L'`` (eigenvalues below 1e-12 of the largest dropped: a lower bound still)."""
    dense: Vector = np.asarray(cast(sp.spmatrix, Q).toarray() if sp.issparse(Q) else Q, float)[:n, :n]
    if np.count_nonzero(dense - np.diag(np.diag(dense))) == 0:
        d = np.clip(np.diag(dense), 0.0, None)
        keep = np.flatnonzero(d > 0)
        L = np.zeros((n, len(keep)))
        L[keep, np.arange(len(keep))] = np.sqrt(d[keep])
        return L
    e, V = np.linalg.eigh(0.5 * (dense + dense.T))
    kept = e > 1e-12 * max(float(e.max()), 1e-300)
    factor: Vector = V[:, kept] * np.sqrt(e[kept])
    return factor


def _gap(upper: float, lower: float) -> float:
    if not np.isfinite(upper):
        return np.inf
    if not np.isfinite(lower):
        return np.inf
    return max(upper - lower, 0.0) / max(abs(upper), 1e-9)


