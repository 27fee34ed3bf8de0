"""Scenario diff and merge with provenance.

``diff_scenarios(old, new)`` lists what a proposal changes: rows added and removed, and
each changed cell as old -> new, each change with a stable id. ``merge`` applies all of
them or the chosen ones to the current scenario and records, for every accepted value,
where it came from (file, sheet!cell, author, time) in ``scenario.provenance``, which
sits beside the content (the content hash ignores it).

Rows are matched by their key: ``ID`` for Projects, ``Sector``, ``Event``,
``Financier / Instrument`` for Financing, and ``Group: Value`` for Constraints (which has
no key column; a repeated group and value gets ``#2``, ``#3``...). Scenario fields use
the table ``"Scenario"`` with the field as the row and ``"Value"`` as the column;
correlations use ``"Correlations"`` with the two sectors as row and column.

The assumption register (:mod:`workbench.sources`) shows as the table ``"Sources"``: an
entry added or removed, or the attributes of an entry that changed (``Source``, ``Review
by``...). A proposal with no register at all (a workbook without a Sources sheet) says
nothing about sources, so it removes none; merge records where each accepted entry came
from, like any other value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from workbench import schema
from workbench.scenario import Provenance, ProvenanceKey, Scenario, _norm, coerce_table
from workbench.scenario import unique_row_keys as row_keys
from workbench.sources import Source, Sources, describe_key

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
TABLE_ORDER = ("Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations", "Risk events",
               "Sources")

#: ``locate(table, row_index_in_new, column) -> "Sheet!A1" | None``; ImportResult.where fits.
Locate = Callable[[str, Any, Any], "str | None"]
#: ``record(provenance key, "Sheet!A1" | None)``: note where an accepted value came from.
Record = Callable[[ProvenanceKey, "str | None"], None]


@dataclass(frozen=True)
class Change:
    """One difference. ``column`` is ``None`` for a whole row added or removed; then
    ``old``/``new`` hold the row as a dict, and ``cells`` where each of its values sits."""

    id: str
    kind: str
    table: str
    row: str
    column: str | None
    old: Any
    new: Any
    where: str | None = None
    cells: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        if self.kind == ADDED:
            return f"+ {self.table} {self.row}"
        if self.kind == REMOVED:
            return f"- {self.table} {self.row}"
        return f"{self.table} {self.row}, {self.column}: {_show(self.old)} -> {_show(self.new)}"

    def as_json(self) -> dict[str, Any]:
        out = {"id": self.id, "kind": self.kind, "table": self.table, "row": self.row, "column": self.column,
               "old": _plain(self.old), "new": _plain(self.new), "where": self.where}
        return out


@dataclass(frozen=True)
class ScenarioDiff:
    changes: tuple[Change, ...] = ()
    by_id: dict[str, Change] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({c.id: c for c in self.changes})

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def by_table(self) -> dict[str, list[Change]]:
        """Changes grouped by table, in workbook order (for a waterfall or a dialog)."""
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.table, []).append(c)
        return {t: out[t] for t in sorted(out, key=lambda t: TABLE_ORDER.index(t) if t in TABLE_ORDER else 99)}

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for table, changes in self.by_table().items():
            counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
            for c in changes:
                counts[c.kind] += 1
            out[table] = counts
        return out

    def ids_for_row(self, table: str, row: str) -> list[str]:
        return [c.id for c in self.changes if c.table == table and c.row == row]

    def as_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "changes": [c.as_json() for c in self.changes]}

    def text(self) -> str:
        if self.is_empty:
            return "No differences."
        lines = []
        for table, changes in self.by_table().items():
            s = self.summary()[table]
            lines.append(f"{table}: {s[ADDED]} added, {s[REMOVED]} removed, {s[CHANGED]} changed")
            for c in changes:
                where = f"  ({c.where})" if c.where else ""
                if c.kind == CHANGED:
                    what = c.row if c.table == "Scenario" else f"{c.row}, {c.column}"
                    lines.append(f"  ~ {what}: {_show(c.old)} -> {_show(c.new)}{where}")
                else:
                    lines.append(f"  {'+' if c.kind == ADDED else '-'} {c.row}{where}")
        return "\n".join(lines)


# ------------------------------------------------------------------ keys
def _same(a: Any, b: Any) -> bool:
    return _norm(a) == _norm(b)


def _missing(v: Any) -> bool:
    return _norm(v) is None


def _show(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}={_show(x)}" for k, x in v.items()) or "(empty)"
    v = _norm(v)
    if v is None:
        return "(empty)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.6g}"
    if isinstance(v, dict):
        return ", ".join(f"{k}={_show(x)}" for k, x in v.items())
    return f'"{v}"'


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    v = _norm(v)
    return None if v in ("inf", "-inf") else v


# ------------------------------------------------------------------ diff
def diff_scenarios(old: Scenario, new: Scenario, *, where: Locate | Any = None) -> ScenarioDiff:
    """What ``new`` (a proposal) changes in ``old``.

    ``where`` locates values in the proposal's workbook: an ImportResult (its ``where``
    method is used) or a function ``(table, row_index, column) -> "Sheet!A1"``.
    """
    locate: Locate | None = getattr(where, "where", where) if where is not None else None
    changes: list[Change] = []
    for col in schema.SCENARIO_FIELDS.columns:
        a, b = old.fields.get(col.name), new.fields.get(col.name)
        if not _same(a, b):
            changes.append(Change(f"Scenario|{col.name}|Value", CHANGED, "Scenario", col.name, "Value", a, b,
                                  locate("Scenario", None, col.name) if locate else None))
    for table in schema.TABLES:
        changes.extend(_diff_table(table, old.table(table), new.table(table), locate))
    changes.extend(_diff_corr(old.correlations, new.correlations, locate))
    changes.extend(_diff_sources(old.sources, new.sources))
    return ScenarioDiff(tuple(changes))


_SOURCES = "Sources"
_ATTR_OF_LABEL = {label: attr for attr, label in Source.LABELS.items()}


def source_key(change: Change) -> tuple[str, str, str]:
    """The register key ``(sheet, row, column)`` a Sources change is about."""
    sheet, row, column = json.loads(change.id.split("|", 1)[1])
    return str(sheet), str(row), str(column)


def _diff_sources(a: Sources, b: Sources) -> list[Change]:
    out: list[Change] = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        cid = f"{_SOURCES}|{json.dumps(list(key), ensure_ascii=True)}"
        label = describe_key(key)
        if y is not None and x is None:
            out.append(Change(cid, ADDED, _SOURCES, label, None, None, _labelled(y, Source.ATTRS)))
        elif x is not None and y is None:
            if b:  # a proposal without any register says nothing about sources
                out.append(Change(cid, REMOVED, _SOURCES, label, None, _labelled(x, Source.ATTRS), None))
        elif x is not None and y is not None:
            attrs = [n for n in Source.ATTRS if getattr(x, n) != getattr(y, n)]
            out.append(Change(cid, CHANGED, _SOURCES, label, ", ".join(Source.LABELS[n] for n in attrs),
                              _labelled(x, attrs), _labelled(y, attrs)))
    return out


def _labelled(src: Source, attrs: Sequence[str]) -> dict[str, str]:
    return {Source.LABELS[n]: getattr(src, n) for n in attrs if getattr(src, n) or len(attrs) < len(Source.ATTRS)}


def _apply_sources(reg: Sources, changes: list[Change], prov: dict[ProvenanceKey, Provenance],
                   record: Record) -> Sources:
    for ch in changes:
        key = source_key(ch)
        if ch.kind == REMOVED:
            reg = reg.with_entry(key, None)
            prov.pop((_SOURCES, describe_key(key), "Source"), None)
            continue
        base = reg.get(key) or Source()
        values = {_ATTR_OF_LABEL[k]: v or "" for k, v in (ch.new or {}).items() if k in _ATTR_OF_LABEL}
        reg = reg.with_entry(key, replace(base, **values))
        record((_SOURCES, describe_key(key), "Source"), f"{_SOURCES}!")
    return reg


def _diff_table(table: str, a: pd.DataFrame, b: pd.DataFrame, locate: Locate | None) -> list[Change]:
    ka, kb = row_keys(table, a), row_keys(table, b)
    pos_a = {k: i for i, k in enumerate(ka)}
    pos_b = {k: i for i, k in enumerate(kb)}
    cols = list(a.columns) + [c for c in b.columns if c not in a.columns]
    out: list[Change] = []
    common = [k for k in kb if k in pos_a]
    ia = np.array([pos_a[k] for k in common], dtype=int)
    ib = np.array([pos_b[k] for k in common], dtype=int)
    found: list[tuple[int, str, Any, Any]] = []
    for c in cols:
        va = a[c].to_numpy()[ia] if c in a.columns else np.full(len(ia), None, dtype=object)
        vb = b[c].to_numpy()[ib] if c in b.columns else np.full(len(ib), None, dtype=object)
        differ = _differ(va, vb)
        for hit in np.flatnonzero(differ):
            found.append((int(hit), c, va[hit], vb[hit]))
    order = {c: j for j, c in enumerate(cols)}
    for j, c, x, y in sorted(found, key=lambda f: (f[0], order[f[1]])):
        key = common[j]
        out.append(Change(f"{table}|{key}|{c}", CHANGED, table, key, c, _py(x), _py(y),
                          locate(table, int(ib[j]), c) if locate else None))
    for k in kb:
        if k not in pos_a:
            i = pos_b[k]
            row = {c: _py(b[c].iat[i]) for c in b.columns}
            cells = tuple((c, w) for c in b.columns if locate and (w := locate(table, i, c)))
            out.append(Change(f"{table}|{k}|+row", ADDED, table, k, None, None, row,
                              locate(table, i, None) if locate else None, cells))
    for k in ka:
        if k not in pos_b:
            i = pos_a[k]
            row = {c: _py(a[c].iat[i]) for c in a.columns}
            out.append(Change(f"{table}|{k}|-row", REMOVED, table, k, None, row, None))
    return out


def _differ(va: npt.NDArray[np.generic], vb: npt.NDArray[np.generic]) -> npt.NDArray[np.bool_]:
    if va.dtype.kind == "f" and vb.dtype.kind == "f":
        both_nan = np.isnan(va) & np.isnan(vb)
        differ: npt.NDArray[np.bool_] = ~(both_nan | (va == vb))
        return differ
    with np.errstate(invalid="ignore"):
        equal: npt.NDArray[np.bool_] = (np.asarray(va == vb, dtype=bool) if len(va) == len(vb)
                                        else np.zeros(len(va), bool))
    out = ~equal  # the same object or equal values: no change; the rest compared as the hash sees them
    for k in np.flatnonzero(out):
        out[k] = not _same(va[k], vb[k])
    return out


def _py(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _diff_corr(a: pd.DataFrame | None, b: pd.DataFrame | None, locate: Locate | None) -> list[Change]:
    if a is None and b is None:
        return []
    labels = sorted({str(x) for f in (a, b) if f is not None for x in (*f.index, *f.columns)})
    out = []
    for i, r in enumerate(labels):
        for c in labels[i + 1:]:
            x, y = _corr_at(a, r, c), _corr_at(b, r, c)
            if not _same(x, y):
                out.append(Change(f"Correlations|{r}|{c}", CHANGED, "Correlations", r, c, x, y,
                                  locate("Correlations", r, c) if locate else None))
    return out


def _corr_at(m: pd.DataFrame | None, r: str, c: str) -> float | None:
    if m is None:
        return None
    for p, q in ((r, c), (c, r)):
        if p in m.index and q in m.columns:
            v = m.at[p, q]
            if not _missing(v):
                return schema.cell_float(v)
    return None


# ------------------------------------------------------------------ merge
def source_of(result: Any) -> Provenance:
    """The provenance template of an ImportResult (file, author, time of import)."""
    return Provenance(file=getattr(result, "file", ""), sheet="", cell="", author=getattr(result, "author", ""),
                      imported_at=getattr(result, "imported_at", ""))


def merge(current: Scenario, proposal: Scenario, diff: ScenarioDiff, accepted: Iterable[str] | None = None, *,
          source: Provenance | Any = None) -> Scenario:
    """``current`` with the accepted changes of ``diff`` (all when ``accepted`` is None).

    ``source`` (a Provenance with file, author and time, or an ImportResult) is recorded
    for every accepted value, with the value's sheet and cell. ``current`` is not changed.
    """
    del proposal  # the diff carries every value it needs
    chosen = diff.changes if accepted is None else [diff.by_id[i] for i in dict.fromkeys(accepted) if i in diff.by_id]
    template = source if isinstance(source, Provenance) or source is None else source_of(source)
    prov = dict(current.provenance)

    def record(key: tuple[str, str, str], where: str | None) -> None:
        if template is None:
            return
        sheet, cell = (where.split("!", 1) if where and "!" in where else ("", ""))
        prov[key] = replace(template, sheet=sheet, cell=cell)

    fields = dict(current.fields)
    frames = {t: current.table(t) for t in schema.TABLES}
    edits: dict[str, list[Change]] = {}
    corr_changes: list[Change] = []
    source_changes: list[Change] = []
    for ch in chosen:
        if ch.table == _SOURCES:
            source_changes.append(ch)
        elif ch.table == "Scenario":
            fields[ch.row] = ch.new
            record(("Scenario", ch.row, "Value"), ch.where)
        elif ch.table == "Correlations":
            corr_changes.append(ch)
            # a correlation change always names its column (the other sector)
            record(("Correlations", ch.row, cast(str, ch.column)), ch.where)
        else:
            edits.setdefault(ch.table, []).append(ch)
    for table, changes in edits.items():
        frames[table] = _apply_table(table, frames[table], changes, prov, record)
    corr = _apply_corr(current.correlations, corr_changes) if corr_changes else current.correlations
    sources = _apply_sources(current.sources, source_changes, prov, record) if source_changes else current.sources
    return replace(current, fields=fields, sectors=frames["Sectors"], projects=frames["Projects"],
                   financing=frames["Financing"], constraints=frames["Constraints"],
                   risk_events=frames["Risk events"], correlations=corr, provenance=prov, sources=sources)


def _apply_table(table: str, frame: pd.DataFrame, changes: list[Change], prov: dict[ProvenanceKey, Provenance],
                 record: Record) -> pd.DataFrame:
    frame = frame.copy()
    for ch in changes:
        for c in _new_columns(ch, frame):
            frame[c] = math.nan
    keys = row_keys(table, frame)
    pos = {k: i for i, k in enumerate(keys)}
    drop: list[int] = []
    added: list[dict[str, Any]] = []
    for ch in changes:
        if ch.kind == CHANGED and ch.row in pos and ch.column is not None:   # a changed cell names its column
            at = cast(int, frame.columns.get_loc(ch.column))   # the columns are unique: one position
            frame.iat[pos[ch.row], at] = _cast(table, ch.column, ch.new)
            record((table, ch.row, ch.column), ch.where)
        elif ch.kind == REMOVED and ch.row in pos:
            drop.append(pos[ch.row])
            for key in [k for k in prov if k[0] == table and k[1] == ch.row]:
                del prov[key]
        elif ch.kind == ADDED and ch.row not in pos:
            added.append(ch.new)
            cells = dict(ch.cells)
            for c, v in ch.new.items():
                if not _missing(v):
                    record((table, ch.row, c), cells.get(c) or ch.where)
    if drop:
        frame = frame.drop(index=frame.index[sorted(set(drop))])
    if added:
        extra = pd.DataFrame([{c: r.get(c) for c in frame.columns} for r in added], columns=frame.columns)
        frame = pd.concat([frame.astype(object), extra.astype(object)], ignore_index=True)
    return coerce_table(table, frame.reset_index(drop=True))


def _new_columns(ch: Change, frame: pd.DataFrame) -> list[str]:
    cols = [ch.column] if ch.column else list((ch.new or {}).keys())
    return [c for c in cols if c is not None and c not in frame.columns]


def _cast(table: str, column: str, value: Any) -> Any:
    col = schema.TABLES[table].by_name.get(column, schema.SHOCK_COLUMN)
    if col.is_numeric:
        return math.nan if _missing(value) else float(value)
    if col.kind == "bool":
        return True if _missing(value) else bool(value)
    return None if _missing(value) else str(value)


def _apply_corr(corr: pd.DataFrame | None, changes: list[Change]) -> pd.DataFrame:
    labels = list(corr.index) if corr is not None else []
    for ch in changes:
        for s in (ch.row, ch.column):
            if s not in labels:
                labels.append(s)
    out = pd.DataFrame(np.eye(len(labels)), index=labels, columns=labels, dtype="float64")
    if corr is not None:
        for a in corr.index:
            for b in corr.columns:
                if a in out.index and b in out.columns:
                    # pandas-stubs: .at reads a wider Scalar than it lets one write
                    out.at[a, b] = corr.at[a, b]   # type: ignore[assignment]
        for s in labels:
            if s not in corr.index:
                out.loc[s, :] = math.nan
                out.loc[:, s] = math.nan
                out.at[s, s] = 1.0
    else:
        out[:] = math.nan
        for s in labels:
            out.at[s, s] = 1.0
    for ch in changes:
        v = math.nan if ch.new is None else float(ch.new)
        out.at[ch.row, ch.column] = v
        out.at[ch.column, ch.row] = v
    return out
