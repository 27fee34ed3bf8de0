"""The risk model's inputs as arrays: what the Monte Carlo engine reads from a scenario.

:func:`build_model` turns a :class:`~workbench.scenario.Scenario` into a frozen
:class:`RiskModel` (included projects in Projects order, sectors in Sectors order, events
in Risk events order), with every default applied and the correlation matrix repaired to
the nearest valid one when it is not positive semi-definite. Nothing random happens here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from workbench.correlation import nearest_correlation
from workbench.errors import WorkbenchError
from workbench.scenario import Scenario
from workbench.schema import CellValue

EQUITY, LOAN, GUARANTEE = 0, 1, 2
INSTRUMENT_CODES = {"Equity": EQUITY, "Loan": LOAN, "Guarantee": GUARANTEE}

#: An input override: (table, row key, column) -> value. ``table`` is ``"Scenario"`` (row
#: key ignored, column = field name), ``"Sectors"`` (row = sector), ``"Projects"`` (row =
#: ID, or ``"*"`` for every project) or ``"Risk events"`` (row = event).
Overrides: TypeAlias = Mapping[tuple[str, str, str], CellValue]


class ModelError(WorkbenchError, ValueError):
    """The scenario cannot be simulated as it stands (the message says why and where)."""


@dataclass(frozen=True, eq=False)
class RiskModel:
    """Arrays of the risk model, one entry per included project / sector / event."""

    ids: tuple[str, ...]
    sectors: tuple[str, ...]
    events: tuple[str, ...]
    project_sector: npt.NDArray[np.int64]  # (n,) int index into sectors
    instrument: npt.NDArray[np.int64]      # (n,) int: EQUITY, LOAN, GUARANTEE
    financier: tuple[str, ...]             # (n,)
    state: tuple[str, ...]                 # (n,)
    mu: npt.NDArray[np.float64]            # (n,) project expected return
    specific: npt.NDArray[np.float64]      # (n,) specific risk
    coupon: npt.NDArray[np.float64]        # (n,) coupon or fee
    recovery: npt.NDArray[np.float64]      # (n,) recovery rate
    start: npt.NDArray[np.int64]           # (n,) int start offset k (0 .. H-1)
    requested: npt.NDArray[np.float64]     # (n,)
    sector_mu: npt.NDArray[np.float64]     # (S,)
    sector_vol: npt.NDArray[np.float64]    # (S,)
    corr: npt.NDArray[np.float64]          # (S, S), valid correlation matrix
    chol: npt.NDArray[np.float64]          # (S, S) lower factor: e = chol @ z
    corr_repaired: bool                    # the scenario's matrix was not PSD and was replaced by the nearest
    event_prob: npt.NDArray[np.float64]    # (E,)
    event_duration: npt.NDArray[np.int64]  # (E,) int >= 1
    event_shock: npt.NDArray[np.float64]   # (E, S)
    horizon: int
    start_year: int
    discount_rate: float
    threshold: float
    confidence: float
    copula: str
    dof: float

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def engine_order(self) -> npt.NDArray[np.intp]:
        """Projects as the engine lays them out: equity, then loans, then guarantees (stable)."""
        return np.argsort(self.instrument, kind="stable")

    @cached_property
    def engine_inverse(self) -> npt.NDArray[np.int64]:
        inv = np.empty(self.n, dtype=np.int64)
        inv[self.engine_order] = np.arange(self.n)
        return inv

    @cached_property
    def n_equity(self) -> int:
        return int(np.sum(self.instrument == EQUITY))

    @cached_property
    def n_loan(self) -> int:
        return int(np.sum(self.instrument == LOAN))

    def discount(self) -> npt.NDArray[np.float64]:
        """``(1 + r)^-k`` for k = 0 .. H: index k is the start of year k (= end of year k-1)."""
        return (1.0 + self.discount_rate) ** -np.arange(self.horizon + 1, dtype=float)

    @property
    def years(self) -> list[int]:
        return [self.start_year + k for k in range(self.horizon)]


_PROJECT_FIELDS = ("ids", "project_sector", "instrument", "financier", "state", "mu", "specific", "coupon",
                   "recovery", "start", "requested")


def submodel(model: RiskModel, idx: np.ndarray) -> RiskModel:
    """``model`` restricted to the projects ``idx`` (model order): same sectors, events and settings."""
    changes: dict[str, Any] = {}   # each field keeps its own type (a tuple or an array)
    for name in _PROJECT_FIELDS:
        v = getattr(model, name)
        changes[name] = tuple(v[i] for i in idx) if isinstance(v, tuple) else v[idx]
    return replace(model, **changes)


def moved_projects(base: RiskModel, model: RiskModel, forced: np.ndarray | None = None) -> np.ndarray | None:
    """The projects (model order) whose P&L per USD m under ``model`` (with ``forced`` event starts) may differ
    from ``base``'s on the same random numbers; ``None`` when the two differ in layout or in a setting every
    project reads (then all of them).

    A project reads its own parameters, its sector's volatility, the correlations, the events that shock its
    sector, and the horizon, discount rate and default threshold: everything else of a project is computed
    element by element, so the P&L of the others stays the same, bit for bit.
    """
    same = (model.ids == base.ids and model.sectors == base.sectors and model.events == base.events
            and model.horizon == base.horizon and model.start_year == base.start_year
            and model.discount_rate == base.discount_rate and model.threshold == base.threshold
            and model.copula == base.copula and model.dof == base.dof
            and all(np.array_equal(getattr(model, f), getattr(base, f))
                    for f in ("project_sector", "instrument", "start", "chol")))
    if not same:
        return None
    moved = ~((model.mu == base.mu) & (model.specific == base.specific) & (model.coupon == base.coupon)
              & (model.recovery == base.recovery))
    sectors = ~(model.sector_vol == base.sector_vol)
    events = ~((model.event_prob == base.event_prob) & (model.event_duration == base.event_duration)
               & np.all(model.event_shock == base.event_shock, axis=1))
    if forced is not None:
        events |= forced.any(axis=0)
    if events.any():
        sectors |= np.any(model.event_shock[events] != 0.0, axis=0) | np.any(base.event_shock[events] != 0.0, axis=0)
    moved |= sectors[model.project_sector]
    return np.flatnonzero(moved)


def apply_overrides(scn: Scenario, overrides: Overrides | None) -> Scenario:
    """A copy of ``scn`` with input values replaced (used by stress tests and the tornado)."""
    if not overrides:
        return scn
    fields = dict(scn.fields)
    tables: dict[str, pd.DataFrame] = {}
    keys = {"Sectors": "Sector", "Projects": "ID", "Risk events": "Event"}
    for (table, row, column), value in overrides.items():
        if table == "Scenario":
            fields[column] = value
            continue
        if table not in keys:
            raise ModelError(f'Cannot override a value of table "{table}".')
        frame = tables.get(table)
        if frame is None:
            frame = scn.table(table).copy()
            tables[table] = frame
        if column not in frame.columns:
            raise ModelError(f'{table} has no column "{column}" to override.')
        mask = np.ones(len(frame), bool) if row == "*" else (frame[keys[table]] == row).to_numpy()
        if not mask.any():
            raise ModelError(f'{table} has no row "{row}" to override.')
        frame.loc[mask, column] = value
    out = scn.with_fields(**fields)
    for table, frame in tables.items():
        out = out.with_table(table, frame)
    return out


def _f(x: Any, default: float) -> float:
    """``x`` (a cell as read: any value) as a number, ``default`` when it is not one or is NaN."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(v) else v


