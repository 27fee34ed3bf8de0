"""Results as plain frozen objects, read the same way by the UI, the CLI, the exporter
and the snapshot library. Data flows one way: scenario -> models -> these -> views; the
named key figures and tables of a run are in :mod:`workbench.figures`.

Amounts are USD m; losses (VaR, CVaR, contributions) are positive numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import numpy as np

if TYPE_CHECKING:
    from workbench.impact import ImpactResult
    from workbench.issues import Issue
    from workbench.risk.result import RiskResult
    from workbench.risk.sensitivity import TornadoBar
    from workbench.risk.stress import StressResult, StressSpec
    from workbench.risk.tail import StopRule
    from workbench.scenario import Scenario


@dataclass(frozen=True)
class Binding:
    """A constraint that binds at the solution, with its shadow price in the user's terms."""

    source: str          # as the user wrote it: "Constraints row 2: Sector * max share 0.35"
    shadow_price: float  # objective units per USD m of slack (e.g. USD m of expected P&L per USD m)
    text: str            # "raising ... by USD 1 bn adds USD x m of expected P&L"
    # One-sided, measured by re-solving with the limit moved each way (NaN: not measured; inf: that move
    # makes the limits conflict): objective change per USD m the limit is raised / lowered.
    price_up: float = float("nan")
    price_down: float = float("nan")


@dataclass(frozen=True)
class Conflict:
    """One member of an irreducible set of conflicting constraints, and its least fix."""

    source: str   # "Constraints row 4: Sector Semiconductors min share 0.40"
    change: str   # "lower it to 0.31 (by USD 49,500 m)"
    amount: float  # the size of that least change, USD m


