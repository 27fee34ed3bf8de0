"""Validation after an edit: recheck what the edit can affect, reuse the rest.

:func:`workbench.validation.validate` checks the whole scenario (about half a second at
50,000 projects). After one edit most of that work gives the same answer again, so
:class:`IncrementalValidator` keeps the issues of the last scenario split by rule (and,
for the per-cell and per-project rules, by row) and, for an edit it understands,
recomputes only:

- the edited rows, for the rules that look at one row at a time (each cell against its
  column; a project's sector, state, ticket, allocation and start year);
- the whole of a rule that reads a table or column the edit touched (duplicate keys when a
  key column changed; financiers no project uses when Financing or a project's Financier
  changed; constraints when Constraints changed or a project column a constraint can name);
- nothing else.

The constraint groups' values that the Projects table gives (financiers, states, sponsors, IDs, start years) are
kept as counts across edits, so an edit of one project's sponsor updates two counts instead of reading 50,000
cells; the constraints and unused financiers are recomputed only when a group gains or loses a value.

The result is the same list, in the same order, as a full validation (a property test over
random edits compares them). Any edit it does not understand (rows inserted or deleted, a
replaced scenario, a table whose columns changed, an unknown command) is validated in full.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from workbench import validation as full
from workbench.issues import Issue
from workbench.scenario import Scenario
from workbench.schema import TABLES

if TYPE_CHECKING:
    from workbench.commands import Command

#: Which tables each rule reads ("Scenario" = the Scenario fields). A rule not listed here
#: (one added later) is taken to read everything, so it is always recomputed.
RULE_READS: dict[str, frozenset[str]] = {
    "_fields": frozenset({"Scenario"}),
    "_sectors": frozenset({"Sectors", "Projects"}),
    "_cells": frozenset(TABLES),
    "_duplicates": frozenset(TABLES),
    "_projects": frozenset({"Projects", "Sectors", "Scenario"}),
    "_financing": frozenset({"Financing", "Projects"}),
    "_constraints": frozenset({"Constraints", "Projects", "Sectors", "Scenario"}),
    "_correlations": frozenset({"Correlations", "Sectors"}),
    "_events": frozenset({"Risk events", "Sectors"}),
}
#: Project columns read by the rules that look at the whole Projects table.
_FINANCING_READS = frozenset({"Financier"})
_CONSTRAINT_READS = frozenset(full.GROUP_COLUMNS)
_SECTORS_READS = frozenset({"Include"})
#: Rules that are recomputed row by row when only some rows of a table changed.
_ROW_RULES = ("_cells", "_projects")


@dataclass(frozen=True)
class Touched:
    """What an edit changed: ``cells[table]`` is the set of ``(row, column)`` it set, or
    ``None`` when the whole table may have changed; ``fields`` whether Scenario fields changed;
    ``known`` is False when the edit cannot be described (validate everything)."""

    cells: dict[str, set[tuple[int, str]] | None]
    fields: bool = False
    known: bool = True

    @classmethod
    def unknown(cls) -> Touched:
        return cls({}, False, False)


def touched_by(command: Command) -> Touched:
    """What ``command`` (one of :mod:`workbench.commands`) changes, as far as validation is concerned."""
    from workbench import commands as c

    if isinstance(command, c.SetCells):
        return Touched({command.table: {(int(r), str(col)) for r, col, _v in command.cells}})
    if isinstance(command, c.SetField):
        return Touched({}, fields=True)
    if isinstance(command, c.SetCorrelation | c.ReplaceCorrelations):
        return Touched({"Correlations": None})
    if isinstance(command, c.ApplyAllocation):
        return Touched({"Projects": None})
    if isinstance(command, c.Macro):
        parts = [touched_by(cmd) for cmd in command.commands]
        if not all(p.known for p in parts):
            return Touched.unknown()
        cells: dict[str, set[tuple[int, str]] | None] = {}
        for p in parts:
            for table, got in p.cells.items():
                if table in cells:
                    have = cells[table]
                    cells[table] = None if have is None or got is None else have | got
                else:
                    cells[table] = None if got is None else set(got)
        return Touched(cells, any(p.fields for p in parts))
    return Touched.unknown()   # rows inserted or deleted, a table or the scenario replaced, anything else


class IncrementalValidator:
    """The issues of a changing scenario, recomputing after each edit only what it can affect.

    ``issues(scn)`` validates ``scn`` in full and remembers it; ``update(scn, command)``
    gives the issues of ``scn`` = the remembered scenario with ``command`` applied.
    """

    def __init__(self) -> None:
        self.scenario: Scenario | None = None
        self._parts: dict[str, list[Issue]] = {}
        self._structure: list[Issue] = []
        #: The constraint groups the Projects table gives (by project column): how many projects give each value,
        #: and the values given, counted by a full validation and kept across edits (``None`` when unknown).
        self._counts: dict[str, Counter[str]] | None = None
        self._groups: dict[str, set[str]] | None = None
        #: How the last call was answered: "full" or "incremental" (read by tests and benchmarks).
        self.last_mode = "full"

    def issues(self, scn: Scenario) -> list[Issue]:
        """Validate ``scn`` in full (the starting point for the next :meth:`update`)."""
        self.scenario = scn
        self._structure = list(full._structure(scn))
        missing = {(i.table, i.column) for i in self._structure}
        whole = full._with_all_columns(scn)
        self._parts = {rule.__name__: [i for i in rule(whole) if (i.table, i.column) not in missing]
                       for rule in full.RULES}
        self._count_groups(whole)
        self.last_mode = "full"
        return self._joined()

    def update(self, scn: Scenario, command: Command | None = None) -> list[Issue]:
        """The issues of ``scn``, which is the last scenario with ``command`` applied (``None``: unknown edit)."""
        old = self.scenario
        touched = touched_by(command) if command is not None else Touched.unknown()
        if old is None or self._structure or not touched.known or not _same_shape(old, scn, touched):
            return self.issues(scn)
        moved = self._follow_groups(old, scn, touched)
        for rule in full.RULES:
            name = rule.__name__
            reads = RULE_READS.get(name)
            if reads is None:
                self._parts[name] = list(rule(scn))
                continue
            hit = {t: touched.cells[t] for t in touched.cells if t in reads}
            if touched.fields and "Scenario" in reads:
                hit["Scenario"] = None
            if not hit or not _reads_columns(name, hit):
                continue
            rows_only = name in _ROW_RULES and all(v is not None for v in hit.values()) and "Scenario" not in hit
            if name == "_projects" and set(hit) != {"Projects"}:
                rows_only = False
            if name in ("_constraints", "_financing") and self._groups is not None:
                self._group_rule(name, scn, hit, moved)
            elif rows_only:   # every hit table has its edited cells (none is None)
                rows_hit = {t: v for t, v in hit.items() if v is not None}
                self._parts[name] = _recheck_rows(rule, scn, self._parts[name], rows_hit)
            elif name in ("_cells", "_duplicates") and "Scenario" not in hit:
                self._parts[name] = _per_table(rule, scn, self._parts[name], set(hit))
            else:
                self._parts[name] = list(rule(scn))
        self.scenario = scn
        self.last_mode = "incremental"
        return self._joined()

    def _follow_groups(self, old: Scenario, scn: Scenario, touched: Touched) -> set[str]:
        """Bring the kept group values from ``old`` to ``scn`` (counted again when the edit may have changed the whole
        Projects table); the project columns whose set of values changed."""
        cells = touched.cells.get("Projects", set())
        if cells is None or self._counts is None or self._groups is None:   # the whole table may have changed
            self._count_groups(scn)
            return set(full.GROUP_COLUMNS)
        edited = [(row, col) for row, col in cells if col in full.GROUP_COLUMNS]
        moved: set[str] = set()
        before, after = old.projects, scn.projects
        for row, col in edited:
            key = full.GROUP_COLUMNS[col][1]
            was, now = key(before[col].iat[row]), key(after[col].iat[row])
            if was == now:
                continue
            counts, values = self._counts[col], self._groups[col]
            if was is not None:
                counts[was] -= 1
                if counts[was] == 0:
                    del counts[was]
                    values.discard(was)
                    moved.add(col)
            if now is not None:
                counts[now] += 1
                if counts[now] == 1:
                    values.add(now)
                    moved.add(col)
        return moved

    def _count_groups(self, scn: Scenario) -> None:
        p = scn.projects
        self._counts = {}
        for col, (_group, key) in full.GROUP_COLUMNS.items():
            raw = Counter(p[col].tolist())          # each distinct cell value read once
            counts: Counter[str] = Counter(raw)     # most read as themselves (text IDs, sponsors): kept as they are
            for value, k in zip(raw, map(key, raw), strict=True):
                if k is not value:
                    n = counts.pop(value)
                    if k is not None:
                        counts[k] += n
            self._counts[col] = counts
        self._groups = {col: set(counts) for col, counts in self._counts.items()}

    def _group_rule(self, name: str, scn: Scenario, hit: dict[str, set[tuple[int, str]] | None],
                    moved: set[str]) -> None:
        """The constraints or unused financiers from the kept group values: again only when their input moved."""
        assert self._groups is not None
        reads = _CONSTRAINT_READS if name == "_constraints" else _FINANCING_READS
        if set(hit) == {"Projects"} and not moved & reads:
            return                          # a project edit that added or removed no group value
        if name == "_constraints":
            by_group = {full.GROUP_COLUMNS[col][0]: values for col, values in self._groups.items()}
            self._parts[name] = list(full._constraints(scn, full.group_values(scn, by_group)))
        else:
            self._parts[name] = list(full._financing(scn, used=self._groups["Financier"]))

    def _joined(self) -> list[Issue]:
        out = list(self._structure)
        for rule in full.RULES:
            out.extend(self._parts.get(rule.__name__, ()))
        return out


def validate_after(validator: IncrementalValidator, scn: Scenario, command: Command) -> list[Issue]:
    """Convenience for scripts: the issues of ``scn`` after ``command`` (validating in full the first time)."""
    if validator.scenario is None:
        return validator.issues(scn)
    return validator.update(scn, command)


# ------------------------------------------------------------------ internals
def _same_shape(old: Scenario, new: Scenario, touched: Touched) -> bool:
    """Whether ``new`` differs from ``old`` only where ``touched`` says (same columns and lengths elsewhere)."""
    for name in TABLES:
        a, b = old.table(name), new.table(name)
        if name not in touched.cells:
            if a is not b:
                return False
            continue
        if len(a) != len(b) or list(a.columns) != list(b.columns):
            return False
    if "Correlations" not in touched.cells and old.correlations is not new.correlations:
        return False
    return touched.fields or old.fields == new.fields


def _reads_columns(rule: str, hit: dict[str, set[tuple[int, str]] | None]) -> bool:
    """Whether a rule reading the hit tables reads one of the changed columns (Projects only; else yes)."""
    if set(hit) != {"Projects"} or hit["Projects"] is None:
        return True
    columns = {col for _r, col in hit["Projects"]}
    if rule == "_financing":
        return bool(columns & _FINANCING_READS)
    if rule == "_constraints":
        return bool(columns & _CONSTRAINT_READS)
    if rule == "_sectors":
        return bool(columns & _SECTORS_READS)
    if rule == "_duplicates":
        return bool(columns & set(TABLES["Projects"].key))
    return True


def _per_table(rule: full.Rule, scn: Scenario, before: list[Issue], tables: set[str]) -> list[Issue]:
    """Recompute a rule that goes table by table for ``tables`` only, keeping the table order."""
    fresh: dict[str | None, list[Issue]] = {t: [] for t in tables}
    for issue in rule(_only(scn, tables)):
        fresh.setdefault(issue.table, []).append(issue)
    out: list[Issue] = []
    for name in TABLES:
        out.extend(fresh[name] if name in tables else [i for i in before if i.table == name])
    return out


def _recheck_rows(rule: full.Rule, scn: Scenario, before: list[Issue],
                  hit: dict[str, set[tuple[int, str]]]) -> list[Issue]:
    """Recompute a row-by-row rule on the edited rows of the hit tables; keep the other rows' issues."""
    rows = {t: sorted({r for r, _c in cells}) for t, cells in hit.items()}
    sub = scn
    for name in TABLES:
        frame = scn.table(name)
        keep = rows.get(name, [])
        if name in rows or rule.__name__ == "_cells":   # _cells reads every table: show it only the edited rows
            sub = sub.with_table(name, frame.iloc[keep].reset_index(drop=True))
    fresh: dict[tuple[str | None, int], list[Issue]] = {}
    for issue in rule(sub):
        table_rows = rows.get(issue.table or "", [])
        if issue.row_index is None or issue.row_index >= len(table_rows):
            continue
        at = table_rows[issue.row_index]
        fresh.setdefault((issue.table, at), []).append(_moved(issue, issue.row_index, at, scn))
    if len(rows) == 1:
        table, gone = next(iter(rows)), set(next(iter(rows.values())))
        kept = [i for i in before if i.row_index not in gone or i.table != table]
    else:
        edited = {(t, r) for t, rs in rows.items() for r in rs}
        kept = [i for i in before if (i.table, i.row_index) not in edited]
    key = _order_key(rule.__name__)
    for group in fresh.values():   # a few issues into a long sorted list: insert each where it belongs
        for issue in group:
            bisect.insort_right(kept, issue, key=key)
    return kept


