"""The allocation problem as data: the included projects, their bounds, and one linear limit
per bound the user wrote (Constraints rows, Financing capacities, the programme size),
each labelled as the user wrote it so that bindings and conflicts can be named.

Amounts here are USD m. The solvers work in shares of the programme (``w = x / S``), so a
tolerance of ``1e-6`` in the solver is the contract's ``1e-6 * S``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from workbench import schema
from workbench.scenario import Scenario

#: Grouping columns of Projects, by Constraints group name.
GROUP_COLUMNS = {"Sector": "Sector", "Instrument": "Instrument", "Financier": "Financier", "State": "State",
                 "Sponsor": "Sponsor", "Project": "ID", "Year": "Start year"}

#: Contract tolerance, as a fraction of the programme size.
TOL = 1e-6


@dataclass(frozen=True)
class Limit:
    """One bound the user wrote: ``sum of members (sense) value``.

    ``kind`` is ``constraint``, ``capacity``, ``size`` (a row of the constraint matrix),
    ``request`` (a project's upper bound) or ``ticket`` (a project's minimum ticket).
    """

    label: str
    kind: str
    sense: str            # "min" or "max"
    value: float          # USD m
    members: tuple[int, ...]
    unit: str = "usd"     # "share" when the user wrote a share of the programme
    written: float = math.nan  # the number as the user wrote it (a share, or USD m)
    subject: str = ""     # what the limit is on, for sentences: "Sector Semiconductors"
    coeffs: tuple[float, ...] | None = None  # weights of the members (``None``: each counts once)

    @property
    def is_row(self) -> bool:
        return self.kind in ("constraint", "capacity", "size", "target")

    def activity(self, x: npt.NDArray[np.float64]) -> float:
        """The limited quantity at amounts ``x`` (USD m)."""
        if not self.members:
            return 0.0
        idx = list(self.members)
        if self.coeffs is None:
            return float(np.sum(x[idx]))
        return float(np.dot(np.asarray(self.coeffs), x[idx]))


@dataclass(frozen=True)
class Problem:
    """Included projects (Projects order), their data, and every limit on them."""

    S: float
    ids: tuple[str, ...]
    all_ids: tuple[str, ...]
    table: pd.DataFrame = field(repr=False)    # projects_effective() rows of the included projects
    request: npt.NDArray[np.float64] = field(repr=False)     # USD m per included project
    ticket: npt.NDArray[np.float64] = field(repr=False)
    score: npt.NDArray[np.float64] = field(repr=False)
    allocated: npt.NDArray[np.float64] = field(repr=False)
    limits: tuple[Limit, ...] = ()
    discount_rate: float = float("nan")        # the scenario's: "expected NPV" in the notes is at this rate

    @property
    def npv(self) -> str:
        """The measure the notes name: "NPV at 5 %" (the results vocabulary's words)."""
        from workbench.figures import npv_label
        return npv_label(self.discount_rate) if math.isfinite(self.discount_rate) else "NPV at the discount rate"

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def row_limits(self) -> list[Limit]:
        return [lim for lim in self.limits if lim.is_row]

    def matrix(self) -> sp.csr_matrix:
        """0/1 matrix, one row per row limit (in ``row_limits`` order), one column per project."""
        rows = self.row_limits
        indptr = np.cumsum([0] + [len(lim.members) for lim in rows])
        indices = np.array([i for lim in rows for i in lim.members], dtype=np.int64)
        data = np.concatenate([np.asarray(lim.coeffs, float) if lim.coeffs is not None else np.ones(len(lim.members))
                               for lim in rows]) if rows else np.zeros(0)
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), self.n))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds of ``matrix()`` in USD m."""
        lo = np.array([lim.value if lim.sense == "min" else -np.inf for lim in self.row_limits])
        hi = np.array([lim.value if lim.sense == "max" else np.inf for lim in self.row_limits])
        return lo, hi

    def group(self, column: str) -> np.ndarray:
        return np.asarray(self.table[column].to_numpy(), dtype=object)

    def violations(self, x: np.ndarray, tol: float | None = None) -> list[tuple[Limit, float]]:
        """Every limit ``x`` (USD m) breaks by more than ``tol`` (default ``1e-6 * S``), with the excess."""
        tol = TOL * self.S if tol is None else tol
        out = []
        for lim in self.limits:
            if lim.kind == "ticket":
                v = x[lim.members[0]]
                excess = lim.value - v if v > tol else 0.0
            else:
                v = lim.activity(x)
                excess = lim.value - v if lim.sense == "min" else v - lim.value
            if excess > tol:
                out.append((lim, float(excess)))
        if np.any(x < -tol):
            i = int(np.argmin(x))
            out.append((Limit(f"Projects {self.ids[i]}: amount must not be negative", "bound", "min", 0.0, (i,)),
                        float(-x[i])))
        return out


def with_target(prob: Problem, mu: np.ndarray, target: float | None) -> Problem:
    """``prob`` plus the min-CVaR target: expected NPV (``mu @ x``) at least ``target`` USD m."""
    if target is None:
        return prob
    lim = Limit(f"Scenario: Target expected P&L {fmt_usd(target)} (USD m)", "target", "min", float(target),
                tuple(range(prob.n)), "usd", float(target), f"the target expected {prob.npv}",
                tuple(float(v) for v in mu))
    return replace(prob, limits=(*prob.limits, lim))


# ---------------------------------------------------------------- formatting
def fmt_usd(x: float) -> str:
    """``60,000`` or ``12,500.5``: USD m as a user reads it."""
    if abs(x - round(x)) < 1e-9 * max(1.0, abs(x)):
        return f"{round(x):,.0f}"
    return f"{x:,.1f}" if abs(x) >= 100 else f"{x:,.4g}"


def fmt_share(x: float) -> str:
    """``0.40`` (two decimals unless more are needed)."""
    s = f"{x:.2f}"
    return s if abs(float(s) - x) < 1e-12 else f"{x:.6g}"


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _norm(group: str, value: str | float) -> str:
    """A group value in comparable form (state codes, years as integers, text stripped, lower case)."""
    if group == "State":
        return schema.state_code(str(value)) or str(value).strip().lower()
    if group == "Year":
        try:
            return str(int(float(value)))
        except (TypeError, ValueError):
            return str(value).strip().lower()
    return str(value).strip().lower()


# ---------------------------------------------------------------- building
def build_problem(scn: Scenario) -> Problem:
    """The allocation problem of ``scn``: included projects, bounds and every limit."""
    eff = scn.projects_effective()
    include = np.array([bool(v) for v in eff["Include"]], dtype=bool) if len(eff) else np.zeros(0, bool)
    table = eff[include].reset_index(drop=True)
    S = scn.size
    ids = tuple(str(i) for i in table["ID"])
    request = table["Requested (USD m)"].to_numpy(dtype=float)
    ticket = np.minimum(table["Minimum ticket (USD m)"].to_numpy(dtype=float), request)
    allocated = np.nan_to_num(table["Allocated (USD m)"].to_numpy(dtype=float), nan=0.0)
    limits: list[Limit] = []
    limits += _constraint_limits(scn, table, S, eff)
    limits += _capacity_limits(scn, table)
    limits.append(Limit(f"Scenario: Programme size USD {S / 1000:,.6g} bn", "size", "max", S,
                        tuple(range(len(ids))), "usd", S / 1000, "the total"))
    for i, pid in enumerate(ids):
        limits.append(Limit(f"Projects {pid}: Requested {fmt_usd(request[i])}", "request", "max", float(request[i]),
                            (i,), "usd", float(request[i]), f"project {pid}"))
        if ticket[i] > 0:
            limits.append(Limit(f"Projects {pid}: Minimum ticket {fmt_usd(ticket[i])}", "ticket", "min",
                                float(ticket[i]), (i,), "usd", float(ticket[i]), f"project {pid}"))
    return Problem(S=S, ids=ids, all_ids=tuple(str(i) for i in eff["ID"]), table=table, request=request,
                   ticket=ticket, score=table["Strategic score"].to_numpy(dtype=float), allocated=allocated,
                   limits=tuple(limits), discount_rate=_rate(scn))


def _rate(scn: Scenario) -> float:
    try:
        return float(scn.field("Discount rate"))
    except (TypeError, ValueError, KeyError):
        return float("nan")


def _group_values(scn: Scenario, group: str, eff: pd.DataFrame) -> list[str]:
    """Every value of ``group`` (what ``*`` expands to), in first-seen order."""
    if group == "Sector":
        return scn.sector_names
    if group == "Instrument":
        return list(schema.INSTRUMENTS)
    col = GROUP_COLUMNS[group]
    out: list[str] = []
    for v in eff[col]:
        if _missing(v):
            continue
        text = str(int(float(v))) if group == "Year" else str(v)
        if text not in out:
            out.append(text)
    return out


def _constraint_limits(scn: Scenario, table: pd.DataFrame, S: float, eff: pd.DataFrame) -> list[Limit]:
    out: list[Limit] = []
    c = scn.constraints
    for r in range(len(c)):
        row = c.iloc[r]
        group = str(row["Group"]).strip()
        if group not in schema.CONSTRAINT_GROUPS:
            continue
        value = "*" if _missing(row["Value"]) else str(row["Value"]).strip()
        if group == "Total":
            targets = [("*", tuple(range(len(table))), "*")]
        else:
            col = GROUP_COLUMNS[group]
            by_key: dict[str, list[int]] = {}
            for i, v in enumerate(table[col]):
                if not _missing(v):
                    by_key.setdefault(_norm(group, v), []).append(i)
            if value == "*":
                targets = [(v, tuple(by_key.get(_norm(group, v), ())), f"* ({v})")
                           for v in _group_values(scn, group, eff)]
            else:
                targets = [(value, tuple(by_key.get(_norm(group, value), ())), value)]
        for _v, members, shown in targets:
            subject = "Total" if group == "Total" else f"{group} {shown}"
            head = f"Constraints row {r + 1}: {'Total' if group == 'Total' else group + ' ' + shown}"
            if group == "Total":
                subject = "the total"
            for col_name, sense, unit in (("Min share", "min", "share"), ("Max share", "max", "share"),
                                          ("Min (USD m)", "min", "usd"), ("Max (USD m)", "max", "usd")):
                v = row[col_name]
                if _missing(v):
                    continue
                v = float(v)
                text = f"{sense} share {fmt_share(v)}" if unit == "share" else f"{sense} USD {fmt_usd(v)} m"
                if shown.startswith("* (") and group != "Total":
                    label = f"Constraints row {r + 1}: {group} * {text} ({shown[3:-1]})"
                else:
                    label = f"{head} {text}"
                amount = v * S if unit == "share" else v
                out.append(Limit(label, "constraint", sense, amount, members, unit, v, subject))
    return out


def _capacity_limits(scn: Scenario, table: pd.DataFrame) -> list[Limit]:
    out: list[Limit] = []
    f = scn.financing
    fin = [str(v).strip().lower() for v in table["Financier"]]
    ins = [str(v) for v in table["Instrument"]]
    for r in range(len(f)):
        row = f.iloc[r]
        if _missing(row["Financier"]) or _missing(row["Capacity (USD m)"]):
            continue
        name = str(row["Financier"]).strip()
        inst = "Any" if _missing(row["Instrument"]) else str(row["Instrument"]).strip()
        cap = float(row["Capacity (USD m)"])
        members = tuple(i for i in range(len(table))
                        if fin[i] == name.lower() and (inst == "Any" or ins[i] == inst))
        shown = f"{name} {inst}" if inst != "Any" else f"{name} (any instrument)"
        out.append(Limit(f"Financing: {shown} capacity {fmt_usd(cap)}", "capacity", "max", cap, members,
                         "usd", cap, f"the {shown} capacity"))
    return out
