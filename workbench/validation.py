"""Validation: every problem of a scenario, not the first, as :class:`Issue` objects.

Each rule is a small function over the canonical tables; messages are written for a
policy analyst and always say the table, the row (its key) and the column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from workbench import schema
from workbench.issues import ERROR, WARNING, Issue, did_you_mean
from workbench.numbers import percent_text
from workbench.scenario import Scenario, row_key
from workbench.schema import SCENARIO_FIELDS, TABLES, Column


def validate(scn: Scenario) -> list[Issue]:
    """All the problems of ``scn``: errors first in table order, then warnings."""
    issues = list(_structure(scn))
    missing = {(i.table, i.column) for i in issues}
    scn = _with_all_columns(scn)
    for rule in RULES:
        issues.extend(i for i in rule(scn) if (i.table, i.column) not in missing)
    return issues


def _structure(scn: Scenario) -> Iterator[Issue]:
    """Canonical columns that a table lacks (only a script can build such a scenario)."""
    for name, table in TABLES.items():
        frame = scn.table(name)
        for col in table.columns:
            if col.name not in frame.columns:
                yield _issue(ERROR if col.required else WARNING, name, "(header)", col.name,
                             f"The {name} table has no {col.name} column.", f"Add a column headed {col.name}.")


def _with_all_columns(scn: Scenario) -> Scenario:
    for name, table in TABLES.items():
        frame = scn.table(name)
        absent = [c for c in table.column_names if c not in frame.columns]
        if absent:
            frame = frame.copy()
            for c in absent:
                frame[c] = None
            scn = scn.with_table(name, frame)
    return scn


# ------------------------------------------------------------------ helpers
def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def check_value(col: Column, value: Any) -> tuple[str, str | None] | None:
    """The problem with one cell's value as ``(message, suggestion)``, or ``None``.

    Used by validation and by the table editors as the user types.
    """
    if _missing(value):
        if col.required:
            return f"{col.name} is required but empty.", f"Enter a {col.name.lower()}."
        return None
    if col.is_numeric:
        try:
            x = float(value)
        except (TypeError, ValueError):
            return f'{col.name} must be a number, not "{value}".', None
        if math.isnan(x) or math.isinf(x):
            return f"{col.name} must be a finite number.", None
        if col.kind == "integer" and not x.is_integer():
            return f"{col.name} must be a whole number, not {x:g}.", f"Use {round(x)}."
        lo, hi = col.minimum, col.maximum
        bad = (lo is not None and (x < lo or (col.min_open and x == lo))) or (
            hi is not None and (x > hi or (col.max_open and x == hi)))
        if bad:
            if col.kind != "fraction":
                return f"{col.name} must be {col.range_text()}; it is {x:g}.", None
            hint = None
            if x > 1 and (hi is None or hi <= 1):
                hint = f"If you meant {x:g} %, type {x:g} % (with the % sign) or {x / 100:g}."
            return f"{col.name} must be {col.range_text()}; it is {percent_text(x)}.", hint
        return None
    if col.kind == "choice":
        if str(value) not in col.choices:
            return (f'{col.name} "{value}" is not one of {", ".join(col.choices)}.',
                    did_you_mean(value, col.choices))
    if col.kind == "bool" and schema.parse_bool(value) is None:
        return f'{col.name} must be yes or no, not "{value}".', None
    return None


def _issue(severity: str, table: str, key: str, column: str | None, message: str,
           suggestion: str | None = None, row_index: int | None = None) -> Issue:
    return Issue(severity, message, table=table, row=key, column=column, suggestion=suggestion,
                 row_index=row_index)


# ------------------------------------------------------------------ rules
def _fields(scn: Scenario) -> Iterator[Issue]:
    for col in SCENARIO_FIELDS.columns:
        problem = check_value(col, scn.fields.get(col.name))
        if problem:
            yield _issue(ERROR, "Scenario", col.name, "Value", problem[0], problem[1])


def _cells(scn: Scenario) -> Iterator[Issue]:
    """Every cell against its column's type and range."""
    for name, table in TABLES.items():
        frame = scn.table(name)
        if frame.empty:   # (the incremental validation shows this rule the edited rows only)
            continue
        for col in table.columns:
            values = frame[col.name].tolist()
            for i in _candidates(col, frame[col.name], values):
                v = values[i]
                problem = check_value(col, v)
                if problem:
                    yield _issue(ERROR, name, row_key(table, frame, i), col.name, problem[0], problem[1], i)


