"""``min-cvar``: minimise CVaR at the scenario's confidence on the fitting sample
(Rockafellar-Uryasev), with expected P&L at least the target when one is set.

With ``N`` trials and ``k = ceil(N (1 - c))`` (the risk measures' definition), the
programme ``min alpha + 1/k sum_t u_t`` subject to ``u_t >= loss_t(x) - alpha``, ``u_t >= 0``
has the mean of the ``k`` largest losses as its optimum, exactly the CVaR the risk engine
reports.

**Without tickets** the linear programme is solved exactly through its dual, the trials in
groups and the unfunded projects' rows left out until priced in, started (on large samples with
many projects) from the optimum of a smoothed CVaR (``cvar_smooth``), and every answer is
certified on the full programme (``cvar_dual``).

**Minimum tickets.** A relaxation that keeps every ticket is the answer. Otherwise a frozen
rounding (each ticketed project kept on its side of the relaxation) is tried first and accepted
when within the gap of the relaxation's bound; else a branch and bound over the broken tickets,
each node an exact dual solve started from its parent's allocation (``branching``); on small
problems a mixed-integer programme over a restricted tail by constraint generation (``_CG``:
scenarios whose loss exceeds ``alpha`` added until none does) is the fallback.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias, TypedDict

import numpy as np
import numpy.typing as npt

from workbench.allocation.binding import Objective, bindings
from workbench.allocation.branching import Found, branch_and_bound
from workbench.allocation.cvar_dual import DualResult, solve_dual, solve_guessed
from workbench.allocation.formulation import Base, base, binaries, clean
from workbench.allocation.inputs import Inputs
from workbench.allocation.linear import NoAllocation
from workbench.allocation.outcome import Outcome, SolverFailed
from workbench.allocation.problem import TOL, Problem
from workbench.allocation.solver import Solution, load, new_highs, run
from workbench.progress import CancelFn, check_cancel

Vector: TypeAlias = npt.NDArray[np.float64]


class _Budget(TypedDict):
    """The limits every solve of one ``min_cvar`` call shares."""

    time_limit: float
    mip_rel_gap: float
    should_cancel: CancelFn | None
    t0: float


def tail_count(trials: int, confidence: float) -> int:
    return max(1, min(trials, math.ceil(trials * (1.0 - confidence) - 1e-9)))


def cvar_of(pnl: Vector, confidence: float) -> Vector:
    """CVaR (losses positive) of each column of ``pnl`` (trials x portfolios): minus the mean of the k smallest."""
    pnl = np.atleast_2d(pnl.T).T
    k = tail_count(pnl.shape[0], confidence)
    worst = np.partition(pnl, k - 1, axis=0)[:k]
    cvar: Vector = -worst.mean(axis=0)
    return cvar


class _CG:
    """One restricted Rockafellar-Uryasev programme in a HiGHS instance, grown scenario by scenario."""

    def __init__(self, prob: Problem, data: Inputs, confidence: float, fix_z: Vector | None, mip_rel_gap: float):
        self.prob, self.pnl = prob, data.pnl
        self.k = tail_count(data.trials, confidence)
        self.b: Base = base(prob, np.zeros(prob.n), fix_z=fix_z)
        self.alpha = self.b.builder.add_cols(1, -np.inf, np.inf, 1.0).start
        self.model = self.b.builder.model()
        self.mip = self.model.is_mip()
        self.h = new_highs(None, mip_rel_gap)
        # Presolve off: it would throw away the warm start between rounds (LP), and costs more than it
        # saves on these dense tail rows (MIP). Measured on the benchmarks.
        self.h.setOptionValue("presolve", "off")
        load(self.h, self.model)
        self.active = np.zeros(data.trials, dtype=bool)
        self.ucol: dict[int, int] = {}

    def add(self, scenarios: np.ndarray) -> None:
        scenarios = scenarios[~self.active[scenarios]]
        if len(scenarios) == 0:
            return
        m = len(scenarios)
        first = self.h.getNumCol()
        self.h.addCols(m, np.full(m, 1.0 / self.k), np.zeros(m), np.full(m, np.inf), 0,
                       np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        n = self.prob.n
        block = self.pnl[scenarios]                       # (m, n): u_t + alpha + pnl_t . w >= 0
        idx = np.empty((m, n + 2), dtype=np.int32)
        idx[:, :n] = np.arange(n, dtype=np.int32)
        idx[:, n] = self.alpha
        idx[:, n + 1] = first + np.arange(m, dtype=np.int32)
        vals = np.empty((m, n + 2))
        vals[:, :n] = block
        vals[:, n] = 1.0
        vals[:, n + 1] = 1.0
        starts = np.arange(m, dtype=np.int32) * (n + 2)
        self.h.addRows(m, np.zeros(m), np.full(m, np.inf), m * (n + 2), starts, idx.ravel(), vals.ravel())
        for j, t in enumerate(scenarios):
            self.ucol[int(t)] = first + j
        self.active[scenarios] = True

    def solve(self, time_limit: float) -> Solution:
        self.h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        return run(self.h, mip=self.mip)

    def violated(self, x: np.ndarray, batch: int) -> np.ndarray:
        """Inactive scenarios whose loss exceeds alpha at ``x`` (the worst first, at most ``batch``)."""
        w = x[: self.prob.n]
        excess = -(self.pnl @ w) - x[self.alpha]
        excess[self.active] = -np.inf
        cand = np.flatnonzero(excess > 1e-9)
        if len(cand) > batch:
            cand = cand[np.argpartition(-excess[cand], batch - 1)[:batch]]
        return cand


def _start(prob: Problem, pnl: np.ndarray, k: int) -> np.ndarray:
    """Initial tail candidates: the worst scenarios of a few simple portfolios."""
    picks = []
    for w in (prob.request, np.ones(prob.n)):
        loss = -(pnl @ w)
        m = min(len(loss), 2 * k)
        picks.append(np.argpartition(-loss, m - 1)[:m])
    return np.unique(np.concatenate(picks))


def _mixed_integer(prob: Problem, data: Inputs, confidence: float, w_relaxed: Vector, k: int, *,
                   time_limit: float, mip_rel_gap: float, should_cancel: CancelFn | None,
                   t0: float) -> tuple[_CG, Solution, float, str, int]:
    """Tickets binding in the relaxation: the mixed-integer programme on a restricted tail.

    The restricted mixed-integer programme is a relaxation of the full one (rows dropped), so its
    dual bound is a valid lower bound; fixing its funded set and solving the linear programme
    exactly (generation again) gives a feasible allocation, an upper bound. Stop when they
    meet within the gap; else add the scenarios the restricted solution violates.
    """
    kw = _Budget(time_limit=time_limit, mip_rel_gap=mip_rel_gap, should_cancel=should_cancel, t0=t0)
    loss = -(data.pnl @ w_relaxed)
    keep = min(data.trials, int(k * 1.1) + 10)
    mcg = _CG(prob, data, confidence, None, mip_rel_gap)
    mcg.add(np.argpartition(-loss, keep - 1)[:keep])
    best: tuple[_CG, Solution] | None = None
    lower, rounds, gap = -np.inf, 0, np.inf
    status = "optimal"
    while True:
        check_cancel(should_cancel)
        rounds += 1
        m = mcg.solve(time_limit - (time.perf_counter() - t0))
        if m.status == "infeasible":
            raise NoAllocation
        if not m.has_solution:
            status = "time limit"
            break
        lower = max(lower, m.bound if np.isfinite(m.bound) else m.objective)
        fcg, fsol, r = _run_cg(prob, data, confidence, binaries(mcg.b, m.values), initial=np.flatnonzero(mcg.active),
                               **kw)
        rounds += r
        if fsol.has_solution and (best is None or fsol.objective < best[1].objective):
            best = (fcg, fsol)
        ub = best[1].objective if best is not None else np.inf   # _run_cg's answer always has a solution
        gap = max(ub - lower, 0.0) / max(abs(ub), 1e-9)
        if gap <= mip_rel_gap:
            break
        if m.status == "time limit" or time.perf_counter() - t0 >= time_limit:
            status = "time limit"
            break
        new = mcg.violated(m.values, max(k, 200))
        if len(new) == 0:
            break
        mcg.add(new)
    if best is None:
        raise SolverFailed("The CVaR programme found no allocation within the time limit; raise it.")
    return best[0], best[1], gap, status, rounds


def _continuous(prob: Problem, data: Inputs, confidence: float, target: float | None, obj: Objective, *,
                t0: float, time_limit: float, should_cancel: CancelFn | None) -> tuple[Outcome, DualResult]:
    """No tickets: the linear programme through its dual, the deep tail aggregated (see ``cvar_dual``)."""
    k = tail_count(data.trials, confidence)
    res = solve_guessed(prob, data.pnl, k, _first_guess(prob), time_limit=time_limit, should_cancel=should_cancel,
                        t0=t0)
    if res.status == "infeasible":
        raise NoAllocation
    if res.x is None:
        raise SolverFailed(f"The CVaR programme stopped ({res.status}) before finding an allocation; "
                           "raise the time limit.")
    layout = base(prob, np.zeros(prob.n), tickets=False)
    x = clean(prob, layout, res.x)
    cvar = float(cvar_of(data.pnl @ x, confidence)[0])
    gap = 0.0 if res.status == "optimal" else _gap(cvar / prob.S, res.bound)
    return Outcome(x, res.status, gap, cvar, bindings(prob, layout, x, res.row_dual, res.col_dual, obj),
                   _notes(res, data, target, x, npv=prob.npv)), res


def _gap(value: float, bound: float) -> float:
    """Relative gap between an allocation's CVaR and a lower bound (shares of the programme)."""
    if not np.isfinite(bound):
        return float("inf")
    return max(value - bound, 0.0) / max(abs(value), 1e-9)


