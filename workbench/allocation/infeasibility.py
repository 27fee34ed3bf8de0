"""Infeasibility explained: an irreducible set of conflicting limits, named as the user wrote
them, with the least change to each that makes the whole problem feasible.

1. Elastic filter (Chinneck): every limit gets a slack; minimise the total slack; limits
   that needed slack become hard; repeat until the hard set alone is infeasible.
2. Deletion filter: drop each member of that set in turn (a large family as one unit first,
   then its members by bisection); if the rest is still infeasible it was not needed. What
   remains is an irreducible infeasible subset (IIS): infeasible, and feasible as soon as any
   one member is removed.
3. For each member, the least change: minimise its slack alone with every other limit
   hard. When changing it alone cannot help (another conflict remains), say so.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from workbench.allocation.formulation import Builder
from workbench.allocation.problem import TOL, Limit, Problem, fmt_share, fmt_usd
from workbench.allocation.solver import solve
from workbench.results import Conflict


class Infeasible(Exception):
    """No allocation satisfies every limit; ``conflicts`` is an irreducible conflicting set."""

    def __init__(self, conflicts: tuple[Conflict, ...], note: str = ""):
        self.conflicts = tuple(conflicts)
        self.note = note
        super().__init__(self.explain())

    def __reduce__(self):  # picklable across worker processes
        return (Infeasible, (self.conflicts, self.note))

    def explain(self) -> str:
        if not self.conflicts:
            return "No allocation satisfies every limit. " + (self.note or "")
        lines = [f"No allocation satisfies every limit. These {len(self.conflicts)} limits conflict (without any "
                 "one of them the rest could hold); the least change to each that lets every limit hold:"
                 if len(self.conflicts) > 1 else
                 "No allocation satisfies every limit. This limit cannot be met:"]
        for c in self.conflicts:
            lines.append(f"  - {c.source}: {c.change}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def as_json(self) -> list[dict]:
        return [{"source": c.source, "change": c.change,
                 "amount": c.amount if math.isfinite(c.amount) else None} for c in self.conflicts]


def _model(prob: Problem, elastic: set[int], hard: set[int], *, tickets: bool, share: bool = False):
    """Shares ``w`` (no upper bound: requests are limits too), binaries, and the chosen limits.

    ``share``: the elastic limits move together (one slack for all: the expanded rows of one
    ``*`` row, whose single written value is what the user would change)."""
    S, n = prob.S, prob.n
    b = Builder()
    b.add_cols(n, 0.0, np.inf)
    limits = prob.limits
    tick_idx = {lim.members[0]: j for j, lim in enumerate(limits) if lim.kind == "ticket"}
    ticketed = sorted(i for i, j in tick_idx.items() if (j in elastic or j in hard)) if tickets else []
    zcol = {}
    for i in ticketed:
        zcol[i] = b.add_cols(1, 0.0, 1.0, integer=True).start
    big = 10.0 + 2.0 * max([lim.value / S for lim in limits] + [1.0])
    slack_of: dict[int, int] = {}
    common = b.add_cols(1, 0.0, np.inf, 1.0).start if (share and elastic) else None
    for j in sorted(elastic):
        slack_of[j] = common if common is not None else b.add_cols(1, 0.0, np.inf, 1.0).start
    rows, lo, hi = [], [], []
    for j in sorted(elastic | hard):
        lim = limits[j]
        coeffs: dict[int, float] = {}
        if lim.kind == "ticket" and not tickets:
            continue  # the continuous relaxation: funded at any amount
        if lim.kind == "ticket":
            i = lim.members[0]
            coeffs = {i: 1.0, zcol[i]: -lim.value / S}
            r_lo, r_hi = 0.0, np.inf
        else:
            weights_ = lim.coeffs if lim.coeffs is not None else (1.0,) * len(lim.members)
            coeffs = {i: float(c) for i, c in zip(lim.members, weights_, strict=True) if c != 0}
            r_lo, r_hi = (lim.value / S, np.inf) if lim.sense == "min" else (-np.inf, lim.value / S)
        if j in slack_of:
            coeffs[slack_of[j]] = 1.0 if lim.sense == "min" else -1.0
        rows.append(coeffs)
        lo.append(r_lo)
        hi.append(r_hi)
    for i in ticketed:  # unfunded means zero
        rows.append({i: 1.0, zcol[i]: -big})
        lo.append(-np.inf)
        hi.append(0.0)
    nc = b.num_col
    if rows:
        data = [(r, c, v) for r, d in enumerate(rows) for c, v in d.items()]
        ri, ci, vi = zip(*data, strict=True) if data else ((), (), ())
        b.add_rows(sp.csr_matrix((vi, (ri, ci)), shape=(len(rows), nc)), np.array(lo), np.array(hi))
    return b.model(), slack_of


def _feasible(prob: Problem, hard: set[int], tickets: bool, time_limit: float) -> bool:
    model, _ = _model(prob, set(), hard, tickets=tickets)
    sol = solve(model, time_limit=time_limit)
    return sol.status != "infeasible"


def find_conflict(prob: Problem, *, tickets: bool = True, time_limit: float = 30.0) -> list[int] | None:
    """Indices (into ``prob.limits``) of an irreducible infeasible subset, or ``None`` if feasible."""
    everything = set(range(len(prob.limits)))
    hard: set[int] = set()
    tol = TOL * 1e-3
    while True:
        model, slack_of = _model(prob, everything - hard, hard, tickets=tickets)
        sol = solve(model, time_limit=time_limit)
        if sol.status == "infeasible":
            break
        if not sol.has_solution:
            return None
        needed = {j for j, col in slack_of.items() if sol.x[col] > tol}
        if not needed:
            return None
        hard |= needed | _active_family(prob, needed, sol.x[: prob.n] * prob.S, everything - hard)
    # Deletion filter over units (a limit, or a large family of limits together: see ``units``),
    # the project bounds first, so the IIS keeps the user's rows where it can.
    keep = set(hard)
    whole = units(prob, hard)
    for unit in whole:
        trial = keep - set(unit)
        if not _feasible(prob, trial, tickets, time_limit):
            keep = trial
    # A family kept whole may still hold members the conflict does not need (e.g. the requests of
    # projects outside the conflicting rows, made hard because they were tight): bisect it.
    for unit in whole:
        if len(unit) > 1 and set(unit) <= keep:
            keep = _delete(prob, keep, unit, tickets, time_limit, needed=True)
    return sorted(keep)


def _delete(prob: Problem, keep: set[int], unit: tuple[int, ...], tickets: bool, time_limit: float,
            needed: bool = False) -> set[int]:
    """``keep`` without the members of ``unit`` it does not need to stay infeasible.

    The whole unit goes if the rest stays infeasible; otherwise each half is tried in turn, down
    to single members (a bisection: a family of ``n`` of which ``k`` matter costs about
    ``2 k log2(n / k)`` solves, at most ``2 n``). Every member kept was found needed by a test on a
    superset of the final set, so the result stays irreducible member by member. ``needed``:
    already known that the rest without ``unit`` is feasible (the test is skipped)."""
    if not needed:
        trial = keep - set(unit)
        if not _feasible(prob, trial, tickets, time_limit):
            return trial
    if len(unit) == 1:
        return keep
    half = len(unit) // 2
    first, second = unit[:half], unit[half:]
    after = _delete(prob, keep, first, tickets, time_limit)
    # If all of ``first`` went, ``keep - unit`` (known feasible) is what removing ``second`` leaves.
    return _delete(prob, after, second, tickets, time_limit, needed=after == keep - set(first))


def _active_family(prob: Problem, needed: set[int], x: np.ndarray, candidates: set[int]) -> set[int]:
    """Members of the families of ``needed`` that hold with equality at ``x`` (USD m).

    With a least-total-slack objective, the slack moves to one member of a large family at a
    time (one request after another), so the elastic filter would take one round per member;
    making the family's tight members hard at once takes one round per family."""
    fams = {family(prob.limits[j]) for j in needed if prob.limits[j].kind != "ticket"}
    tol = TOL * prob.S
    out = set()
    for k in candidates:
        lim = prob.limits[k]
        if lim.kind != "ticket" and family(lim) in fams and abs(lim.activity(x) - lim.value) <= tol:
            out.add(k)
    return out


