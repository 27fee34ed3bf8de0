"""The scenario: Scenario fields, the input tables, the correlation matrix, provenance.

A :class:`Scenario` is treated as immutable: edits go through the commands of
:mod:`workbench.commands`, which return a new scenario (sharing untouched tables) and
the command that undoes them. Tables are pandas DataFrames in canonical columns and
canonical units (USD m, fractions), holding what the user entered: an empty cell stays
empty (NaN or ``None``), and defaults are applied by :meth:`Scenario.projects_effective`
and friends, so that export -> import gives back exactly what was there.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from workbench import schema
from workbench.schema import SCENARIO_FIELDS, TABLES, Column, Table
from workbench.sources import Sources


@dataclass(frozen=True)
class Provenance:
    """Where an accepted value came from (kept beside the content, not in it)."""

    file: str
    sheet: str
    cell: str
    author: str = ""
    imported_at: str = ""

    def describe(self) -> str:
        who = f" by {self.author}" if self.author else ""
        when = f" on {self.imported_at}" if self.imported_at else ""
        place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{self.file} {place}{who}{when}"


#: Provenance is keyed by (table, row key, column); the Scenario fields use table "Scenario".
ProvenanceKey = tuple[str, str, str]


def empty_table(table: Table, extra: list[str] | None = None) -> pd.DataFrame:
    """An empty DataFrame with the canonical columns and dtypes of ``table``."""
    cols = table.column_names + list(extra or [])
    frame = pd.DataFrame({c: pd.Series(dtype=_dtype(table.by_name.get(c, schema.SHOCK_COLUMN))) for c in cols})
    return frame


def _dtype(col: Column) -> str:
    if col.is_numeric:
        return "float64"
    if col.kind == "bool":
        return "bool"
    return "object"


def make_table(name: str, rows: list[dict[str, Any]], extra: list[str] | None = None) -> pd.DataFrame:
    """Build a canonical table from row dicts (missing columns are empty)."""
    table = TABLES[name]
    cols = table.column_names + list(extra or [])
    data: dict[str, list[Any]] = {c: [] for c in cols}
    for row in rows:
        for c in cols:
            data[c].append(row.get(c))
    return coerce_table(name, pd.DataFrame(data, columns=cols))


def coerce_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a table its canonical dtypes: floats (NaN empty), objects (None empty), bools."""
    table = TABLES[name]
    out: dict[str, pd.Series] = {}
    for c in frame.columns:
        col = table.by_name.get(c, schema.SHOCK_COLUMN)
        values = frame[c]
        if col.is_numeric:
            out[c] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif col.kind == "bool":
            out[c] = pd.Series([True if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v)
                                for v in values], dtype="bool")
        else:
            out[c] = pd.Series([_text_or_none(v) for v in values], dtype="object")
    return pd.DataFrame(out, columns=list(frame.columns)).reset_index(drop=True)


def _text_or_none(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


def _key_text(vals: list[Any], i: int) -> str:
    if vals and not any(_is_missing(v) for v in vals):
        return " / ".join(str(v) for v in vals)
    return f"row {i + 1}"


def row_key(table: Table, frame: pd.DataFrame, i: int) -> str:
    """Row ``i``'s key as an analyst names it (``SC-01``, ``JBIC / Loan``, or ``row 3``)."""
    return _key_text([frame[k].iat[i] for k in table.key if k in frame.columns], i)


def row_keys(table: Table, frame: pd.DataFrame) -> list[str]:
    """:func:`row_key` of every row, in one pass."""
    if not table.key or not all(k in frame.columns for k in table.key):
        return [f"row {i + 1}" for i in range(len(frame))]
    columns = [frame[k].tolist() for k in table.key]
    return [_key_text([c[i] for c in columns], i) for i in range(len(frame))]


def unique_row_keys(table: str, frame: pd.DataFrame) -> list[str]:
    """The key of each row of ``table``, unique within it (repeats get ``#2``, ``#3``...).

    The names the diff, merge and the assumption register give to rows; Constraints rows
    are keyed by group and value."""
    if table == "Constraints":
        raw = [f"{g}: {'*' if v is None or v == '' else v}" for g, v in zip(frame["Group"], frame["Value"])]
    else:
        raw = row_keys(TABLES[table], frame)
    seen: dict[str, int] = {}
    out = []
    for k in raw:
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k} #{seen[k]}")
    return out


