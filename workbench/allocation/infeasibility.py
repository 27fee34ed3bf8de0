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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from workbench.allocation.formulation import Builder
from workbench.allocation.problem import TOL, Limit, Problem, _missing, build_problem, fmt_share, fmt_usd, with_target
from workbench.allocation.solver import solve
from workbench.errors import WorkbenchError
from workbench.results import Conflict
from workbench.scenario import Scenario

if TYPE_CHECKING:
    from workbench.allocation.solver import Model
    from workbench.commands import Command, Macro


@dataclass(frozen=True)
class ConflictSet:
    """One irreducible conflicting set, its members as the user wrote them with the least change to
    each that resolves it, and (``note``) the least total change of members none of which can alone."""

    conflicts: tuple[Conflict, ...]
    note: str = ""


@dataclass(frozen=True)
class Edit:
    """One cell of the user's scenario that the repair changes."""

    source: str     # the limit as the user wrote it: "Constraints row 2: Sector Alpha min share 0.50"
    where: str      # the cell: "Constraints row 2, Min share", "Scenario, Programme size (USD bn)"
    old: float      # as written there (a share, USD m, or USD bn for the programme size)
    new: float
    text: str       # "Constraints row 2, Min share: 0.50 -> 0.40"
    command: Command = field(repr=False, compare=False)   # the pure command that makes this edit