def build_model(scn: Scenario, overrides: Overrides | None = None) -> RiskModel:
    """The arrays of the risk model for ``scn`` (after ``overrides``)."""
    scn = apply_overrides(scn, overrides)
    sectors = tuple(scn.sector_names)
    spos = {s: i for i, s in enumerate(sectors)}
    sec = scn.sectors
    sector_mu = np.array([_f(v, np.nan) for v in sec["Expected return"]], float)
    sector_vol = np.array([_f(v, np.nan) for v in sec["Volatility"]], float)
    for name, arr in (("Expected return", sector_mu), ("Volatility", sector_vol)):
        bad = [s for s, v in zip(sectors, arr) if not np.isfinite(v)]
        if bad:
            raise ModelError(f'Sectors: {name} of "{bad[0]}" is empty or not a number.')
    horizon, start_year = scn.horizon, scn.start_year

    p = scn.projects_effective()
    p = p[[bool(v) for v in p["Include"]]]
    ids = tuple(str(v) for v in p["ID"])
    unknown = [(i, s) for i, s in zip(ids, p["Sector"]) if s not in spos]
    if unknown:
        raise ModelError(f'Projects {unknown[0][0]}: sector "{unknown[0][1]}" is not in the Sectors table.')
    start = np.array([int(_f(y, start_year)) - start_year for y in p["Start year"]], dtype=np.int64)
    if len(start) and (start.min() < 0 or start.max() >= horizon):
        i = int(np.argmax((start < 0) | (start >= horizon)))
        raise ModelError(f"Projects {ids[i]}: Start year {start[i] + start_year} is outside the scenario's "
                         f"years {start_year} to {start_year + horizon - 1}.")
    mu = np.array([_f(v, np.nan) for v in p["Expected return"]], float)
    if len(mu) and not np.all(mu > -1):
        raise ModelError("Projects: an expected return must be above -1.")

    corr = scn.correlation_matrix()
    repaired = bool(len(corr) > 1 and np.linalg.eigvalsh(corr).min() < -1e-10)
    if repaired:
        corr = nearest_correlation(corr)
    chol = _factor(corr)

    ev = scn.risk_events
    events = tuple(str(v) for v in ev["Event"]) if len(ev) else ()
    shock = np.zeros((len(events), len(sectors)))
    for col in scn.event_sector_columns():
        if col in spos:
            shock[:, spos[col]] = [_f(v, 0.0) for v in ev[col]]
    prob = np.array([min(max(_f(v, 0.0), 0.0), 1.0) for v in ev["Annual probability"]], float) if events else \
        np.zeros(0)
    dur = np.array([max(int(_f(v, 1)), 1) for v in ev["Duration (years)"]], np.int64) if events else \
        np.zeros(0, np.int64)

    return RiskModel(
        ids=ids, sectors=sectors, events=events,
        project_sector=np.array([spos[s] for s in p["Sector"]], dtype=np.int64),
        instrument=np.array([INSTRUMENT_CODES.get(str(v), EQUITY) for v in p["Instrument"]], dtype=np.int64),
        financier=tuple(str(v) for v in p["Financier"]), state=tuple(str(v) for v in p["State"]),
        mu=mu, specific=np.array([_f(v, 0.10) for v in p["Specific risk"]], float),
        coupon=np.array([_f(v, 0.0) for v in p["Coupon or fee"]], float),
        recovery=np.array([_f(v, 0.40) for v in p["Recovery rate"]], float),
        start=start, requested=np.array([_f(v, 0.0) for v in p["Requested (USD m)"]], float),
        sector_mu=sector_mu, sector_vol=sector_vol, corr=corr, chol=chol, corr_repaired=repaired,
        event_prob=prob, event_duration=dur, event_shock=shock,
        horizon=horizon, start_year=start_year,
        discount_rate=float(scn.field("Discount rate")), threshold=float(scn.field("Default threshold")),
        confidence=float(scn.field("Confidence level")), copula=str(scn.field("Copula")),
        dof=float(scn.field("Degrees of freedom")),
    )


