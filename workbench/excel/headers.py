"""Finding tables in sheets: sheet names, the header row, column names and synonyms.

Names match case-insensitively, ignoring spaces, punctuation and unit suffixes, and
accept the synonyms of :mod:`workbench.schema`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from workbench.excel.units import Unit, split_header
from workbench.schema import Column, Table

#: A value as the reader gets it from a workbook cell: text (an error value is a
#: :class:`~workbench.excel.cells.CellError`, a ``str``), a number, a truth value, a date or
#: time, or empty (``None`` or ``""``); the readers narrow it with ``isinstance``.
RawValue: TypeAlias = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
#: A sheet's values, row by row.
RawRows: TypeAlias = list[list[RawValue]]
#: A merged range as ``((first row, first column), (last row, last column))``, 0-based.
Merge: TypeAlias = tuple[tuple[int, int], tuple[int, int]]

#: The header row may sit below title rows, anywhere in the first this many rows.
HEADER_SEARCH_ROWS = 20

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def norm(text: object) -> str:
    """``"Requested (USD m)"`` -> ``"requested"``; ``"Risk-events"`` -> ``"riskevents"``."""
    name, _unit, _suffix = split_header(str(text))  # any bracketed suffix, unit or not, is dropped
    return _NON_WORD.sub("", name.lower())


def norm_plain(text: object) -> str:
    """Case, spaces and punctuation removed, nothing else (for values such as sector names)."""
    return _NON_WORD.sub("", str(text).lower())


def table_lookup(table: Table) -> dict[str, str]:
    """Normalised name or synonym -> canonical column name (canonical names win)."""
    out: dict[str, str] = {}
    for col in table.columns:
        for syn in col.synonyms:
            out.setdefault(norm(syn), col.name)
    for col in table.columns:
        out[norm(col.name)] = col.name
    return out


def sheet_lookup(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, syns in names.items():
        for s in syns:
            out.setdefault(norm(s), name)
    for name in names:
        out[norm(name)] = name
    return out


@dataclass(frozen=True)
class HeaderCell:
    """One header cell matched to a canonical column."""

    position: int          # column position in the grid
    text: str              # as written
    column: str            # canonical name
    unit: Unit | None      # unit suffix, if any


def is_blank(v: object) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


def find_header_row(grid: RawRows, lookup: dict[str, str], extra: dict[str, str] | None = None,
                    merged: Sequence[Merge] = ()) -> tuple[int, list[RawValue]] | None:
    """The best header row in the first rows of ``grid`` and its cells (merges applied).

    The best row is the one with the most cells naming a known column (ties: the
    first). ``None`` when no row names any column.
    """
    best, best_score, best_row = None, 0, None
    for r in range(min(HEADER_SEARCH_ROWS, len(grid))):
        row = with_merges(grid, r, merged)
        names = [norm(v) for v in row if isinstance(v, str) and v.strip()]
        score = len({lookup.get(n) or (extra or {}).get(n) for n in names} - {None})
        if score > best_score:
            best, best_score, best_row = r, score, row
    if best is None or best_row is None:   # both are set together
        return None
    return best, best_row


def with_merges(grid: RawRows, r: int, merged: Sequence[Merge]) -> list[RawValue]:
    """Row ``r`` of the grid where a merged range covering it gives its top-left value to
    its first column (grid coordinates)."""
    row = list(grid[r])
    for (r0, c0), (r1, _c1) in merged:
        if r0 <= r <= r1 and r0 != r and 0 <= r0 < len(grid) and 0 <= c0 < len(row) and is_blank(row[c0]):
            row[c0] = grid[r0][c0] if c0 < len(grid[r0]) else ""
    return row


def match_columns(row: Sequence[RawValue], lookup: dict[str, str], column_of: dict[str, Column]
                  ) -> tuple[list[HeaderCell], list[tuple[int, str]]]:
    """Header cells -> matched columns, and ``(position, text)`` of the unknown ones."""
    matched: list[HeaderCell] = []
    unknown: list[tuple[int, str]] = []
    for j, v in enumerate(row):
        if is_blank(v):
            continue
        text = str(v).strip() if not isinstance(v, float) or not v.is_integer() else str(int(v))
        _name, unit, _suffix = split_header(text)
        canon = lookup.get(norm(text))
        if canon is None:
            unknown.append((j, text))
            continue
        matched.append(HeaderCell(j, text, canon, unit))
    return matched, unknown
