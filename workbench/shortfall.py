"""Why an allocation leaves part of the programme unallocated, in the user's terms.

Four reasons, each checked: the limits themselves allow less than the programme size
(the most they allow is solved for, and the limits that hold it there are named as the
user wrote them); the candidates with room left have negative expected NPV at the
discount rate (from the fitting sample the allocation used); the limits hold the total
where it is unless candidates with negative expected NPV get more (that most is solved for
too, and its limits named); or the method's objective (risk against return) stops short of
a limit.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from workbench.allocation.problem import TOL, Problem, build_problem
from workbench.results import AllocationResult, Shortfall
from workbench.scenario import Scenario

#: Answers of :func:`most_allowed` kept, by the content of what it reads (the limits do not move when a
#: volatility or a probability is edited, and a run's first estimate and exact baseline ask the same).
_KEPT = 16
_answers: OrderedDict[str, tuple[float, np.ndarray]] = OrderedDict()
_lock = threading.Lock()


def _problem_key(prob: Problem, tickets: bool) -> str:
    """SHA-256 of everything :func:`most_allowed` reads of ``prob``."""
    h = hashlib.sha256()
    h.update(repr((tickets, prob.S, prob.n, [(lim.sense, lim.value, lim.members, lim.coeffs)
                                             for lim in prob.row_limits])).encode())
    h.update(np.ascontiguousarray(prob.request, dtype=float).tobytes())
    h.update(np.ascontiguousarray(prob.ticket, dtype=float).tobytes())
    return h.hexdigest()


def most_allowed(prob: Problem, tickets: bool = True) -> tuple[float, np.ndarray]:
    """The largest total the limits allow (USD m) and amounts that reach it (NaN, empty when unsolved).

    Every row limit, each project between 0 and its request, and, with ``tickets``, its
    minimum ticket or nothing (a mixed-integer problem; HiGHS through SciPy). The last answers
    are kept by the content of what they read, so asking again for the same limits costs no solve.
    """
    key = _problem_key(prob, tickets)
    with _lock:
        if key in _answers:
            _answers.move_to_end(key)
            total, x = _answers[key]
            return total, x.copy()
    total, x = _most_allowed(prob, tickets)
    with _lock:   # runs in other threads may ask at the same time
        _answers[key] = (total, x.copy())
        while len(_answers) > _KEPT:
            _answers.popitem(last=False)
    return total, x


def _most_allowed(prob: Problem, tickets: bool) -> tuple[float, np.ndarray]:
    n = prob.n
    if n == 0:
        return 0.0, np.zeros(0)
    size = prob.S or 1.0
    a = prob.matrix()          # rows on amounts in USD m; the variables are shares w = x / S, so A w <= hi / S
    lo, hi = prob.bounds()
    use_tickets = tickets and bool(np.any(prob.ticket > 0))
    c = np.concatenate([-np.ones(n), np.zeros(n)]) if use_tickets else -np.ones(n)
    cons = []
    if a.shape[0]:
        if use_tickets:
            import scipy.sparse as sp
            a = sp.hstack([a, sp.csr_matrix((a.shape[0], n))]).tocsr()
        cons.append(LinearConstraint(a, lo / size, hi / size))
    req = prob.request / size
    if use_tickets:
        import scipy.sparse as sp
        eye = sp.identity(n, format="csr")
        # x <= request * z and x >= ticket * z, z binary
        cons.append(LinearConstraint(sp.hstack([eye, -sp.diags(req)]).tocsr(), -np.inf, 0.0))
        cons.append(LinearConstraint(sp.hstack([eye, -sp.diags(prob.ticket / size)]).tocsr(), 0.0, np.inf))
        bounds = Bounds(np.zeros(2 * n), np.concatenate([req, np.ones(n)]))
        integrality = np.concatenate([np.zeros(n), np.ones(n)])
    else:
        bounds = Bounds(np.zeros(n), req)
        integrality = np.zeros(n)
    res = milp(c, constraints=cons, bounds=bounds, integrality=integrality,
               options={"time_limit": 10.0, "mip_rel_gap": 1e-7})
    if res.x is None:
        return float("nan"), np.zeros(0)
    x = np.asarray(res.x[:n]) * size
    return float(x.sum()), x


def holding_limits(prob: Problem, x: np.ndarray) -> tuple[str, ...]:
    """The upper limits (constraints, capacities) that ``x`` reaches, as the user wrote them."""
    tol = TOL * prob.S
    return tuple(lim.label for lim in prob.row_limits
                 if lim.kind in ("constraint", "capacity") and lim.sense == "max"
                 and abs(lim.activity(x) - lim.value) <= tol)


def shortfall(scn: Scenario, alloc: AllocationResult, mean_by_project: dict[str, float],
              discount_rate: float, problem: Problem | None = None) -> Shortfall | None:
    """Why ``alloc`` commits less than the programme size (``None`` when it commits all of it).

    ``mean_by_project``: expected NPV per USD m allocated of each included project. ``problem``:
    ``build_problem(scn)`` when the caller has built it already (for the allocation).
    """
    size = scn.size
    total = alloc.total
    if total >= size - TOL * max(size, 1.0):
        return None
    prob = problem if problem is not None else build_problem(scn)
    best, x_best = most_allowed(prob, tickets=True)
    relaxed, _ = most_allowed(prob, tickets=False) if np.any(prob.ticket > 0) else (best, x_best)
    limits = holding_limits(prob, x_best) if len(x_best) else ()
    tol = TOL * prob.S
    room = [pid for pid, req in zip(prob.ids, prob.request) if alloc.amounts.get(pid, 0.0) < req - tol]
    negative = tuple(pid for pid in room if mean_by_project.get(pid, 0.0) < 0)
    positive = tuple(pid for pid in room if mean_by_project.get(pid, 0.0) >= 0)
    limited = np.isfinite(best) and total >= best - 1e-4 * max(size, 1.0)
    most_pos = float("nan")
    limits_pos: tuple[str, ...] = ()
    if negative and not limited:
        # The most the limits allow when no candidate with negative expected NPV gets more than it has now.
        held = np.array([alloc.amounts.get(pid, 0.0) for pid in prob.ids])
        neg = np.array([pid in negative for pid in prob.ids])
        capped = replace(prob, request=np.where(neg, np.minimum(held, prob.request), prob.request))
        most_pos, x_pos = most_allowed(capped, tickets=True)
        limits_pos = holding_limits(capped, x_pos) if len(x_pos) else ()
    return Shortfall(
        programme_size=size, allocated=total, most_allowed=best, holding_limits=limits,
        negative_npv=negative, positive_with_room=() if limited else positive, discount_rate=discount_rate,
        method=alloc.method,
        tickets_cost=max(relaxed - best, 0.0) if np.isfinite(relaxed) and np.isfinite(best) else 0.0,
        most_without_negative=most_pos, limits_without_negative=limits_pos,
    )
