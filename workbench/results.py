"""Results as plain frozen objects, read the same way by the UI, the CLI, the exporter
and the snapshot library. Data flows one way: scenario -> models -> these -> views.

Amounts are USD m; losses (VaR, CVaR, contributions) are positive numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Binding:
    """A constraint that binds at the solution, with its shadow price in the user's terms."""

    source: str          # as the user wrote it: "Constraints row 2: Sector * max share 0.35"
    shadow_price: float  # objective units per USD m of slack (e.g. USD m of expected P&L per USD m)
    text: str            # "raising ... by USD 1 bn adds USD x m of expected P&L"


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


@dataclass(frozen=True)
class RunResult:
    """Everything one run of the pipeline produced, for one scenario."""

    scenario_hash: str
    method: str
    trials: int
    seed: int
    allocation: AllocationResult
    risk: Any                     # workbench.risk measures result (see workbench/risk)
    stress: tuple[Any, ...] = ()  # stress test results, baseline-relative
    tornado: tuple[Any, ...] = ()
    impact: Any = None
    frontier: Frontier | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The key figures, as the CLI's ``--json`` prints them (non-finite -> None)."""
        from workbench.risk.report import summary_dict  # the risk issue owns the key list

        return summary_dict(self)


def finite_or_none(x: Any) -> Any:
    """JSON-safe: non-finite floats become ``None``; numpy scalars become Python numbers."""
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
