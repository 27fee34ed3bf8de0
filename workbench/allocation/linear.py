"""Methods with a linear objective: ``max-return``, ``max-strategic`` and ``proportional``.

Each is a linear programme over the shares ``w = x / S``, or a mixed-integer one when a
project has a minimum ticket (binaries only for those projects). After a mixed-integer
solve, the binaries are fixed and the linear programme is solved again: that polishes the
amounts and gives the duals for the shadow prices.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from workbench.allocation.binding import Objective, bindings
from workbench.allocation.formulation import Base, base, binaries, clean
from workbench.allocation.outcome import Outcome, SolverFailed, relative_gap, status_for
from workbench.allocation.problem import Problem
from workbench.allocation.solver import Resolver, Solution, solve


class NoAllocation(Exception):
    """The model has no feasible point (the caller explains why)."""


def _check(sol: Solution) -> None:
    if sol.status == "infeasible":
        raise NoAllocation
    if not sol.has_solution:
        raise SolverFailed(f"The solver stopped ({sol.status}) before finding any allocation. "
                           "Raise the time limit or simplify the constraints.")


def solve_linear(prob: Problem, cost_w: npt.NDArray[np.float64], obj: Objective, *, time_limit: float,
                 mip_rel_gap: float, extra: Callable[[Base], None] | None = None
                 ) -> tuple[Outcome, npt.NDArray[np.float64]]:
    """Minimise ``cost_w . w`` (plus what ``extra(base)`` adds) and price the bindings.

    Returns the outcome and the model's full solution vector (for callers that add columns).
    """
    t0 = time.perf_counter()
    b = base(prob, cost_w)
    if extra is not None:
        extra(b)
    model = b.builder.model()
    sol = solve(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    _check(sol)
    gap, status = sol.gap, sol.status
    final = sol
    priced = None if model.is_mip() else model
    if model.is_mip():
        fixed = base(prob, cost_w, fix_z=binaries(b, sol.values))
        if extra is not None:
            extra(fixed)
        fixed_model = fixed.builder.model()
        lp = solve(fixed_model, time_limit=max(time_limit - (time.perf_counter() - t0), 1.0))
        if lp.has_solution and lp.status == "optimal" and lp.objective <= sol.objective + 1e-12:
            final, b, priced = lp, fixed, fixed_model
    x = clean(prob, b, final.values)
    objective = obj.scale * final.objective
    resolve = Resolver(priced) if (priced is not None and final.status == "optimal") else None
    binding = bindings(prob, b, x, final.row_dual, final.col_dual, obj, resolve=resolve)
    notes: tuple[str, ...] = ()
    if model.is_mip():
        if np.isfinite(sol.bound):   # the polish can only lower the objective: re-measure against the bound
            gap = relative_gap(final.objective, sol.bound)
        elif status != "optimal":
            gap = np.inf
    elif status != "optimal":
        gap = np.inf
    if status != "optimal" or gap > mip_rel_gap:
        notes = (f"The solver stopped ({status}) before proving optimality within {mip_rel_gap:.0e}; "
                 "this is its best allocation, which meets every limit.",)
    return Outcome(x, status_for(gap, mip_rel_gap), gap, objective, binding, notes), final.values


def max_return(prob: Problem, mu: npt.NDArray[np.float64], *, time_limit: float, mip_rel_gap: float) -> Outcome:
    obj = Objective(f"expected {prob.npv}", "USD m", -prob.S)
    return solve_linear(prob, -mu, obj, time_limit=time_limit, mip_rel_gap=mip_rel_gap)[0]


def max_strategic(prob: Problem, *, time_limit: float, mip_rel_gap: float) -> Outcome:
    obj = Objective("strategic value (score x USD m)", "", -prob.S)
    return solve_linear(prob, -prob.score, obj, time_limit=time_limit, mip_rel_gap=mip_rel_gap)[0]


def proportional(prob: Problem, *, time_limit: float, mip_rel_gap: float) -> Outcome:
    """The largest common fraction ``t`` of each request (every project at least ``t``), then the
    allocation closest to exactly ``t`` of each request (the least funding above it)."""
    n, S = prob.n, prob.S
    if n == 0:
        return Outcome(np.zeros(0), "optimal", 0.0, 0.0)
    req_w = prob.request / S
    holder: dict[str, slice] = {}

    def with_t(b: Base, t_cost: float, t_lo: float) -> None:
        t = b.builder.add_cols(1, t_lo, 1.0, t_cost)
        rows = np.r_[np.arange(n), np.arange(n)]
        cols = np.r_[np.arange(n), np.full(n, t.start)]
        vals = np.r_[np.ones(n), -req_w]
        b.builder.add_rows(sp.csr_matrix((vals, (rows, cols)), shape=(n, t.stop)), 0.0, np.inf)  # w >= t * req
        holder["t"] = t

    obj_t = Objective("the fraction of its request every project gets", "fraction", -1.0)
    first, xs = solve_linear(prob, np.zeros(n), obj_t, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                             extra=lambda b: with_t(b, -1.0, 0.0))
    del xs
    t_star = float(np.min(first.x / prob.request)) if n else 0.0   # every project gets at least t*
    # Second stage: as close to t* of each request as the limits allow (least excess funding).
    t_floor = max(t_star - 1e-9, 0.0)
    second, _ = solve_linear(prob, 1.0 / np.maximum(req_w, 1e-300) / n, obj_t,
                             time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                             extra=lambda b: with_t(b, 0.0, t_floor))
    exact = bool(np.allclose(second.x, t_star * prob.request, atol=1e-6 * S))
    note = (f"Every project gets {t_star:.4%} of its request." if exact else
            f"Every project gets at least {t_star:.4%} of its request; the limits or tickets require more for some.")
    gap = max(first.gap, second.gap)
    return Outcome(second.x, status_for(gap, mip_rel_gap), gap, t_star, first.binding,
                   (note, *first.notes, *second.notes))


def fixed(prob: Problem) -> Outcome:
    """The user's own amounts (``Allocated (USD m)``), checked against every limit, not optimised."""
    x = prob.allocated.copy()
    broken = prob.violations(x)
    notes = tuple(f"Broken: {lim.label} (by USD {excess:,.1f} m)" for lim, excess in broken)
    b = base(prob, np.zeros(prob.n), tickets=True)
    binding = bindings(prob, b, x, None, None, Objective(f"expected {prob.npv}", "USD m", -prob.S), with_prices=False)
    return Outcome(x, "violates constraints" if broken else "feasible", 0.0, None, binding, notes)