@dataclass(frozen=True)
class AllocationResult:
    method: str
    amounts: dict[str, float]                 # every project ID -> USD m (0 when unfunded)
    by_sector: dict[str, float]
    by_instrument: dict[str, float]
    by_financier: dict[str, float]
    by_state: dict[str, float]
    status: str                               # "optimal", "feasible", "time limit", ...
    gap: float                                # relative MIP gap (0 for LP/QP solved to optimality)
    seconds: float
    objective: float | None = None
    binding: tuple[Binding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return float(sum(self.amounts.values()))


@dataclass(frozen=True)
class FrontierPoint:
    expected_pnl: float
    cvar: float
    std: float
    amounts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Frontier:
    points: tuple[FrontierPoint, ...]
    risk_measure: str = "cvar"   # what was swept: "cvar" or "std"


#: The Scenario field each run option is read from and written to.
OPTION_FIELDS = {"method": "Allocation method", "trials": "Trials", "seed": "Random seed"}


@dataclass(frozen=True)
class RunOptions:
    """How one run goes: resolved once from the scenario and any overrides, then passed down.

    ``method``, ``trials`` and ``seed`` override the scenario's fields of those names;
    ``workers`` share the trials (or the stress and sensitivity runs); the rest says what
    the run includes.
    """

    method: str
    trials: int
    seed: int
    workers: int = 1
    stress: bool = True
    tornado: bool = True
    frontier_points: int = 0
    stresses: tuple[StressSpec, ...] = ()
    #: The stop rule's target relative standard error of CVaR; ``trials`` is then the most trials used.
    precision: float | None = None

    @classmethod
    def resolve(cls, scn: Scenario, *, method: str | None = None, trials: int | None = None, seed: int | None = None,
                workers: int = 1, stress: bool = True, tornado: bool = True, frontier_points: int = 0,
                stresses: Sequence[StressSpec] = (), precision: float | None = None) -> RunOptions:
        """The scenario's own method, trials, seed and CVaR precision, unless given here."""
        return cls(method=str(method).strip() if method is not None else scn.method,
                   trials=int(trials) if trials is not None else scn.trials,
                   seed=int(seed) if seed is not None else scn.seed, workers=max(int(workers), 1),
                   stress=bool(stress), tornado=bool(tornado), frontier_points=int(frontier_points),
                   stresses=tuple(stresses),
                   precision=float(precision) if precision is not None else scn.precision)

    def apply(self, scn: Scenario) -> Scenario:
        """``scn`` with this run's method, trials, seed and CVaR precision written into its fields: the scenario
        as run (an empty precision leaves its content hash as it was)."""
        from workbench.schema import PRECISION_FIELD

        return scn.with_fields(**{name: getattr(self, option) for option, name in OPTION_FIELDS.items()},
                               **{PRECISION_FIELD: self.precision})


@dataclass(frozen=True)
class Shortfall:
    """Why less than the programme size is allocated, in the user's terms (USD m)."""

    programme_size: float
    allocated: float                    # total committed, cash and guarantees
    most_allowed: float                 # the most the limits allow in total (NaN when not computed)
    holding_limits: tuple[str, ...]     # the limits that stop the total at ``most_allowed``, as the user wrote them
    negative_npv: tuple[str, ...]       # projects with room left and negative expected NPV at the discount rate
    positive_with_room: tuple[str, ...]  # projects with room left and positive expected NPV that the method left
    discount_rate: float
    method: str = ""
    tickets_cost: float = 0.0           # how much less the minimum tickets allow than the limits alone
    # The most the limits allow without adding to the candidates with negative expected NPV (NaN: not computed),
    # and the limits that hold that total there.
    most_without_negative: float = float("nan")
    limits_without_negative: tuple[str, ...] = ()

    @property
    def unallocated(self) -> float:
        return self.programme_size - self.allocated

    def text(self) -> str:
        """Sentences for the Allocation view, the CLI and the workbook."""
        bn = _bn
        rate = f"{100 * self.discount_rate:.2f}".rstrip("0").rstrip(".") + " %"
        lines = [f"{bn(self.allocated)} of the {bn(self.programme_size)} programme is committed; "
                 f"{bn(self.unallocated)} is not allocated."]
        tol = 1e-6 * max(self.programme_size, 1.0)
        if np.isfinite(self.most_allowed) and self.most_allowed < self.programme_size - tol:
            why = (f": {_join(self.holding_limits)} hold the total there" if self.holding_limits
                   else ": every included project is at its requested amount")
            lines.append(f"The limits allow at most {bn(self.most_allowed)}{why}.")
            if self.tickets_cost > tol:
                lines.append(f"The minimum tickets take {bn(self.tickets_cost)} off what the other limits allow "
                             "(a project gets its ticket or nothing).")
        cap = self.most_allowed if np.isfinite(self.most_allowed) else self.programme_size
        left = cap - self.allocated
        if left > tol:
            rate_text = f"negative expected NPV at {rate}"
            held = (np.isfinite(self.most_without_negative)
                    and self.allocated >= self.most_without_negative - max(tol, 1e-4 * self.programme_size))
            if self.negative_npv and not self.positive_with_room:
                lines.append(f"The limits would allow {bn(left)} more, but every candidate with room left has "
                             f"{rate_text} ({_join(self.negative_npv, 8)}): funding it would lose value at the "
                             "discount rate, so the method leaves it out.")
            elif self.negative_npv and held:
                why = (f": {_join(self.limits_without_negative)} hold the total there"
                       if self.limits_without_negative else "")
                lines.append(f"Without adding to the candidates with {rate_text} ({_join(self.negative_npv, 8)}), "
                             f"the limits allow at most {bn(self.most_without_negative)}{why}. The limits would "
                             f"allow {bn(left)} more only by funding those candidates, which would lose value at "
                             "the discount rate.")
            else:
                lines.append(f"The limits would allow {bn(left)} more; the {self.method or 'allocation'} method "
                             "stops short by its own objective (for example the risk it accepts), not because of "
                             "a limit.")
                if self.negative_npv:
                    lines.append(f"Of the candidates with room left, {_join(self.negative_npv, 8)} have "
                                 f"{rate_text}.")
        return " ".join(lines)


def _bn(x: float) -> str:
    return f"USD {x / 1000:,.1f} bn" if abs(x) >= 1000 else f"USD {x:,.0f} m"


def _join(items: Sequence[str], most: int = 6) -> str:
    items = list(items)
    if len(items) > most:
        items = [*items[:most], f"{len(items) - most} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class RunResult:
    """Everything one run of the pipeline produced, for one scenario.

    ``scenario_hash`` is the content hash of the scenario as run (the input with the run's
    method, trials and seed written in); ``input_hash`` that of the scenario as given, so
    a result can be matched to the scenario it came from without re-hashing.
    """

    scenario_hash: str
    method: str
    trials: int
    seed: int
    allocation: AllocationResult
    risk: RiskResult
    stress: tuple[StressResult, ...] = ()            # stress test results, baseline-relative
    tornado: tuple[TornadoBar, ...] = ()
    impact: ImpactResult | None = None
    frontier: Frontier | None = None
    input_hash: str = ""
    scenario_name: str = ""
    programme_size: float = float("nan")              # USD m
    issues: tuple[Issue, ...] = ()                    # validation warnings of the scenario as run
    fit_trials: int = 0                               # trials of the fitting sample the allocation used
    shortfall: Shortfall | None = None                # why less than the programme is allocated (None: all is)
    options: RunOptions | None = None
    #: How the stop rule chose ``trials`` (``None`` when the run had no CVaR precision).
    stop_rule: StopRule | None = None


@overload
def finite_or_none(x: dict[Any, Any]) -> dict[str, Any]: ...
@overload
def finite_or_none(x: list[Any] | tuple[Any, ...]) -> list[Any]: ...
@overload
def finite_or_none(x: object) -> Any: ...


def finite_or_none(x: object) -> Any:
    """JSON-safe: non-finite floats become ``None``; numpy scalars become Python numbers (any JSON value)."""
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if np.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, dict):
        return {str(k): finite_or_none(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite_or_none(v) for v in x]
    return x