def _first_guess(prob: Problem) -> Vector:
    """Shares proportional to the requests, within the programme: only for ranking trials."""
    req: Vector = prob.request / prob.S
    return req / max(float(req.sum()), 1.0)


def _notes(res: DualResult, data: Inputs, target: float | None, x: np.ndarray, *,
           npv: str = "NPV") -> tuple[str, ...]:
    if res.status == "optimal":
        rounds = f"{res.rounds} round{'' if res.rounds == 1 else 's'}" + (f"; {res.start}" if res.start else "")
        head = (f"Solved exactly through the dual linear programme, the {data.trials:,} scenarios in "
                f"{res.columns:,} groups ({res.singles:,} of them single scenarios near the value at risk), "
                f"{rounds}; proven optimal on the full programme: a dual point built from every scenario and "
                f"project bounds the CVaR within {res.gap:.1e} of the programme.")
    else:
        head = (f"Stopped ({res.status}) after {res.rounds} rounds: not proven optimal; CVaR "
                f"{res.objective * 100:.6g} % of the programme, lower bound {res.bound * 100:.6g} %.")
    notes = [head]
    if target is not None:
        notes.append(f"Expected {npv} {float(data.mu @ x):,.0f} against the target {target:,.0f} (USD m).")
    return tuple(notes)


