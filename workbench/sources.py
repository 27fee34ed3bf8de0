"""The assumption register: where each input number comes from, and how far to trust it.

An entry (:class:`Source`) records a source (a text, a file name or a link), the source's
date, an owner, a confidence grade (A, B or C), a review-by date and a note. Entries are
keyed by ``(sheet, row key, column)``, the same keys the diff and the provenance use:

* ``("Projects", "DC-01", "Expected return")``: one cell;
* ``("Projects", "DC-01", "")``: every number of the row;
* ``("Sectors", "", "Volatility")``: the whole column, every row;
* ``("Scenario", "Discount rate", "Value")``: a Scenario field;
* ``("Correlations", "Data centers", "Semiconductors")``: one pair of sectors.

The most specific entry wins (cell, then row, then column, then the whole sheet). The
register lives in the :class:`~workbench.scenario.Scenario` (``scenario.sources``), is part
of its content (an empty register adds nothing to the content hash, so scenarios from
before the register keep their hash), travels in the workbook's ``Sources`` sheet, in
snapshots and in recovery records, and shows in the diff and the merge.

Dates are ISO text (``2026-03-31``); an entry is *overdue* when its review-by date is
before today. A number is *unsourced* when no entry with a source text covers it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from workbench.scenario import Scenario

GRADES = ("A", "B", "C")
GRADE_MEANING = {"A": "A: measured or official figure", "B": "B: informed estimate from published data",
                 "C": "C: judgement or placeholder"}
#: The workbook's Sources sheet, in this column order.
HEADERS = ("Sheet", "Row", "Column", "Source", "Date", "Owner", "Grade", "Review by", "Note")
#: Scenario fields that are settings of the run, not assumptions about the world: they need no source.
SETTINGS = frozenset({"Trials", "Random seed", "Confidence level", "Degrees of freedom", "Risk aversion",
                      "Target expected P&L (USD m)", "Start year", "Horizon (years)",
                      "CVaR precision (relative SE)"})
#: Table columns that hold decisions, not assumptions.
DECISIONS = frozenset({"Allocated (USD m)", "Strategic score"})

SourceKey = tuple[str, str, str]


@dataclass(frozen=True)
class Source:
    """One register entry. Every attribute is text; an empty text means not given."""

    source: str = ""
    date: str = ""
    owner: str = ""
    grade: str = ""
    review_by: str = ""
    note: str = ""

    ATTRS: ClassVar[tuple[str, ...]] = ("source", "date", "owner", "grade", "review_by", "note")
    LABELS: ClassVar[dict[str, str]] = {"source": "Source", "date": "Date", "owner": "Owner", "grade": "Grade",
                                        "review_by": "Review by", "note": "Note"}

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            object.__setattr__(self, f.name, "" if value is None else str(value).strip())

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, a) for a in self.ATTRS)

    @property
    def has_source(self) -> bool:
        return bool(self.source)

    def overdue(self, today: dt.date | None = None) -> bool:
        """True when the review-by date has passed (never for an entry without one)."""
        due = parse_date(self.review_by)
        return due is not None and due < (today or dt.date.today())

    def as_dict(self) -> dict[str, str]:
        return {a: getattr(self, a) for a in self.ATTRS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        return cls(**{a: data.get(a) or "" for a in cls.ATTRS})

    def describe(self) -> str:
        """One line for a tooltip: ``Seed note (2025-07-23); grade B; owner Kenji; review by 2026-06-30``."""
        parts = [self.source or "(no source given)"]
        if self.date:
            parts[0] += f" ({self.date})"
        if self.grade:
            parts.append(f"grade {self.grade}")
        if self.owner:
            parts.append(f"owner {self.owner}")
        if self.review_by:
            parts.append(f"review by {self.review_by}")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


class Sources(Mapping[SourceKey, Source]):
    """The register: an immutable mapping ``(sheet, row, column) -> Source``."""

    __slots__ = ("_data",)

    def __init__(self, entries: Mapping[SourceKey, Source] | Iterable[tuple[SourceKey, Source]] = ()) -> None:
        items = entries.items() if isinstance(entries, Mapping) else entries
        self._data: dict[SourceKey, Source] = {}
        for key, src in items:
            k = (str(key[0]), str(key[1] or ""), str(key[2] or ""))
            if not src.is_empty:
                self._data[k] = src

    def __getitem__(self, key: SourceKey) -> Source:
        return self._data[key]

    def __iter__(self) -> Iterator[SourceKey]:
        return iter(sorted(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sources) and self._data == other._data

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __repr__(self) -> str:
        return f"Sources({len(self)} entries)"

    def with_entry(self, key: SourceKey, source: Source | None) -> Sources:
        """A copy with ``key`` set to ``source`` (removed when ``None`` or empty)."""
        data = dict(self._data)
        data.pop(key, None)
        if source is not None and not source.is_empty:
            data[key] = source
        return Sources(data)

    def find(self, table: str, row: str, column: str) -> tuple[SourceKey, Source] | None:
        """The entry that covers one number: the cell's, else its row's, its column's, its sheet's."""
        for key in ((table, row, column), (table, row, ""), (table, "", column), (table, "", "")):
            src = self._data.get(key)
            if src is not None:
                return key, src
        if table == "Correlations":  # a pair is the same either way round
            src = self._data.get((table, column, row))
            if src is not None:
                return (table, column, row), src
        return None

    def for_table(self, table: str) -> dict[SourceKey, Source]:
        return {k: v for k, v in sorted(self._data.items()) if k[0] == table}

    def canonical(self) -> list[list[str]]:
        """Plain sorted rows ``[sheet, row, column, source, date, owner, grade, review_by, note]``."""
        return [[*k, *(getattr(s, a) for a in Source.ATTRS)] for k, s in sorted(self._data.items())]

    def to_list(self) -> list[dict[str, str]]:
        return [{"sheet": k[0], "row": k[1], "column": k[2], **s.as_dict()} for k, s in sorted(self._data.items())]

    @classmethod
    def from_list(cls, items: Iterable[Mapping[str, Any]] | None) -> Sources:
        return cls(((str(d.get("sheet", "")), str(d.get("row") or ""), str(d.get("column") or "")),
                    Source.from_dict(d)) for d in items or ())


EMPTY = Sources()


# ------------------------------------------------------------------ dates and keys
def parse_date(value: Any) -> dt.date | None:
    """An ISO date (``2026-03-31``, or a date/datetime object) as a date; ``None`` when empty or unreadable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def date_text(value: Any) -> str | None:
    """A date as ISO text; ``""`` when empty; ``None`` when the value is not a readable date."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        return ""
    d = parse_date(value)
    return None if d is None else d.isoformat()


def describe_key(key: SourceKey) -> str:
    """A key as a person names it: ``Projects DC-01, Expected return``, ``Sectors, Volatility (every row)``."""
    table, row, column = key
    if table == "Scenario":
        return f"Scenario, {row}" if row else "Scenario (every field)"
    if table == "Correlations":
        return f"Correlation {row} / {column}" if row and column else "Correlations (every pair)"
    if row and column:
        return f"{table} {row}, {column}"
    if row:
        return f"{table} {row} (whole row)"
    if column:
        return f"{table}, {column} (every row)"
    return f"{table} (whole sheet)"


def row_keys(scn: Scenario, table: str) -> list[str]:
    """The keys of a table's rows as the register names them (those of the diff)."""
    return scn.row_keys(table)