#: A family with more members than this in a conflict is tested and reported as one item.
FAMILY = 8


def family(lim: Limit) -> str:
    """Limits that a user would change together: all requests, all tickets, the rows of one ``*`` row."""
    if lim.kind in ("request", "ticket"):
        return lim.kind
    if lim.kind == "constraint" and " * " in lim.label:
        return lim.label.rsplit(" (", 1)[0]
    return lim.label


def units(prob: Problem, idx) -> list[tuple[int, ...]]:
    """``idx`` split into deletion units: large families together, everything else alone."""
    groups: dict[str, list[int]] = {}
    for j in sorted(idx):
        groups.setdefault(family(prob.limits[j]), []).append(j)
    out = []
    for members in groups.values():
        out.extend([tuple(members)] if len(members) > FAMILY else [(j,) for j in members])
    return sorted(out, key=lambda u: (prob.limits[u[0]].kind not in ("request", "ticket"), u[0]))


def least_change(prob: Problem, j, *, tickets: bool, time_limit: float, share: bool = False) -> float:
    """The least change (USD m) of limit ``j`` (or of the limits in ``j`` together) that makes
    every limit hold; ``inf`` if none. ``share``: one common change for all of them."""
    unit = {j} if isinstance(j, int) else set(j)
    others = set(range(len(prob.limits))) - unit
    model, slack_of = _model(prob, unit, others, tickets=tickets, share=share)
    sol = solve(model, time_limit=time_limit)
    if not sol.has_solution:
        return math.inf
    cols = sorted(set(slack_of.values()))
    return float(np.sum(sol.x[cols])) * prob.S