@dataclass
class _Node:
    """A branch-and-bound node's exact LP answer (through the dual programme)."""

    layout: Base
    res: DualResult


NodeSolver: TypeAlias = Callable[[Vector, Vector], tuple[float, Vector, "_Node", Vector]]


def _node_solver(prob: Problem, data: Inputs, k: int, kw: _Budget) -> NodeSolver:
    """``solve_node(fixed, start)`` for ``branching``: the node's linear programme solved exactly
    through the dual, its trials first grouped by their loss at ``start`` (the parent's allocation)."""

    def solve_node(fixed: Vector, start: Vector) -> tuple[float, Vector, _Node, Vector]:
        layout = base(prob, np.zeros(prob.n), fix_z=fixed)
        lb, ub = np.asarray(layout.builder.col_lo[: prob.n]), np.asarray(layout.builder.col_hi[: prob.n])
        res = solve_dual(prob, data.pnl, k, start, time_limit=kw["time_limit"], should_cancel=kw["should_cancel"],
                         t0=kw["t0"], lb=lb, ub=ub)
        if res.status == "infeasible":
            raise NoAllocation
        if res.x is None or res.status != "optimal":
            raise SolverFailed(f"The CVaR programme stopped ({res.status}) before proving a node optimal.")
        return res.bound, clean(prob, layout, res.x), _Node(layout, res), res.x[: prob.n]

    return solve_node


def _freeze(prob: Problem, relaxed: Outcome, root: DualResult, solve_node: NodeSolver) -> tuple[float, _Node] | None:
    """A feasible allocation in one or two exact solves: every ticketed project keeps its side of
    the relaxation (funded ones at least their ticket, unfunded ones at zero) and each broken one
    goes to the nearer side. ``(objective, node)`` or ``None``. With thousands of projects the
    tree's own rounding (only the broken ones fixed) keeps breaking new tickets; this does not."""
    ticketed = np.flatnonzero(prob.ticket > 0)
    tol = TOL * prob.S
    x, start = relaxed.x, root.values[: prob.n]
    for _ in range(3):
        xs, t = x[ticketed], prob.ticket[ticketed]
        fixed = np.where(xs >= 0.5 * t, 1.0, 0.0)
        fixed[xs <= tol] = 0.0
        try:
            obj, x, node, start = solve_node(fixed, start)
        except (NoAllocation, SolverFailed):
            return None
        if _meets_tickets(prob, x):
            return obj, node
    return None