# ------------------------------------------------------------------ what needs a source
@dataclass(frozen=True)
class Gap:
    """Numbers of one row that no entry with a source covers."""

    table: str
    row: str
    columns: tuple[str, ...]

    def describe(self) -> str:
        if self.table == "Scenario":
            return f"Scenario, {self.row}"
        if self.table == "Correlations":
            return f"Correlations {self.row} with {', '.join(self.columns)}"
        return f"{self.table} {self.row}: {', '.join(self.columns)}"


def input_numbers(scn: Scenario) -> Iterator[tuple[str, str, str]]:
    """``(sheet, row, column)`` of every input number that holds a value and is an assumption."""
    from workbench import schema

    yield from _field_numbers(scn)
    for table in schema.TABLES:
        frame = scn.table(table)
        keys = row_keys(scn, table)
        numeric = _numeric_columns(table, frame)
        values = {c: frame[c].tolist() for c in numeric}
        for i, key in enumerate(keys):
            for c in numeric:
                if not _missing(values[c][i]):
                    yield table, key, c
    if scn.correlations is not None:
        yield from _correlation_numbers(scn.correlations)


def unsourced(scn: Scenario) -> list[Gap]:
    """Rows holding numbers that no entry with a source covers, in workbook order: what
    :meth:`Sources.find` says of each of :func:`input_numbers`, computed a column at a time."""
    from workbench import schema

    reg = scn.sources

    def sourced(table: str, row: str, column: str) -> bool:
        hit = reg.find(table, row, column)
        return hit is not None and hit[1].has_source

    out = [Gap(t, r, (c,)) for t, r, c in _field_numbers(scn) if not sourced(t, r, c)]
    for table in schema.TABLES:
        frame = scn.table(table)
        if frame.empty:
            continue
        keys = row_keys(scn, table)
        mine = reg.for_table(table)
        rows = {k[1]: s.has_source for k, s in mine.items() if k[1] and not k[2]}
        cells = {(k[1], k[2]): s.has_source for k, s in mine.items() if k[1] and k[2]}
        missing: dict[int, list[str]] = {}
        for c in _numeric_columns(table, frame):
            broad = mine.get((table, "", c)) or mine.get((table, "", ""))
            base = broad is not None and broad.has_source
            if base and not rows and not cells:
                continue
            for i in np.flatnonzero(~frame[c].isna().to_numpy()):
                key = keys[i]
                ok = cells.get((key, c))
                if ok is None:
                    ok = rows.get(key, base)
                if not ok:
                    missing.setdefault(int(i), []).append(c)
        out += [Gap(table, keys[i], tuple(cs)) for i, cs in sorted(missing.items())]
    if scn.correlations is not None:
        pairs: dict[str, list[str]] = {}
        for t, a, b in _correlation_numbers(scn.correlations):
            if not sourced(t, a, b):
                pairs.setdefault(a, []).append(b)
        out += [Gap("Correlations", a, tuple(bs)) for a, bs in pairs.items()]
    return out


