"""Edits as pure commands: ``cmd.apply(scenario)`` returns the new scenario and the inverse.

The app wraps these in ``QUndoCommand`` objects on a ``QUndoStack``; snapshots restore
through :class:`ReplaceScenario`; the CLI and scripts use them directly. A command never
mutates the scenario it is given.

Rows are addressed by position in their table (the order the table is stored in).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import pandas as pd

from workbench import schema
from workbench.errors import WorkbenchError
from workbench.scenario import Scenario, coerce_table


class Command(Protocol):
    @property
    def label(self) -> str: ...

    def apply(self, scn: Scenario) -> tuple[Scenario, Command]: ...


class InvalidEdit(WorkbenchError, ValueError):
    """An edit that cannot be stored in its column; nothing was changed."""


def _cast(table: str, column: str, value: Any) -> Any:
    """A value in the column's canonical dtype (floats, text or bool; empty as NaN/None)."""
    col = schema.TABLES[table].by_name.get(column, schema.SHOCK_COLUMN)
    empty = value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
    if col.is_numeric:
        if empty:
            return math.nan
        try:
            return float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise InvalidEdit(f'{table} {column} must be a number, not "{value}".') from None
    if col.kind == "bool":
        parsed = schema.parse_bool(value) if not empty else True
        return True if parsed is None else parsed
    return None if empty else str(value)


def _check_row(table: str, frame: pd.DataFrame, row: int) -> None:
    if not 0 <= row < len(frame):
        raise InvalidEdit(f"{table} has {len(frame)} rows; there is no row {row + 1}.")


@dataclass(frozen=True)
class SetField:
    """Set one Scenario field (``value`` ``None`` empties it)."""

    name: str
    value: Any
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, SetField]:
        old = scn.fields.get(self.name)
        label = self.label or f"Set {self.name}"
        return scn.with_fields(**{self.name: self.value}), SetField(self.name, old, label)


@dataclass(frozen=True)
class SetCells:
    """Set several cells of one table at once (one typed value, or a pasted block)."""

    table: str
    cells: tuple[tuple[int, str, Any], ...]
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, SetCells]:
        frame = scn.table(self.table).copy()
        old = []
        for row, column, value in self.cells:
            if column not in frame.columns:
                raise InvalidEdit(f"{self.table} has no column {column}.")
            _check_row(self.table, frame, row)
            old.append((row, column, frame.at[row, column]))
            frame.at[row, column] = _cast(self.table, column, value)
        label = self.label or _cells_label(self.table, self.cells)
        return scn.with_table(self.table, frame), SetCells(self.table, tuple(reversed(old)), label)


def SetCell(table: str, row: int, column: str, value: Any, label: str = "") -> SetCells:  # noqa: N802
    """Set one cell."""
    return SetCells(table, ((row, column, value),), label)


def _cells_label(table: str, cells: tuple[tuple[int, str, Any], ...]) -> str:
    if len(cells) == 1:
        return f"Edit {table} {cells[0][1]}"
    return f"Paste {len(cells)} cells into {table}"


@dataclass(frozen=True)
class InsertRows:
    """Insert rows; each ``(position, row dict)`` gives the row's position afterwards."""

    table: str
    rows: tuple[tuple[int, dict[str, Any]], ...]
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, DeleteRows]:
        frame = scn.table(self.table)
        records = frame.to_dict("records")
        for pos, row in sorted(self.rows, key=lambda r: r[0]):
            if not 0 <= pos <= len(records):
                raise InvalidEdit(f"{self.table} has {len(records)} rows; cannot insert at row {pos + 1}.")
            records.insert(pos, {c: _cast(self.table, c, row.get(c)) for c in frame.columns})
        new = coerce_table(self.table, pd.DataFrame(records, columns=list(frame.columns)))
        label = self.label or f"Add {_rows(len(self.rows))} to {self.table}"
        return scn.with_table(self.table, new), DeleteRows(self.table, tuple(p for p, _ in self.rows), label)


@dataclass(frozen=True)
class DeleteRows:
    """Delete the rows at the given positions."""

    table: str
    positions: tuple[int, ...]
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, InsertRows]:
        frame = scn.table(self.table)
        gone = sorted(set(self.positions))
        for p in gone:
            _check_row(self.table, frame, p)
        removed = tuple((p, _row_dict(frame, p)) for p in gone)
        new = frame.drop(index=frame.index[gone]).reset_index(drop=True)
        label = self.label or f"Delete {_rows(len(gone))} from {self.table}"
        return scn.with_table(self.table, new), InsertRows(self.table, removed, label)