@dataclass(frozen=True)
class Scenario:
    """One investment scenario: what a workbook holds, in canonical form."""

    fields: dict[str, Any]
    sectors: pd.DataFrame
    projects: pd.DataFrame
    financing: pd.DataFrame
    constraints: pd.DataFrame
    risk_events: pd.DataFrame
    #: Square correlation matrix indexed and labelled by sector name, or ``None`` when
    #: the workbook had no Correlations sheet (sectors independent, with a warning).
    correlations: pd.DataFrame | None = None
    provenance: dict[ProvenanceKey, Provenance] = field(default_factory=dict, compare=False)
    #: The assumption register (:mod:`workbench.sources`): where the numbers come from.
    sources: Sources = field(default_factory=Sources, compare=False)

    # ------------------------------------------------------------------ access
    TABLE_ATTRS: ClassVar[dict[str, str]] = {"Sectors": "sectors", "Projects": "projects", "Financing": "financing",
                   "Constraints": "constraints", "Risk events": "risk_events"}

    def row_keys(self, name: str) -> list[str]:
        """:func:`unique_row_keys` of table ``name``."""
        return unique_row_keys(name, self.table(name))

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` in the workbook (``"Projects"``, ``"Risk events"``...)."""
        frame: pd.DataFrame = getattr(self, self.TABLE_ATTRS[name])
        return frame

    def with_table(self, name: str, frame: pd.DataFrame) -> Scenario:
        changes: dict[str, Any] = {self.TABLE_ATTRS[name]: frame}  # one DataFrame field, by name
        return replace(self, **changes)

    def with_fields(self, **changes: Any) -> Scenario:
        """A copy with Scenario fields changed, by their workbook names in a dict."""
        return replace(self, fields={**self.fields, **changes})

    def field(self, name: str) -> Any:
        """A Scenario field's value, its default when empty."""
        value = self.fields.get(name)
        if _is_missing(value):
            return SCENARIO_FIELDS.by_name[name].default
        return value

    @property
    def name(self) -> str:
        return str(self.field("Name") or "")

    @property
    def size(self) -> float:
        """The programme size ``S`` in USD m."""
        return float(self.field("Programme size (USD bn)")) * 1000.0

    @property
    def trials(self) -> int:
        """The Monte Carlo trials of the reporting simulation."""
        return int(self.field("Trials"))

    @property
    def precision(self) -> float | None:
        """The stop rule's target relative standard error of CVaR (``None``: off, the run uses ``trials``)."""
        value = self.fields.get(schema.PRECISION_FIELD)
        return None if value is None or _is_missing(value) else float(value)

    @property
    def seed(self) -> int:
        """The random seed every stream of trials comes from."""
        return int(self.field("Random seed"))

    @property
    def method(self) -> str:
        """The allocation method's name."""
        return str(self.field("Allocation method")).strip()

    @property
    def start_year(self) -> int:
        return int(self.field("Start year"))

    @property
    def horizon(self) -> int:
        return int(self.field("Horizon (years)"))

    @property
    def sector_names(self) -> list[str]:
        return [str(s) for s in self.sectors["Sector"] if s is not None]

    def event_sector_columns(self) -> list[str]:
        """The sector shock columns of Risk events, in table order."""
        base = set(schema.RISK_EVENTS.column_names)
        return [c for c in self.risk_events.columns if c not in base]

    # ---------------------------------------------------------- model inputs
    def projects_effective(self) -> pd.DataFrame:
        """Projects with every default applied (what the models read)."""
        p = self.projects.copy()
        sector_mu = dict(zip(self.sectors["Sector"], self.sectors["Expected return"], strict=False))
        p["Project"] = [n if n else i for n, i in zip(p["Project"], p["ID"], strict=False)]
        mu = p["Expected return"].to_numpy(copy=True)
        missing = np.isnan(mu)
        mu[missing] = [sector_mu.get(s, np.nan) for s in p.loc[missing, "Sector"]]
        p["Expected return"] = mu
        p["Start year"] = p["Start year"].fillna(self.start_year)
        for col in schema.PROJECTS.columns:
            if col.kind == "text" and col.default == "":
                p[col.name] = [v if v is not None else "" for v in p[col.name]]
            elif col.kind == "choice":
                p[col.name] = [v if v is not None else col.default for v in p[col.name]]
            elif col.is_numeric and col.default is not None:
                p[col.name] = p[col.name].fillna(col.default)
        p["State"] = [schema.state_code(s) or s for s in p["State"]]
        return p

    def correlation_matrix(self) -> np.ndarray:
        """The sectors' correlation matrix in Sectors order (missing pairs 0, diagonal 1)."""
        names = self.sector_names
        n = len(names)
        out = np.eye(n)
        corr = self.correlations
        if corr is None:
            return out
        pos = {s: i for i, s in enumerate(names)}
        for a in corr.index:
            for b in corr.columns:
                if a in pos and b in pos and a != b:
                    v = corr.at[a, b]
                    if not _is_missing(v):
                        out[pos[a], pos[b]] = schema.cell_float(v)
        return out

    # ------------------------------------------------------------- identity
    def canonical(self) -> dict[str, Any]:
        """Content as plain JSON-ready data, ordered so that meaningless order is ignored."""
        fields = {}
        for col in SCENARIO_FIELDS.columns:
            value = _norm(self.fields.get(col.name))
            if value is None and col.name in schema.HASHED_WHEN_SET:
                continue    # a field added later and left empty: scenarios from before it keep their hash
            fields[col.name] = value
        out: dict[str, Any] = {"format": schema.FORMAT_VERSION, "scenario": fields}
        for name, _table in TABLES.items():
            frame = self.table(name)
            cols = list(frame.columns)
            rows = [[_norm(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
            if name == "Risk events":  # shock columns are a set; an all-empty one means 0, as no column
                keep = [i for i in range(len(cols)) if i < 3 or any(r[i] is not None for r in rows)]
                order = sorted(keep, key=lambda i: (i >= 3, cols[i]))
                cols = [cols[i] for i in order]
                rows = [[r[i] for i in order] for r in rows]
            rows.sort(key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=True))
            out[name] = {"columns": cols, "rows": rows}
        corr = self.correlations
        if corr is None:
            out["Correlations"] = None
        else:
            labels = sorted(str(x) for x in corr.index)
            cols = sorted(str(x) for x in corr.columns)
            out["Correlations"] = {
                "rows": labels, "columns": cols,
                "matrix": [[_norm(corr.at[a, b]) for b in cols] for a in labels],
            }
        if self.sources:  # an empty register adds nothing: scenarios from before it keep their hash
            out["Sources"] = self.sources.canonical()
        return out

    def content_hash(self) -> str:
        """SHA-256 of the canonical content: same content, same hash, anywhere."""
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def same_content(self, other: Scenario) -> bool:
        return self.content_hash() == other.content_hash()

    def inputs_hash(self) -> str:
        """The content hash without the assumption register: what the models read (a run's
        results stay valid when only sources change)."""
        data = self.canonical()
        data.pop("Sources", None)
        text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def same_inputs(self, other: Scenario) -> bool:
        """The same model inputs (the assumption register may differ)."""
        return self.inputs_hash() == other.inputs_hash()


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v == "")


def _norm(v: Any) -> schema.CellValue:
    """A value in the form the content hash sees: numbers that are whole become ints."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return None
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        if f.is_integer() and abs(f) < 2**53:
            return int(f)
        return f
    text = str(v)
    return text if text else None  # an empty text cell and an empty cell are the same content