def change_text(lim: Limit, amount: float, S: float) -> str:
    if not math.isfinite(amount):
        return "changing this one alone cannot make every limit hold: another conflict remains"
    by = f"(by USD {fmt_usd(_up(amount))} m)"
    if lim.kind == "size":
        return f"raise the programme size to USD {(lim.value + amount) / 1000:,.6g} bn {by}"
    if lim.unit == "share":
        if lim.sense == "min":
            new = math.floor((lim.value - amount) / S * 1e4 + 1e-9) / 1e4
            return f"lower it to {fmt_share(max(new, 0.0))} {by}"
        new = math.ceil((lim.value + amount) / S * 1e4 - 1e-9) / 1e4
        return f"raise it to {fmt_share(new)} {by}"
    if lim.sense == "min":
        return f"lower it to {fmt_usd(max(_down(lim.value - amount), 0.0))} {by}"
    return f"raise it to {fmt_usd(_up(lim.value + amount))} {by}"


def _up(x: float) -> float:
    return float(math.ceil(x * 10 - 1e-6) / 10)


def _down(x: float) -> float:
    return float(math.floor(x * 10 + 1e-6) / 10)


def explain(prob: Problem, *, tickets: bool = True, time_limit: float = 30.0) -> Infeasible | None:
    """The :class:`Infeasible` explaining why ``prob`` has no allocation, or ``None`` if it has one."""
    iis = find_conflict(prob, tickets=tickets, time_limit=time_limit)
    if iis is None:
        return None
    conflicts = []
    for unit in units(prob, iis):
        lim = prob.limits[unit[0]]
        if len(unit) == 1:
            amount = least_change(prob, unit[0], tickets=tickets, time_limit=time_limit)
            conflicts.append(Conflict(lim.label, change_text(lim, amount, prob.S), amount))
            continue
        ids = [prob.ids[prob.limits[j].members[0]] for j in unit] if lim.kind in ("request", "ticket") else \
            [prob.limits[j].label.rsplit(" (", 1)[-1].rstrip(")") for j in unit]
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        if lim.kind in ("request", "ticket"):
            amount = least_change(prob, unit, tickets=tickets, time_limit=time_limit)
            what = "Requested" if lim.kind == "request" else "Minimum ticket"
            verb = "raise" if lim.kind == "request" else "lower"
            change = (f"{verb} them by USD {fmt_usd(_up(amount))} m in total" if math.isfinite(amount) else
                      "changing them alone cannot make every limit hold: another conflict remains")
            conflicts.append(Conflict(f"Projects: {what} of {len(ids)} projects ({shown})", change, amount))
        else:   # the expanded rows of one '*' row: one written value, one common change
            amount = least_change(prob, unit, tickets=tickets, time_limit=time_limit, share=True)
            conflicts.append(Conflict(f"{family(lim)} (binding for {len(ids)} of its values: {shown})",
                                      change_text(lim, amount, prob.S), amount))
    conflicts.sort(key=lambda c: (c.source.startswith("Projects"), c.source))
    return Infeasible(tuple(conflicts), _together(prob, iis, conflicts, tickets, time_limit))


def _together(prob: Problem, iis, conflicts: list[Conflict], tickets: bool, time_limit: float) -> str:
    """For requests (or tickets) listed one by one of which none alone can help: their least total change."""
    alone = {c.source: c.amount for c in conflicts}
    notes = []
    for kind, what, verb in (("request", "requests", "raising"), ("ticket", "minimum tickets", "lowering")):
        unit = tuple(j for j in iis if prob.limits[j].kind == kind)
        if not 1 < len(unit) <= FAMILY or any(math.isfinite(alone.get(prob.limits[j].label, 0.0)) for j in unit):
            continue
        amount = least_change(prob, unit, tickets=tickets, time_limit=time_limit)
        if math.isfinite(amount):
            ids = [prob.ids[prob.limits[j].members[0]] for j in unit]
            notes.append(f"Together: {verb} the {what} of these {len(ids)} projects ({', '.join(ids)}) by USD "
                         f"{fmt_usd(_up(amount))} m in total would let every limit hold.")
    return " ".join(notes)


__all__ = ["Infeasible", "explain", "find_conflict", "least_change"]