def DuplicateRows(scn: Scenario, table: str, positions: tuple[int, ...]) -> InsertRows:  # noqa: N802
    """Copies of the rows, each inserted below its original, with a fresh key."""
    frame = scn.table(table)
    key = schema.TABLES[table].key
    taken = {str(v) for v in frame[key[0]]} if key else set()
    rows = []
    for shift, p in enumerate(sorted(set(positions))):
        row = _row_dict(frame, p)
        if key and len(key) == 1:
            base = str(row[key[0]])
            n, new = 2, f"{base} (copy)"
            while new in taken:
                new, n = f"{base} (copy {n})", n + 1
            taken.add(new)
            row[key[0]] = new
        rows.append((p + 1 + shift, row))
    return InsertRows(table, tuple(rows), f"Duplicate {_rows(len(rows))} in {table}")


@dataclass(frozen=True)
class ReplaceTable:
    """Replace a whole table (a paste over everything, an import of one sheet)."""

    table: str
    frame: pd.DataFrame = field(compare=False)
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, ReplaceTable]:
        old = scn.table(self.table)
        label = self.label or f"Replace {self.table}"
        return scn.with_table(self.table, self.frame), ReplaceTable(self.table, old, label)


@dataclass(frozen=True)
class SetCorrelation:
    """Set the correlation of two sectors, keeping the matrix symmetric."""

    a: str
    b: str
    value: float
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, Command]:
        old_matrix = scn.correlations
        names = scn.sector_names
        corr = (old_matrix.copy() if old_matrix is not None
                else pd.DataFrame(0.0, index=names, columns=names))
        for s in (self.a, self.b):
            if s not in corr.index:
                corr.loc[s] = 0.0
            if s not in corr.columns:
                corr[s] = 0.0
        for s in corr.index:
            if s in corr.columns:
                corr.at[s, s] = 1.0
        corr.at[self.a, self.b] = float(self.value)
        corr.at[self.b, self.a] = float(self.value)
        label = self.label or f"Set correlation {self.a} / {self.b}"
        return replace(scn, correlations=corr), ReplaceCorrelations(old_matrix, label)


@dataclass(frozen=True)
class ReplaceCorrelations:
    matrix: pd.DataFrame | None = field(compare=False)
    label: str = "Replace correlations"

    def apply(self, scn: Scenario) -> tuple[Scenario, ReplaceCorrelations]:
        return replace(scn, correlations=self.matrix), ReplaceCorrelations(scn.correlations, self.label)


@dataclass(frozen=True)
class ApplyAllocation:
    """Write amounts (USD m by project ID) into ``Allocated (USD m)``; absent IDs get 0."""

    amounts: dict[str, float] = field(compare=False)
    label: str = "Apply allocation"
    clear_others: bool = True

    def apply(self, scn: Scenario) -> tuple[Scenario, ApplyAllocation]:
        frame = scn.projects.copy()
        old = {str(i): float(a) for i, a in zip(frame["ID"], frame["Allocated (USD m)"], strict=True)}
        new = [float(self.amounts.get(str(i), 0.0 if self.clear_others else a))
               for i, a in zip(frame["ID"], frame["Allocated (USD m)"], strict=True)]
        frame["Allocated (USD m)"] = pd.Series(new, dtype="float64")
        return scn.with_table("Projects", frame), ApplyAllocation(old, self.label, clear_others=False)


@dataclass(frozen=True)
class ReplaceScenario:
    """Replace everything (restore a snapshot, import a workbook, accept a merge)."""

    scenario: Scenario = field(compare=False)
    label: str = "Replace scenario"

    def apply(self, scn: Scenario) -> tuple[Scenario, ReplaceScenario]:
        return self.scenario, ReplaceScenario(scn, self.label)


@dataclass(frozen=True)
class Macro:
    """Several commands as one user action (one undo step)."""

    commands: tuple[Command, ...]
    label: str

    def apply(self, scn: Scenario) -> tuple[Scenario, Macro]:
        inverses = []
        for cmd in self.commands:
            scn, inv = cmd.apply(scn)
            inverses.append(inv)
        return scn, Macro(tuple(reversed(inverses)), self.label)


def _row_dict(frame: pd.DataFrame, position: int) -> dict[str, Any]:
    """The row at ``position`` by column name (a scenario table's columns are all text)."""
    return {str(k): v for k, v in frame.iloc[position].to_dict().items()}


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"
