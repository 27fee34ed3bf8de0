"""What a method hands back before it becomes an :class:`~workbench.results.AllocationResult`,
and the one meaning every method gives to its status and gap (``docs/allocation.md``, "Statuses")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workbench.errors import WorkbenchError
from workbench.results import Binding

OPTIMAL = "optimal"
BEST_FOUND = "best found"


@dataclass(frozen=True)
class Outcome:
    x: npt.NDArray[np.float64]        # USD m per included project
    status: str                       # see ``status_for``; "feasible" / "violates constraints" for ``fixed``
    gap: float                        # proven relative gap (0 when solved exactly; inf when no bound is known)
    objective: float | None           # in the method's user units
    binding: tuple[Binding, ...] = ()
    notes: tuple[str, ...] = ()


def relative_gap(upper: float, lower: float) -> float:
    """``(upper - lower) / |upper|`` for a minimisation (objective ``upper``, proven bound ``lower``);
    ``inf`` when either is unknown."""
    if not (math.isfinite(upper) and math.isfinite(lower)):
        return math.inf
    return max(upper - lower, 0.0) / max(abs(upper), 1e-9)


def status_for(gap: float, tolerance: float) -> str:
    """``optimal`` only when the gap is proven within ``tolerance``; otherwise ``best found, gap 1.2e-03``
    (or ``best found, gap unknown`` when no bound is known)."""
    if math.isfinite(gap) and gap <= tolerance:
        return OPTIMAL
    return f"{BEST_FOUND}, gap {gap:.1e}" if math.isfinite(gap) else f"{BEST_FOUND}, gap unknown"


class SolverFailed(WorkbenchError):
    """The solver stopped without any allocation (time limit, numerical trouble); not proven infeasible."""