def _branch(prob: Problem, data: Inputs, confidence: float, relaxed: Outcome, root: DualResult, k: int,
            kw: _Budget) -> Outcome | None:
    """Branch and bound over the broken tickets (``branching``); ``None`` when it found nothing.

    First a frozen rounding (:func:`_freeze`): when it is within the gap of the relaxation's bound,
    it is the answer (proven within the gap, the relaxation being a lower bound); otherwise the
    tree searches, and the better of the two is returned."""
    obj = Objective("CVaR", "USD m", prob.S, better="min")
    S = prob.S
    solve_node = _node_solver(prob, data, k, kw)
    frozen = _freeze(prob, relaxed, root, solve_node)
    # _continuous always gives the relaxation its CVaR as objective
    root_lower = float(relaxed.objective if relaxed.objective is not None else np.nan) / S
    if frozen is not None and frozen[0] - root_lower <= kw["mip_rel_gap"] * max(abs(frozen[0]), 1e-9):
        return _ticket_outcome(prob, data, confidence, frozen[1], frozen[0], root_lower, 0, kw, obj,
                               "kept each ticketed project on its side of the relaxation")
    try:
        found = branch_and_bound(prob, solve_node, relaxed.x, root_lower, root.values[: prob.n],
                                 mip_rel_gap=kw["mip_rel_gap"], time_limit=kw["time_limit"], t0=kw["t0"],
                                 should_cancel=kw["should_cancel"])
    except SolverFailed:
        found = None
    if found is None or (frozen is not None and frozen[0] < found.upper):
        if frozen is None:
            return None
        lower = root_lower if found is None else max(min(found.lower, frozen[0]), root_lower)
        return _ticket_outcome(prob, data, confidence, frozen[1], frozen[0], lower,
                               0 if found is None else found.nodes, kw, obj,
                               "kept each ticketed project on its side of the relaxation",
                               searched=None if found is not None else
                               "the branch and bound found no better allocation keeping every ticket "
                               "within its node and time limits")
    if not found.complete and prob.n <= MILP_MAX:
        better = _milp_if_better(found, prob, data, confidence, k, kw, obj)
        if better is not None:
            return better
    return _ticket_outcome(prob, data, confidence, found.payload, found.upper, found.lower, found.nodes,
                           kw, obj, "branch and bound over the tickets the relaxation breaks")


def _ticket_outcome(prob: Problem, data: Inputs, confidence: float, node: _Node, upper: float, lower: float,
                    nodes: int, kw: _Budget, obj: Objective, how_found: str, *, searched: str | None = None) -> Outcome:
    """``searched``: what the tree did, when ``nodes`` does not say it (a search that found nothing)."""
    gap = max(upper - lower, 0.0) / max(abs(upper), 1e-9)
    x = clean(prob, node.layout, node.res.values)
    proven = gap <= kw["mip_rel_gap"]
    status = "optimal" if proven else f"best found, gap {gap:.1e}"
    how = ("proven within the gap tolerance" if proven else
           "stopped by the time or node limit before the bounds met")
    if searched is None:
        searched = (f"{nodes} branch-and-bound nodes, each an exact linear programme" if nodes else
                    "no branch-and-bound nodes needed")
    notes = (_notes(node.res, data, None, x)[0],
             f"Minimum tickets: {how_found}; {searched}; relative gap {gap:.2e} to the lower bound "
             f"(the relaxation's or the least open node's; {how}).")
    return Outcome(x, status, gap, float(cvar_of(data.pnl @ x, confidence)[0]),
                   bindings(prob, node.layout, x, node.res.row_dual, node.res.col_dual, obj), notes)


#: Above this many projects the MILP fallback on dense tail rows is not worth trying.
MILP_MAX = 400