def _field_numbers(scn: Scenario) -> Iterator[tuple[str, str, str]]:
    from workbench import schema

    for col in schema.SCENARIO_FIELDS.columns:
        if col.is_numeric and col.name not in SETTINGS and not _missing(scn.fields.get(col.name)):
            yield "Scenario", col.name, "Value"


def _numeric_columns(table: str, frame: pd.DataFrame) -> list[str]:
    from workbench import schema

    spec = schema.TABLES[table]
    return [c for c in frame.columns if spec.by_name.get(c, schema.SHOCK_COLUMN).is_numeric and c not in DECISIONS]


def _correlation_numbers(corr: pd.DataFrame) -> Iterator[tuple[str, str, str]]:
    labels = [str(x) for x in corr.index]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if b in corr.columns and not _missing(corr.at[a, b]):
                yield "Correlations", a, b


def overdue(scn: Scenario, today: dt.date | None = None) -> list[tuple[SourceKey, Source]]:
    """Entries whose review-by date has passed."""
    return [(k, s) for k, s in scn.sources.items() if s.overdue(today)]


def orphans(scn: Scenario) -> list[SourceKey]:
    """Entries that name a row, column or field the scenario does not have (renamed or deleted)."""
    from workbench import schema

    out = []
    keys_by_table: dict[str, set[str]] = {}
    for key in scn.sources:
        table, row, column = key
        if table == "Scenario":
            ok = (not row or row in schema.SCENARIO_FIELDS.by_name) and column in ("", "Value")
        elif table == "Correlations":
            labels = set() if scn.correlations is None else {str(x) for x in scn.correlations.index}
            ok = (not row or row in labels) and (not column or column in labels)
        elif table in schema.TABLES:
            if table not in keys_by_table:
                keys_by_table[table] = set(row_keys(scn, table))
            ok = (not row or row in keys_by_table[table]) and (not column or column in scn.table(table).columns)
        else:
            ok = False
        if not ok:
            out.append(key)
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


# ------------------------------------------------------------------ edits
@dataclass(frozen=True)
class SetSource:
    """Set, change or remove (``source=None``) one register entry; returns the inverse."""

    key: SourceKey
    source: Source | None
    label: str = ""

    def apply(self, scn: Scenario) -> tuple[Scenario, SetSource]:
        old = scn.sources.get(self.key)
        label = self.label or (f"Remove source of {describe_key(self.key)}" if self.source is None
                               else f"Set source of {describe_key(self.key)}")
        return replace(scn, sources=scn.sources.with_entry(self.key, self.source)), SetSource(self.key, old, label)


@dataclass(frozen=True)
class ReplaceSources:
    """Replace the whole register (one undo step)."""

    sources: Sources
    label: str = "Replace sources"

    def apply(self, scn: Scenario) -> tuple[Scenario, ReplaceSources]:
        return replace(scn, sources=self.sources), ReplaceSources(scn.sources, self.label)