#: Up to this many rows, every cell goes to :func:`check_value` without vectorised screening.
FEW_ROWS = 8


def _candidates(col: Column, series: pd.Series, values: list[Any]) -> list[int] | range:
    """The positions where :func:`check_value` may find a problem (a superset, found with
    vectorised tests so that 50,000 rows validate quickly); every other cell is fine."""
    n = len(values)
    if n <= FEW_ROWS:   # a few rows (an edit's): each cell checked is quicker than the vectorised tests
        return range(n)
    if col.is_numeric and series.dtype == np.float64:
        x = series.to_numpy()
        with np.errstate(invalid="ignore"):
            bad = np.isinf(x)
            if col.required:
                bad |= np.isnan(x)
            if col.minimum is not None:
                bad |= (x <= col.minimum) if col.min_open else (x < col.minimum)
            if col.maximum is not None:
                bad |= (x >= col.maximum) if col.max_open else (x > col.maximum)
            if col.kind == "integer":
                bad |= np.isfinite(x) & (np.floor(x) != x)
        return np.flatnonzero(bad).tolist()
    if col.kind == "text":
        return [i for i, v in enumerate(values) if type(v) is not str or not v.strip()] if col.required else []
    if col.kind == "choice":
        return np.flatnonzero(~series.isin(col.choices).to_numpy()).tolist()
    if col.kind == "bool" and series.dtype == bool:
        return []
    return range(n)


def _duplicates(scn: Scenario) -> Iterator[Issue]:
    for name, table in TABLES.items():
        if not table.key:
            continue
        frame = scn.table(name)
        seen: dict[tuple[str, ...], int] = {}
        columns = [frame[k].tolist() for k in table.key]
        if len(columns) == 1:  # fast path: no two keys alike, nothing to report
            keys = [t for k in columns[0] if k is not None and k == k and (t := str(k).strip().lower())]
            if len(set(keys)) == len(keys):
                continue
        for i in range(len(frame)):
            key = tuple(c[i] for c in columns)
            if any(_missing(k) for k in key):
                continue
            norm = tuple(str(k).strip().lower() for k in key)
            if norm in seen:
                label = " / ".join(str(k) for k in key)
                yield _issue(ERROR, name, row_key(table, frame, i), table.key[0],
                             f'{" / ".join(table.key)} "{label}" appears twice (rows {seen[norm] + 1} and {i + 1}).',
                             "Give each row its own value, or delete the duplicate.", i)
            else:
                seen[norm] = i


