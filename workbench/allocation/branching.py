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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from workbench.allocation.linear import NoAllocation
from workbench.allocation.outcome import SolverFailed
from workbench.allocation.problem import TOL, Problem
from workbench.progress import CancelFn, check_cancel

#: The caller's solution of a node (what :class:`Found` hands back).
P = TypeVar("P")
#: The caller's warm start of a node (e.g. the active tail scenarios; ``None`` when it has none).
A = TypeVar("A")
Vector: TypeAlias = npt.NDArray[np.float64]


def broken_tickets(prob: Problem, x: Vector, ticketed: npt.NDArray[np.intp], fixed: Vector) -> npt.NDArray[np.intp]:
    """Positions (in ``ticketed``) of free projects funded below their ticket at ``x`` (USD m)."""
    tol = TOL * prob.S
    xs = x[ticketed]
    bad = (xs > tol) & (xs < prob.ticket[ticketed] - tol) & np.isnan(fixed)
    return np.flatnonzero(bad)


@dataclass(frozen=True)
class Found(Generic[P]):
    payload: P            # the caller's solution of the best node keeping every ticket
    upper: float          # its objective (model units): an upper bound
    lower: float          # the least lower bound of the open nodes (a lower bound for the problem)
    nodes: int
    complete: bool        # the bounds met within the gap (else the node budget or time ran out)


def _rounding(prob: Problem, solve_node: Callable[[Vector, A], tuple[float, Vector, P, A]], x: Vector,
              ticketed: npt.NDArray[np.intp], active: A, tries: int = 4) -> tuple[float, P] | None:
    """A quick feasible allocation: fix each broken ticket to funded when at least half reached, else
    unfunded; repeat on what the next solve breaks. ``None`` if it does not settle."""
    fixed = np.full(len(ticketed), np.nan)
    for _ in range(tries):
        bad = broken_tickets(prob, x, ticketed, fixed)
        if len(bad) == 0:
            return None
        fixed[bad] = (x[ticketed[bad]] >= 0.5 * prob.ticket[ticketed[bad]]).astype(float)
        try:
            obj, x, payload, active = solve_node(fixed.copy(), active)
        except (NoAllocation, SolverFailed):
            return None
        if len(broken_tickets(prob, x, ticketed, fixed)) == 0:
            return obj, payload
    return None


def branch_and_bound(prob: Problem, solve_node: Callable[[Vector, A], tuple[float, Vector, P, A]], x_root: Vector,
                     root_lower: float, root_active: A, *, mip_rel_gap: float, time_limit: float, t0: float,
                     should_cancel: CancelFn | None, max_nodes: int = 64) -> Found[P] | None:
    """``solve_node(fixed, initial) -> (objective, x USD m, payload, active)``; it raises ``NoAllocation``
    for an infeasible node and ``SolverFailed`` for one it could not solve to optimality.

    Starts with a rounding heuristic (an early upper bound prunes the tree), then best-first.
    Returns ``None`` when no allocation keeping every ticket was found before the node budget or
    the time ran out; raises ``NoAllocation`` when the whole tree is infeasible.
    """
    ticketed = np.flatnonzero(prob.ticket > 0)
    root_fixed = np.full(len(ticketed), np.nan)
    best: P | None = None
    upper = np.inf
    nodes = 0
    if max_nodes > 0:
        rounded = _rounding(prob, solve_node, x_root, ticketed, root_active)
        if rounded is not None:
            upper, best = rounded
    heap: list[tuple[float, int, Vector, Vector, A]] = [(root_lower, 0, root_fixed, x_root, root_active)]
    counter = 1
    complete = True
    while heap:
        check_cancel(should_cancel)
        lower = heap[0][0]
        if upper < np.inf and upper - lower <= mip_rel_gap * max(abs(upper), 1e-9):
            break
        if nodes >= max_nodes or time.perf_counter() - t0 >= time_limit:
            complete = False
            break
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
            except SolverFailed:   # a node not solved to optimality gives no valid bound: stop here
                complete = False
                heapq.heappush(heap, (lb, counter, fixed, x, active))
                counter += 1
                break
            if obj >= upper:
                continue
            if len(broken_tickets(prob, cx, ticketed, child)) == 0:
                upper, best = obj, payload
                continue
            heapq.heappush(heap, (obj, counter, child, cx, cactive))
            counter += 1
        if not complete:
            break
    if best is None:
        if complete and not heap and nodes:
            raise NoAllocation
        return None
    lower = min([h[0] for h in heap] + [upper])
    return Found(best, upper, lower, nodes, complete or upper - lower <= mip_rel_gap * max(abs(upper), 1e-9))