#: The overrides :func:`patched_model` sets on a built model's arrays, by table: the columns it knows.
_PATCHABLE = {"Sectors": ("Volatility", "Expected return"),
              "Projects": ("Expected return", "Specific risk", "Coupon or fee", "Recovery rate"),
              "Risk events": ("Annual probability",), "Scenario": ("Discount rate",)}
_PROJECT_ARRAYS = {"Specific risk": "specific", "Coupon or fee": "coupon", "Recovery rate": "recovery"}


def _number(value: Any) -> float | None:
    """``value`` as a finite float when it is a plain real number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def patched_model(base: RiskModel, scn: Scenario, overrides: Overrides) -> RiskModel | None:
    """``build_model(scn, overrides)`` from ``base`` (``build_model(scn)``) by setting the overridden numbers in
    its arrays, exactly as :func:`build_model` reads them, for the overrides stress tests and the tornado use
    (a sector's volatility or expected return, a project's expected return, specific risk, coupon or recovery,
    an event's probability, the discount rate; a finite number each, on rows whose keys are unique). None for
    any other override: then :func:`build_model` is the way (and says what is wrong, if anything is)."""
    if any(column not in _PATCHABLE.get(table, ()) for table, _row, column in overrides):
        return None
    values: dict[tuple[str, str, str], float] = {}
    for key, value in overrides.items():
        v = _number(value)
        if v is None:
            return None
        values[key] = v
    sector_pos = {name: i for i, name in enumerate(base.sectors)}
    event_pos = {name: i for i, name in enumerate(base.events)}
    if len(sector_pos) != len(scn.sectors) or len(event_pos) != len(scn.risk_events):
        return None   # a name used twice, or a row without a name: build_model's reading applies
    raw = scn.projects
    raw_ids = list(raw["ID"])
    names = [*scn.sectors["Sector"], *(scn.risk_events["Event"] if len(scn.risk_events) else ())]
    if (len(set(raw_ids)) != len(raw_ids) or not all(isinstance(i, str) for i in raw_ids)
            or not all(isinstance(n, str) for n in names)):
        return None   # keys as apply_overrides compares them: text, each once
    pos = {pid: i for i, pid in enumerate(base.ids)}
    own = {pid: _f(v, np.nan) for pid, v in zip(raw_ids, raw["Expected return"])}   # before the sectors' fill
    changes: dict[str, Any] = {}
    sector_mu, sector_vol = base.sector_mu.copy(), base.sector_vol.copy()
    arrays = {name: getattr(base, name).copy() for name in _PROJECT_ARRAYS.values()}
    prob = base.event_prob.copy()
    for (table, row, column), v in values.items():
        if table == "Scenario":
            changes["discount_rate"] = v
        elif table == "Sectors":
            if row not in sector_pos:
                return None
            (sector_vol if column == "Volatility" else sector_mu)[sector_pos[row]] = v
        elif table == "Risk events":
            if row not in event_pos:
                return None
            prob[event_pos[row]] = min(max(v, 0.0), 1.0)
        else:
            if row != "*" and row not in own:
                return None
            targets = list(own) if row == "*" else [row]
            for pid in targets:
                if column == "Expected return":
                    own[pid] = v
                elif pid in pos:
                    arrays[_PROJECT_ARRAYS[column]][pos[pid]] = v
    mu = np.array([own[pid] if not math.isnan(own[pid]) else sector_mu[s]
                   for pid, s in zip(base.ids, base.project_sector)], float)
    if len(mu) and not np.all(mu > -1):
        return None
    return replace(base, mu=mu, sector_mu=sector_mu, sector_vol=sector_vol, event_prob=prob, **arrays, **changes)


def _factor(corr: np.ndarray) -> np.ndarray:
    """A lower factor ``L`` with ``L @ L.T == corr`` (Cholesky; eigen-factor if only semi-definite)."""
    if len(corr) == 0:
        return np.zeros((0, 0))
    try:
        lower: npt.NDArray[np.float64] = np.linalg.cholesky(corr)
        return lower
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(corr)
        factor: npt.NDArray[np.float64] = v * np.sqrt(np.maximum(w, 0.0))
        return factor