def _projects(scn: Scenario) -> Iterator[Issue]:
    p = scn.projects
    sectors = scn.sector_names
    start, horizon = scn.start_year, scn.horizon
    names = ("ID", "Sector", "State", "Requested (USD m)", "Minimum ticket (USD m)", "Allocated (USD m)", "Start year")
    columns = {c: p[c].tolist() for c in names}
    ids = columns["ID"]
    for i in _project_rows_to_check(p, set(sectors), start, horizon):
        row = {c: columns[c][i] for c in names}
        key = str(ids[i]) if not _missing(ids[i]) else f"row {i + 1}"
        sec = row["Sector"]
        if not _missing(sec) and sec not in sectors:
            yield _issue(ERROR, "Projects", key, "Sector", f'Sector "{sec}" is not in the Sectors table.',
                         did_you_mean(sec, sectors) or "Add it to Sectors or pick an existing sector.", i)
        state = row["State"]
        if not _missing(state) and schema.state_code(state) is None:
            yield _issue(ERROR, "Projects", key, "State", f'State "{state}" is not a US state.',
                         did_you_mean(state, list(schema.US_STATES) + list(schema.US_STATES.values()))
                         or "Use a two-letter code such as TX or a full name such as Texas.", i)
        req, ticket = row["Requested (USD m)"], row["Minimum ticket (USD m)"]
        if not _missing(req) and not _missing(ticket) and float(ticket) > float(req):
            yield _issue(ERROR, "Projects", key, "Minimum ticket (USD m)",
                         f"Minimum ticket {float(ticket):,.0f} is above the request of {float(req):,.0f} USD m.",
                         "Lower the ticket or raise the request.", i)
        alloc = row["Allocated (USD m)"]
        if not _missing(alloc) and not _missing(req) and float(alloc) > float(req) * (1 + 1e-9):
            yield _issue(WARNING, "Projects", key, "Allocated (USD m)",
                         f"Allocated {float(alloc):,.0f} is above the request of {float(req):,.0f} USD m.",
                         "The method fixed will report it as a broken bound.", i)
        year = row["Start year"]
        if not _missing(year) and not (start <= float(year) < start + horizon):
            yield _issue(ERROR, "Projects", key, "Start year",
                         f"Start year {float(year):g} is outside the scenario's years "
                         f"{start} to {start + horizon - 1}.",
                         "Change the project's start year or the scenario's Start year / Horizon.", i)


def _project_rows_to_check(p: pd.DataFrame, sectors: set[str], start: int, horizon: int) -> list[int]:
    """The rows where a check of :func:`_projects` may fire (a superset found with
    vectorised tests, so that 50,000 clean rows validate quickly)."""
    cols = ("Requested (USD m)", "Minimum ticket (USD m)", "Allocated (USD m)", "Start year")
    if any(p[c].dtype != np.float64 for c in cols):
        return list(range(len(p)))
    req, ticket, alloc, year = (p[c].to_numpy() for c in cols)
    with np.errstate(invalid="ignore"):
        in_years = np.isnan(year) | ((start <= year) & (year < start + horizon))
        maybe = (ticket > req) | (alloc > req * (1 + 1e-9)) | ~in_years
    for column, known in (("Sector", list(sectors)), ("State", list(schema.US_STATES))):
        values = p[column]
        maybe |= ~(values.isna() | values.isin(known)).to_numpy()  # empty or known: nothing to say
    return np.flatnonzero(maybe).tolist()


def _financing(scn: Scenario, used: set[str] | None = None) -> Iterator[Issue]:
    """Financiers no project uses. ``used``: the Financier group's values, when the caller has them already."""
    f = scn.financing
    if used is None:
        used = group_keys(scn.projects, "Financier")
    for i in range(len(f)):
        name = f.iloc[i]["Financier"]
        if not _missing(name) and str(name) not in used:
            yield _issue(WARNING, "Financing", row_key(schema.FINANCING, f, i), "Financier",
                         f'No project uses financier "{name}", so its capacity limits nothing.',
                         did_you_mean(name, used), i)


def _project_key(x: Any) -> str | None:
    if type(x) is str:
        return x if x.strip() else None
    return None if _missing(x) else str(x)


def _year_key(y: Any) -> str | None:
    return None if pd.isna(y) else str(int(y))


#: The project columns a constraint's group can name, each with the group it is and how a cell's value reads as
#: that group's value (``None``: the cell names nothing).
GROUP_COLUMNS: dict[str, tuple[str, Callable[[Any], str | None]]] = {
    "Financier": ("Financier", lambda x: None if _missing(x) else str(x)),
    "State": ("State", lambda s: None if _missing(s) else schema.state_code(s) or str(s)),
    "Sponsor": ("Sponsor", lambda x: None if _missing(x) else str(x)),
    "ID": ("Project", _project_key),
    "Start year": ("Year", _year_key),
}