def _order_key(rule: str) -> Callable[[Issue], tuple[int | None, ...]]:
    """The order a full validation yields a row-by-row rule's issues in (sorting is stable)."""
    tables: dict[str | None, int] = {name: k for k, name in enumerate(TABLES)}
    if rule == "_cells":
        columns: dict[tuple[str | None, str | None], int] = {
            (name, col.name): k for name, t in TABLES.items() for k, col in enumerate(t.columns)}
        return lambda i: (tables.get(i.table, 99), columns.get((i.table, i.column), 999), i.row_index)
    return lambda i: (tables.get(i.table, 99), i.row_index)


def _moved(issue: Issue, sub_row: int, row: int, scn: Scenario) -> Issue:
    """An issue found on a one-row extract, placed back at ``row`` of the whole table."""
    key = issue.row
    if key == f"row {sub_row + 1}" and _key_text(scn, issue.table, row) != key:
        key = f"row {row + 1}"
    return replace(issue, row=key, row_index=row)


def _key_text(scn: Scenario, table: str | None, row: int) -> str | None:
    t = TABLES.get(table) if table is not None else None
    if table is None or t is None or not t.key:
        return None
    frame = scn.table(table)
    return " / ".join(str(frame[k].iat[row]) for k in t.key if k in frame.columns)


def _only(scn: Scenario, tables: Iterable[str]) -> Scenario:
    """``scn`` with every table but ``tables`` emptied (for rules that go table by table)."""
    keep = set(tables)
    out = scn
    for name in TABLES:
        if name not in keep:
            out = out.with_table(name, scn.table(name).iloc[0:0])
    return out
