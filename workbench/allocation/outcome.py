"""What a method hands back before it becomes an :class:`~workbench.results.AllocationResult`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.results import Binding


@dataclass(frozen=True)
class Outcome:
    x: np.ndarray                     # USD m per included project
    status: str                       # "optimal", "time limit", ...
    gap: float                        # relative gap (0 when solved to optimality)
    objective: float | None           # in the method's user units
    binding: tuple[Binding, ...] = ()
    notes: tuple[str, ...] = ()


class SolverFailed(Exception):
    """The solver stopped without any allocation (time limit, numerical trouble); not proven infeasible."""
