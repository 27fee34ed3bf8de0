"""Allocation engine: seven methods under the scenario's constraints, minimum tickets as a
mixed-integer problem, the efficient frontier, and infeasibility explained.

The contract is the "Allocation model" section of ``docs/contracts/models.md``; the choices
made where it is silent are in ``docs/allocation.md``.
"""

from workbench.allocation.allocator import METHODS, Allocator, allocate
from workbench.allocation.infeasibility import Infeasible
from workbench.allocation.outcome import SolverFailed
from workbench.allocation.sweep import frontier

__all__ = ["METHODS", "Allocator", "Infeasible", "SolverFailed", "allocate", "frontier"]