def group_keys(projects: pd.DataFrame, column: str) -> set[str]:
    """The values the projects' ``column`` gives its constraint group (see :data:`GROUP_COLUMNS`)."""
    key = GROUP_COLUMNS[column][1]
    return {k for x in set(projects[column].tolist()) if (k := key(x)) is not None}


def group_values(scn: Scenario, projects: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Each constraint group's values. ``projects``: the groups read from the Projects table (by group name), when
    the caller keeps them already (the incremental validation does)."""
    if projects is None:
        projects = {group: group_keys(scn.projects, column) for column, (group, _key) in GROUP_COLUMNS.items()}
    return {
        "Sector": set(scn.sector_names),
        "Instrument": set(schema.INSTRUMENTS),
        "Financier": projects["Financier"],
        "State": projects["State"],
        "Sponsor": projects["Sponsor"],
        "Project": projects["Project"],
        "Year": projects["Year"] | {str(scn.start_year)},
    }


def _constraints(scn: Scenario, values: dict[str, set[str]] | None = None) -> Iterator[Issue]:
    """Constraint rows naming nothing or limiting nothing. ``values``: :func:`group_values`, when the caller has
    them already."""
    c = scn.constraints
    if values is None:
        values = group_values(scn)
    for i in range(len(c)):
        row = c.iloc[i]
        key = f"row {i + 1}"
        group, value = row["Group"], row["Value"]
        value = "*" if _missing(value) else str(value).strip()
        if group in values and value != "*":
            known = values[group]
            probe = schema.state_code(value) or value if group == "State" else value
            if group == "Year":
                try:
                    probe = str(int(float(value)))
                except ValueError:
                    probe = value
            if probe not in known:
                yield _issue(ERROR, "Constraints", key, "Value",
                             f'{group} "{value}" matches no project, so this limit would apply to nothing.',
                             did_you_mean(value, known) or f"Use one of the {group.lower()} values of Projects, or *.",
                             i)
        if group == "Total" and value != "*":
            yield _issue(WARNING, "Constraints", key, "Value",
                         f'The Total group has one value, "*"; "{value}" is read as "*".', None, i)
        bounds = [row[k] for k in ("Min share", "Max share", "Min (USD m)", "Max (USD m)")]
        if all(_missing(b) for b in bounds):
            yield _issue(WARNING, "Constraints", key, "Min share",
                         "This row sets no limit: all of Min share, Max share, Min and Max are empty.",
                         "Fill in at least one limit, or delete the row.", i)
        for lo_col, hi_col in (("Min share", "Max share"), ("Min (USD m)", "Max (USD m)")):
            lo, hi = row[lo_col], row[hi_col]
            if not _missing(lo) and not _missing(hi) and float(lo) > float(hi):
                yield _issue(ERROR, "Constraints", key, lo_col,
                             f"{lo_col} {float(lo):g} is above {hi_col} {float(hi):g}.",
                             "Swap them or correct one.", i)


def _correlations(scn: Scenario) -> Iterator[Issue]:
    corr = scn.correlations
    sectors = scn.sector_names
    if corr is None:
        if len(sectors) > 1:
            yield Issue(WARNING, "There is no Correlations table, so sectors are treated as independent.",
                        table="Correlations", suggestion="Add a Correlations sheet to model co-movement.")
        return
    for axis, labels in (("row", list(corr.index)), ("column", list(corr.columns))):
        for lab in labels:
            if str(lab) not in sectors:
                yield Issue(ERROR, f'Correlations {axis} "{lab}" is not a sector of the Sectors table.',
                            table="Correlations", row=str(lab) if axis == "row" else None,
                            column=str(lab) if axis == "column" else None,
                            suggestion=did_you_mean(lab, sectors) or "Rename it to a sector or delete it.")
    for a in corr.index:
        for b in corr.columns:
            v = corr.at[a, b]
            if _missing(v):
                continue
            try:
                x = schema.cell_float(v)
            except (TypeError, ValueError):
                yield Issue(ERROR, f'Correlation must be a number, not "{v!s}".', table="Correlations",
                            row=str(a), column=str(b))
                continue
            if a == b and abs(x - 1) > 1e-9:
                yield Issue(ERROR, f"The diagonal must be 1; {a} with itself is {x:g}.", table="Correlations",
                            row=str(a), column=str(b), suggestion="Set it to 1.")
            elif not -1 <= x <= 1:
                yield Issue(ERROR, f"Correlation of {a} and {b} must be between -1 and 1; it is {x:g}.",
                            table="Correlations", row=str(a), column=str(b))
            elif b in corr.index and a in corr.columns and str(a) < str(b):
                w = corr.at[b, a]
                if not _missing(w) and abs(schema.cell_float(w) - x) > 1e-9:
                    yield Issue(ERROR, f"The matrix must be symmetric: {a}/{b} is {x:g} but {b}/{a} is "
                                f"{schema.cell_float(w):g}.", table="Correlations", row=str(a), column=str(b),
                                suggestion="Enter the same value in both cells.")
    if any(i.is_error for i in _cheap_corr_errors(corr)):
        return
    m = scn.correlation_matrix()
    if len(m) < 2:
        return
    eig = np.linalg.eigvalsh(m)
    if eig.min() < -1e-10:
        from workbench.correlation import nearest_correlation
        fixed = nearest_correlation(m)
        change = float(np.abs(fixed - m).max())
        yield Issue(WARNING, f"The correlation matrix is not positive semi-definite (smallest eigenvalue "
                    f"{eig.min():.3g}); the models use the nearest valid matrix, which changes one entry by up "
                    f"to {change:.3f}.", table="Correlations",
                    suggestion="Review pairs of strong correlations that contradict each other.")


def _cheap_corr_errors(corr: pd.DataFrame) -> list[Issue]:
    out = []
    for a in corr.index:
        for b in corr.columns:
            v = corr.at[a, b]
            try:
                if not _missing(v) and not -1 <= schema.cell_float(v) <= 1:
                    out.append(Issue(ERROR, "range"))
            except (TypeError, ValueError):
                out.append(Issue(ERROR, "type"))
    return out


def _events(scn: Scenario) -> Iterator[Issue]:
    e = scn.risk_events
    sectors = scn.sector_names
    for col in scn.event_sector_columns():
        if col not in sectors:
            yield Issue(ERROR, f'Risk events column "{col}" is not a sector of the Sectors table.',
                        table="Risk events", row="(header)", column=col,
                        suggestion=did_you_mean(col, sectors) or "Rename the column to a sector or delete it.")
            continue
        for i, v in enumerate(e[col].tolist()):
            problem = check_value(schema.SHOCK_COLUMN, v)
            if problem:
                yield _issue(ERROR, "Risk events", row_key(schema.RISK_EVENTS, e, i), col,
                             problem[0].replace("(sector shock)", f"The {col} shock"), problem[1], i)


def _sectors(scn: Scenario) -> Iterator[Issue]:
    if len(scn.sectors) == 0:
        yield Issue(ERROR, "The Sectors table is empty; every project needs a sector.", table="Sectors",
                    suggestion="Add at least one sector.")
    if len(scn.projects) == 0:
        yield Issue(ERROR, "The Projects table is empty; there is nothing to allocate.", table="Projects",
                    suggestion="Add at least one candidate project.")
    elif not scn.projects["Include"].any():
        yield Issue(WARNING, "No project is included, so nothing can be allocated.", table="Projects",
                    column="Include", suggestion="Set Include to yes on the projects to consider.")


#: A validation rule: the issues it finds in a scenario, in a stable order.
Rule = Callable[[Scenario], Iterator[Issue]]

RULES: tuple[Rule, ...] = (_fields, _sectors, _cells, _duplicates, _projects, _financing, _constraints, _correlations,
                           _events)