@dataclass(frozen=True)
class Repair:
    """One combined change of the user's own cells that makes every limit hold, proven by a re-solve.

    ``command`` applies every edit as one undoable step (a :class:`~workbench.commands.Macro`);
    ``relative`` is the total relative change (the sum over the changed limits of change / value)."""

    edits: tuple[Edit, ...]
    relative: float
    command: Macro = field(repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready (values of any JSON type)."""
        return {"total_relative_change": self.relative, "proven": True,
                "edits": [{"source": e.source, "cell": e.where, "old": e.old, "new": e.new, "text": e.text}
                          for e in self.edits]}


class Infeasible(WorkbenchError):
    """No allocation satisfies every limit.

    ``sets``: every independent conflict found (disjoint irreducible conflicting sets, the smallest
    first); ``conflicts``: their members, in that order; ``repair``: one combined least change of the
    user's cells that makes every limit hold (``None`` when it could not be computed or proven)."""

    def __init__(self, conflicts: tuple[Conflict, ...], note: str = "", sets: tuple[ConflictSet, ...] | None = None,
                 repair: Repair | None = None, repair_note: str = ""):
        self.conflicts = tuple(conflicts)
        self.note = note
        self.sets = tuple(sets) if sets is not None else ((ConflictSet(self.conflicts, note),) if conflicts else ())
        self.repair = repair
        self.repair_note = repair_note
        super().__init__(self.explain())

    def __reduce__(self) -> tuple[type[Infeasible], tuple[Any, ...]]:  # picklable across worker processes
        return (Infeasible, (self.conflicts, self.note, self.sets, self.repair, self.repair_note))

    def explain(self) -> str:
        if not self.conflicts:
            return "No allocation satisfies every limit. " + (self.note or "")
        lines = []
        if len(self.sets) > 1:
            lines.append(f"No allocation satisfies every limit. {len(self.sets)} independent conflicts (no limit is "
                         "in two of them, so each must be resolved):")
            for k, group in enumerate(self.sets, start=1):
                lines.append(f"Conflict {k} of {len(self.sets)}: these {len(group.conflicts)} limits conflict "
                             "(without any one of them the rest of this conflict could hold); the least change to "
                             "each that resolves this conflict:" if len(group.conflicts) > 1 else
                             f"Conflict {k} of {len(self.sets)}: this limit cannot be met:")
                lines += [f"  - {c.source}: {c.change}" for c in group.conflicts]
                if group.note:
                    lines.append("  " + group.note)
        else:
            lines.append(f"No allocation satisfies every limit. These {len(self.conflicts)} limits conflict (without "
                         "any one of them the rest could hold); the least change to each that lets every limit hold:"
                         if len(self.conflicts) > 1 else
                         "No allocation satisfies every limit. This limit cannot be met:")
            lines += [f"  - {c.source}: {c.change}" for c in self.conflicts]
            if self.note:
                lines.append(self.note)
        if self.repair is not None:
            n = len(self.repair.edits)
            lines.append(f"One combined change that makes every limit hold (the least total relative change of "
                         f"your limits: {100 * self.repair.relative:,.3g} % summed over {n} "
                         f"{'cell' if n == 1 else 'cells'}; proven: with it applied the allocation was solved "
                         "again and every limit holds):")
            lines += [f"  - {e.text}" for e in self.repair.edits]
        elif self.repair_note:
            lines.append(self.repair_note)
        return "\n".join(lines)

    def as_json(self) -> list[dict[str, Any]]:
        """Every member of every conflict; ``conflict`` numbers the independent conflicts from 1."""
        groups = self.sets or (ConflictSet(self.conflicts),)
        return [{"conflict": k, "source": c.source, "change": c.change,
                 "amount": c.amount if math.isfinite(c.amount) else None}
                for k, group in enumerate(groups, start=1) for c in group.conflicts]

    def repair_json(self) -> dict[str, Any] | None:
        """The combined repair (``None`` when there is none)."""
        return None if self.repair is None else self.repair.as_json()


def _model(prob: Problem, elastic: set[int], hard: set[int], *, tickets: bool, share: bool = False,
           key: Mapping[int, object] | None = None, cost: Mapping[int, float] | None = None,
           scale_with_size: bool = False) -> tuple[Model, dict[int, int]]:
    """Shares ``w`` (no upper bound: requests are limits too), binaries, and the chosen limits.

    ``share``: the elastic limits move together (one slack for all: the expanded rows of one
    ``*`` row, whose single written value is what the user would change). ``key``: elastic limits
    with the same key share one slack (one written cell); ``cost``: the price of each limit's slack
    per unit (default 1). ``scale_with_size``: limits written as shares move with the programme
    size, so the size limit's slack raises (or lowers) them in proportion."""
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
    by_key: dict[object, int] = {}
    for j in sorted(elastic):
        if common is not None:
            slack_of[j] = common
            continue
        k = key.get(j, ("limit", j)) if key is not None else ("limit", j)
        if k not in by_key:
            by_key[k] = b.add_cols(1, 0.0, np.inf, 1.0 if cost is None else cost.get(j, 1.0)).start
        slack_of[j] = by_key[k]
    size_j = next((j for j in elastic if limits[j].kind == "size"), None) if scale_with_size else None
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
            coeffs[slack_of[j]] = coeffs.get(slack_of[j], 0.0) + (1.0 if lim.sense == "min" else -1.0)
        if size_j is not None and lim.unit == "share" and lim.kind == "constraint":
            col = slack_of[size_j]
            coeffs[col] = coeffs.get(col, 0.0) - lim.value / S
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


def find_conflict(prob: Problem, *, tickets: bool = True, time_limit: float = 30.0,
                  pool: set[int] | None = None) -> list[int] | None:
    """Indices (into ``prob.limits``) of an irreducible infeasible subset, or ``None`` if feasible.

    ``pool``: only these limits (the others are left out, as if the user had deleted them)."""
    everything = set(range(len(prob.limits))) if pool is None else set(pool)
    hard: set[int] = set()
    tol = TOL * 1e-3
    while True:
        model, slack_of = _model(prob, everything - hard, hard, tickets=tickets)
        sol = solve(model, time_limit=time_limit)
        if sol.status == "infeasible":
            break
        if not sol.has_solution:
            return None
        x = sol.values
        needed = {j for j, col in slack_of.items() if x[col] > tol}
        if not needed:
            return None
        hard |= needed | _active_family(prob, needed, x[: prob.n] * prob.S, everything - hard)
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


def units(prob: Problem, idx: Iterable[int]) -> list[tuple[int, ...]]:
    """``idx`` split into deletion units: large families together, everything else alone."""
    groups: dict[str, list[int]] = {}
    for j in sorted(idx):
        groups.setdefault(family(prob.limits[j]), []).append(j)
    out: list[tuple[int, ...]] = []
    for members in groups.values():
        out.extend([tuple(members)] if len(members) > FAMILY else [(j,) for j in members])
    return sorted(out, key=lambda u: (prob.limits[u[0]].kind not in ("request", "ticket"), u[0]))


def least_change(prob: Problem, j: int | tuple[int, ...], *, tickets: bool, time_limit: float, share: bool = False,
                 dropped: frozenset[int] | set[int] = frozenset()) -> float:
    """The least change (USD m) of limit ``j`` (or of the limits in ``j`` together) that makes
    every limit hold; ``inf`` if none. ``share``: one common change for all of them.
    ``dropped``: limits left out (the members of the other, independent conflicts)."""
    unit = {j} if isinstance(j, int) else set(j)
    others = set(range(len(prob.limits))) - unit - set(dropped)
    model, slack_of = _model(prob, unit, others, tickets=tickets, share=share)
    sol = solve(model, time_limit=time_limit)
    if not sol.has_solution:
        return math.inf
    cols = sorted(set(slack_of.values()))
    return float(np.sum(sol.values[cols])) * prob.S


def change_text(lim: Limit, amount: float, S: float) -> str:
    if not math.isfinite(amount):
        return ALONE
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


#: What a member's least change says when changing it alone cannot resolve its conflict.
ALONE = "changing this one alone cannot resolve this conflict: other limits must change too"


def conflicts(prob: Problem, *, tickets: bool = True, time_limit: float = 30.0) -> list[list[int]]:
    """Every independent conflict: disjoint irreducible infeasible subsets, the smallest first.

    Found one after another: the next is searched among the limits in no conflict found so far
    (the others left out), until those limits alone can all hold. Each is irreducible, so none
    can be resolved by resolving another; a repair must change at least one limit of each."""
    everything = set(range(len(prob.limits)))
    found: list[list[int]] = []
    used: set[int] = set()
    while True:
        iis = find_conflict(prob, tickets=tickets, time_limit=time_limit, pool=everything - used)
        if not iis:
            break
        found.append(iis)
        used |= set(iis)
    return sorted(found, key=lambda iis: (len(units(prob, iis)), len(iis), iis[0]))


def explain(prob: Problem, *, tickets: bool = True, time_limit: float = 30.0,
            scn: Scenario | None = None) -> Infeasible | None:
    """The :class:`Infeasible` explaining why ``prob`` has no allocation, or ``None`` if it has one.

    With ``scn`` (the scenario ``prob`` was built from) it also carries a :class:`Repair`, proven by
    solving the repaired scenario again."""
    found = conflicts(prob, tickets=tickets, time_limit=time_limit)
    if not found:
        return None
    used = set().union(*map(set, found))
    sets = []
    for iis in found:
        dropped = used - set(iis)
        members = _describe(prob, iis, tickets, time_limit, dropped)
        sets.append(ConflictSet(tuple(members), _together(prob, iis, members, tickets, time_limit, dropped)))
    repair, repair_note = (None, "")
    if scn is not None:
        try:
            repair = find_repair(scn, prob, tickets=tickets, time_limit=time_limit)
        except (ValueError, KeyError, IndexError, TypeError):   # a cell the commands refuse: no proven repair
            repair = None
        if repair is None:
            repair_note = ("No combined change of the limits could be proven to make every limit hold; "
                           "change the limits above and run again.")
    flat = tuple(c for group in sets for c in group.conflicts)
    note = sets[0].note if len(sets) == 1 else ""
    return Infeasible(flat, note, tuple(sets), repair, repair_note)


def _describe(prob: Problem, iis: list[int], tickets: bool, time_limit: float, dropped: set[int]) -> list[Conflict]:
    """The members of one conflict as the user wrote them, each with its least change (the other
    conflicts' limits left out: the change resolves this conflict)."""
    out = []
    for unit in units(prob, iis):
        lim = prob.limits[unit[0]]
        if len(unit) == 1:
            amount = least_change(prob, unit[0], tickets=tickets, time_limit=time_limit, dropped=dropped)
            change = change_text(lim, amount, prob.S)
            if not math.isfinite(amount):
                change = _blockers(prob, unit, iis, tickets, time_limit, dropped) or change
            out.append(Conflict(lim.label, change, amount))
            continue
        ids = [prob.ids[prob.limits[j].members[0]] for j in unit] if lim.kind in ("request", "ticket") else \
            [prob.limits[j].label.rsplit(" (", 1)[-1].rstrip(")") for j in unit]
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        if lim.kind in ("request", "ticket"):
            amount = least_change(prob, unit, tickets=tickets, time_limit=time_limit, dropped=dropped)
            what = "Requested" if lim.kind == "request" else "Minimum ticket"
            verb = "raise" if lim.kind == "request" else "lower"
            change = (f"{verb} them by USD {fmt_usd(_up(amount))} m in total" if math.isfinite(amount) else
                      "changing them alone cannot resolve this conflict: other limits must change too")
            out.append(Conflict(f"Projects: {what} of {len(ids)} projects ({shown})", change, amount))
        else:   # the expanded rows of one '*' row: one written value, one common change
            amount = least_change(prob, unit, tickets=tickets, time_limit=time_limit, share=True, dropped=dropped)
            out.append(Conflict(f"{family(lim)} (binding for {len(ids)} of its values: {shown})",
                                change_text(lim, amount, prob.S), amount))
    out.sort(key=lambda c: (c.source.startswith("Projects"), c.source))
    return out


def _blockers(prob: Problem, unit: tuple[int, ...], iis: list[int], tickets: bool, time_limit: float,
              dropped: set[int]) -> str:
    """For a member whose change alone cannot resolve its conflict: the limits outside the conflict
    that would still stand in the way (found as a conflict among the limits without this member);
    empty when there are none to add (the conflict's own members are the obstacle)."""
    pool = set(range(len(prob.limits))) - set(unit) - set(dropped)
    other = find_conflict(prob, tickets=tickets, time_limit=time_limit, pool=pool) or []
    outside = sorted((j for j in other if j not in set(iis)),
                     key=lambda j: (prob.limits[j].kind in ("request", "ticket"), j))
    if not outside:
        return ""
    names = [prob.limits[j].label for j in outside]
    shown = "; ".join(names[:4]) + (f"; and {len(names) - 4} more" if len(names) > 4 else "")
    return f"changing this one alone is not enough: these limits also stand in the way: {shown}"


def _together(prob: Problem, iis: list[int], members: list[Conflict], tickets: bool, time_limit: float,
              dropped: set[int]) -> str:
    """For requests (or tickets) listed one by one of which none alone can help: their least total change."""
    alone = {c.source: c.amount for c in members}
    notes = []
    for kind, what, verb in (("request", "requests", "raising"), ("ticket", "minimum tickets", "lowering")):
        unit = tuple(j for j in iis if prob.limits[j].kind == kind)
        if not 1 < len(unit) <= FAMILY or any(math.isfinite(alone.get(prob.limits[j].label, 0.0)) for j in unit):
            continue
        amount = least_change(prob, unit, tickets=tickets, time_limit=time_limit, dropped=dropped)
        if math.isfinite(amount):
            ids = [prob.ids[prob.limits[j].members[0]] for j in unit]
            notes.append(f"Together: {verb} the {what} of these {len(ids)} projects ({', '.join(ids)}) by USD "
                         f"{fmt_usd(_up(amount))} m in total would let every limit hold.")
    return " ".join(notes)


# ---------------------------------------------------------------- the combined repair
@dataclass(frozen=True)
class Cell:
    """Where the user wrote a limit: a table cell (``row`` its position) or a Scenario field (``row`` -1)."""

    table: str
    row: int
    column: str
    written: float
    where: str


_CONSTRAINT_COLUMN = {("min", "share"): "Min share", ("max", "share"): "Max share",
                      ("min", "usd"): "Min (USD m)", ("max", "usd"): "Max (USD m)"}
_ROW = re.compile(r"^Constraints row (\d+):")
SIZE_FIELD, TARGET_FIELD = "Programme size (USD bn)", "Target expected P&L (USD m)"


def cells(scn: Scenario, prob: Problem) -> dict[int, Cell]:
    """The cell each limit of ``prob`` (built from ``scn``) was written in, by limit index."""
    out: dict[int, Cell] = {}
    included = [r for r, inc in enumerate(scn.projects_effective()["Include"]) if bool(inc)]
    fin = scn.financing
    capacity_rows = [r for r in range(len(fin)) if not _missing(fin.iloc[r]["Financier"])
                     and not _missing(fin.iloc[r]["Capacity (USD m)"])]
    k = 0
    for j, lim in enumerate(prob.limits):
        if lim.kind == "constraint":
            m = _ROW.match(lim.label)
            if m:
                col = _CONSTRAINT_COLUMN[(lim.sense, lim.unit)]
                what = re.split(r" (?:min|max) ", lim.label[m.end():].strip(), maxsplit=1)[0]
                out[j] = Cell("Constraints", int(m.group(1)) - 1, col, lim.written,
                              f"Constraints row {m.group(1)} ({what}), {col}")
        elif lim.kind == "capacity":
            if k < len(capacity_rows):
                r = capacity_rows[k]
                shown = lim.label.removeprefix("Financing: ").rsplit(" capacity ", 1)[0]
                out[j] = Cell("Financing", r, "Capacity (USD m)", lim.written,
                              f"Financing row {r + 1} ({shown}), Capacity (USD m)")
            k += 1
        elif lim.kind == "size":
            out[j] = Cell("Scenario", -1, SIZE_FIELD, prob.S / 1000.0, f"Scenario, {SIZE_FIELD}")
        elif lim.kind == "target":
            out[j] = Cell("Scenario", -1, TARGET_FIELD, lim.value, f"Scenario, {TARGET_FIELD}")
        elif lim.kind in ("request", "ticket"):
            col = "Requested (USD m)" if lim.kind == "request" else "Minimum ticket (USD m)"
            pid = prob.ids[lim.members[0]]
            out[j] = Cell("Projects", included[lim.members[0]], col, lim.value, f"Projects {pid}, {col}")
    return out


#: A limit's relative change is its change divided by its value, or by this share of the programme
#: size when the value is smaller (a limit of 0 would otherwise cost infinitely much to move).
RELATIVE_FLOOR = 1e-3


def find_repair(scn: Scenario, prob: Problem, *, tickets: bool = True, time_limit: float = 30.0) -> Repair | None:
    """One combined change of the user's cells that makes every limit hold, with the least total
    relative change; ``None`` when none can be proven.

    An elastic programme: every limit the user wrote gets a slack, the expanded rows of one ``*``
    row share one (one written value), and the total of slack / value is minimised; the programme
    size may change too (limits written as shares then move with it). The new values are rounded
    outward (shares to 4 decimals, USD m to 0.1, the size to USD 1 m), applied to the scenario with
    the real commands, and the repaired scenario is solved again: the repair is returned only if
    every limit holds there and validation finds no error. If raising the size does not survive
    that check, the repair is sought again with the size fixed."""
    where = cells(scn, prob)
    for with_size in (True, False):
        repair = _try_repair(scn, prob, where, tickets, time_limit, with_size)
        if repair is not None:
            return repair
    return None


def _try_repair(scn: Scenario, prob: Problem, where: dict[int, Cell], tickets: bool, time_limit: float,
                with_size: bool) -> Repair | None:
    from workbench.commands import Macro, SetCell, SetField
    from workbench.validation import validate

    everything = set(range(len(prob.limits)))
    elastic = {j for j in where if with_size or prob.limits[j].kind != "size"}
    key = {j: (where[j].table, where[j].row, where[j].column) for j in elastic}
    floor = RELATIVE_FLOOR * prob.S
    cost = {j: prob.S / max(abs(prob.limits[j].value), floor) for j in elastic}
    model, slack_of = _model(prob, elastic, everything - elastic, tickets=tickets, key=key, cost=cost,
                             scale_with_size=with_size)
    sol = solve(model, time_limit=time_limit)
    if not sol.has_solution or sol.status == "infeasible":
        return None
    tol = TOL * 1e-3
    edits: list[Edit] = []
    relative = 0.0
    done: set[tuple[str, int, str]] = set()
    for j in sorted(elastic, key=lambda j: _order(where[j])):
        cell, lim = where[j], prob.limits[j]
        if key[j] in done:
            continue
        done.add(key[j])
        slack = float(sol.values[slack_of[j]])
        if slack <= tol:
            continue
        new = _new_value(lim, cell, slack, prob.S)
        if new == cell.written:
            continue
        relative += slack * cost[j]
        cmd: Command
        if cell.table == "Scenario":
            cmd = SetField(cell.column, new, f"Set {cell.column}")
        else:
            cmd = SetCell(cell.table, cell.row, cell.column, new)
        text = f"{cell.where}: {_shown(lim, cell, cell.written)} -> {_shown(lim, cell, new)}"
        edits.append(Edit(lim.label, cell.where, cell.written, new, text, cmd))
    if not edits:
        return None
    macro = Macro(tuple(e.command for e in edits), "Apply the changes that make every limit hold")
    repaired, _ = macro.apply(scn)
    if any(i.is_error for i in validate(repaired)):
        return None
    again = build_problem(repaired)
    target = next((lim for lim in prob.limits if lim.kind == "target"), None)
    if target is not None:
        again = with_target(again, np.asarray(target.coeffs, float), float(repaired.field(TARGET_FIELD)))
    if again.ids != prob.ids or not _feasible(again, set(range(len(again.limits))), tickets, time_limit):
        return None
    return Repair(tuple(edits), relative, macro)


def _order(cell: Cell) -> tuple[int, int, str]:
    return (("Scenario", "Constraints", "Financing", "Projects").index(cell.table), cell.row, cell.column)


def _new_value(lim: Limit, cell: Cell, slack: float, S: float) -> float:
    """The written value after a slack of ``slack`` (shares of the programme), rounded outward."""
    if lim.kind == "size":
        return math.ceil((cell.written * 1000.0 + slack * S) - 1e-6) / 1000.0
    if lim.unit == "share" and lim.kind == "constraint":
        if lim.sense == "min":
            return max(math.floor((cell.written - slack) * 1e4 + 1e-9) / 1e4, 0.0)
        return math.ceil((cell.written + slack) * 1e4 - 1e-9) / 1e4
    amount = slack * S
    if lim.sense == "min":
        new = _down(cell.written - amount)
        return new if lim.kind == "target" else max(new, 0.0)
    return _up(cell.written + amount)


def _shown(lim: Limit, cell: Cell, value: float) -> str:
    if lim.kind == "size":
        return f"{value:,.6g}"
    if lim.unit == "share" and lim.kind == "constraint":
        return fmt_share(value)
    return fmt_usd(value)


__all__ = ["ConflictSet", "Edit", "Infeasible", "Repair", "conflicts", "explain", "find_conflict", "find_repair",
           "least_change"]
