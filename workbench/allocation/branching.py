"""Minimum tickets by a small best-first branch and bound over the projects
whose ticket the relaxation breaks.

The relaxation (tickets ignored) usually breaks only a few tickets. Each node fixes some of
those projects as funded (``x >= ticket``) or not (``x = 0``) and solves the continuous
problem exactly (min-CVaR: the LP by constraint generation, warm-started with its parent's
tail scenarios; quadratic objectives: one QP): a lower bound for its subtree. A node whose
answer keeps every ticket is a feasible allocation (an upper bound). Stop when the bounds
meet within the gap. If the tree grows past its node budget, the caller falls back to its
general method (HiGHS's MILP on a restricted tail; outer approximation).
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from workbench.allocation.linear import NoAllocation
from workbench.allocation.problem import TOL, Problem
from workbench.progress import check_cancel


def broken_tickets(prob: Problem, x: np.ndarray, ticketed: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Positions (in ``ticketed``) of free projects funded below their ticket at ``x`` (USD m)."""
    tol = TOL * prob.S
    xs = x[ticketed]
    bad = (xs > tol) & (xs < prob.ticket[ticketed] - tol) & np.isnan(fixed)
    return np.flatnonzero(bad)


def branch_and_bound(prob: Problem, solve_node, x_root: np.ndarray, root_lower: float, root_active: np.ndarray, *,
                     mip_rel_gap: float, time_limit: float, t0: float, should_cancel, max_nodes: int = 64):
    """``solve_node(fixed, initial) -> (objective, x USD m, payload, active)`` or raises ``NoAllocation``.

    Returns ``(payload, upper, lower, nodes)`` or ``None`` when the node budget or time ran out
    before the bounds met.
    """
    ticketed = np.flatnonzero(prob.ticket > 0)
    root_fixed = np.full(len(ticketed), np.nan)
    best = None
    upper = np.inf
    heap = [(root_lower, 0, root_fixed, x_root, root_active)]
    counter = 1
    nodes = 0
    while heap:
        check_cancel(should_cancel)
        lower = heap[0][0]
        if upper < np.inf and upper - lower <= mip_rel_gap * max(abs(upper), 1e-9):
            break
        if nodes >= max_nodes or time.perf_counter() - t0 >= time_limit:
            return None
        lb, _, fixed, x, active = heapq.heappop(heap)
        if lb >= upper:
            continue
        bad = broken_tickets(prob, x, ticketed, fixed)
        j = bad[np.argmax(np.minimum(x[ticketed[bad]], prob.ticket[ticketed[bad]] - x[ticketed[bad]])
                          / prob.ticket[ticketed[bad]])]
        for value in (1.0, 0.0):
            child = fixed.copy()
            child[j] = value
            nodes += 1
            try:
                obj, cx, payload, cactive = solve_node(child, active)
            except NoAllocation:
                continue
            if obj >= upper:
                continue
            if len(broken_tickets(prob, cx, ticketed, child)) == 0:
                upper, best = obj, payload
                continue
            heapq.heappush(heap, (obj, counter, child, cx, cactive))
            counter += 1
    if best is None:
        if not heap and nodes:
            raise NoAllocation
        return None
    lower = min([h[0] for h in heap] + [upper])
    return best, upper, lower, nodes