def _milp_if_better(found: Found[_Node], prob: Problem, data: Inputs, confidence: float, k: int, kw: _Budget,
                    obj: Objective) -> Outcome | None:
    """The tree ran out of nodes or time: the MILP fallback, if it finds a better allocation."""
    try:
        mcg, msol, mgap, mstatus, mrounds = _mixed_integer(prob, data, confidence,
                                                           found.payload.res.values[: prob.n], k, **kw)
    except SolverFailed:
        return None
    if msol.objective > found.upper:
        return None
    x = clean(prob, mcg.b, msol.values)
    return Outcome(x, _mip_status(mstatus, mgap, kw["mip_rel_gap"]), mgap,
                   float(cvar_of(data.pnl @ x, confidence)[0]),
                   bindings(prob, mcg.b, x, msol.row_dual, msol.col_dual, obj),
                   _primal_notes(int(mcg.active.sum()), data, mrounds, None, x))


def _mip_status(status: str, gap: float, tol: float) -> str:
    if status == "optimal" and gap <= tol:
        return "optimal"
    return f"best found, gap {gap:.1e}" if np.isfinite(gap) else "best found, gap unknown"


def _primal_notes(used: int, data: Inputs, rounds: int, target: float | None, x: np.ndarray, *,
                  npv: str = "NPV") -> tuple[str, ...]:
    notes = [f"Mixed-integer programme by constraint generation: {used:,} of {data.trials:,} scenarios entered "
             f"the programme in {rounds} rounds."]
    if target is not None:
        notes.append(f"Expected {npv} {float(data.mu @ x):,.0f} against the target {target:,.0f} (USD m).")
    return tuple(notes)


def _meets_tickets(prob: Problem, x: np.ndarray) -> bool:
    tol = TOL * prob.S
    return bool(np.all((x <= tol) | (x >= prob.ticket - tol)))


def _run_cg(prob: Problem, data: Inputs, confidence: float, fix_z: Vector | None, *, time_limit: float,
            mip_rel_gap: float, should_cancel: CancelFn | None, t0: float,
            initial: npt.NDArray[np.intp] | None = None) -> tuple[_CG, Solution, int]:
    cg = _CG(prob, data, confidence, fix_z, mip_rel_gap)
    if initial is None:
        initial = _start(prob, data.pnl, cg.k) if prob.n else np.arange(min(data.trials, cg.k))
    cg.add(initial)
    rounds = 0
    while True:
        check_cancel(should_cancel)
        rounds += 1
        sol = cg.solve(time_limit - (time.perf_counter() - t0))
        if sol.status == "infeasible":
            raise NoAllocation
        if not sol.has_solution:
            raise SolverFailed(f"The CVaR programme stopped ({sol.status}) before finding an allocation; "
                               "raise the time limit.")
        new = cg.violated(sol.values, max(cg.k, 200))
        if len(new) == 0:
            return cg, sol, rounds
        if sol.status == "time limit":
            return cg, sol, rounds
        cg.add(new)


def min_cvar(prob: Problem, data: Inputs, confidence: float, target: float | None, *, time_limit: float,
             mip_rel_gap: float, should_cancel: CancelFn | None = None) -> Outcome:
    """Minimum-CVaR allocation; the target (if any) must already be in ``prob`` (``with_target``)."""
    t0 = time.perf_counter()
    obj = Objective("CVaR", "USD m", prob.S, better="min")
    kw = _Budget(time_limit=time_limit, mip_rel_gap=mip_rel_gap, should_cancel=should_cancel, t0=t0)
    tickets = bool(np.any(prob.ticket > 0))
    if prob.n == 0:
        return Outcome(np.zeros(0), "optimal", 0.0, 0.0)
    relaxed, root = _continuous(prob, data, confidence, target, obj, t0=t0, time_limit=time_limit,
                                should_cancel=should_cancel)
    if not tickets or _meets_tickets(prob, relaxed.x):
        # Without tickets this is the answer; with tickets, a relaxation that already funds each project
        # at 0 or at least its ticket is optimal for the mixed-integer programme too (same duals).
        return relaxed
    k = tail_count(data.trials, confidence)
    if root.status != "optimal":
        return relaxed          # the relaxation itself was stopped: its status and gap say so
    done = _branch(prob, data, confidence, relaxed, root, k, kw)
    if done is not None:
        return done
    cg, sol, gap, status, rounds = _mixed_integer(prob, data, confidence, relaxed.x / prob.S, k, **kw)
    x = clean(prob, cg.b, sol.values)
    cvar = float(cvar_of(data.pnl @ x, confidence)[0])
    return Outcome(x, _mip_status(status, gap, mip_rel_gap), gap, cvar,
                   bindings(prob, cg.b, x, sol.row_dual, sol.col_dual, obj),
                   _primal_notes(int(cg.active.sum()), data, rounds, target, x, npv=prob.npv))
