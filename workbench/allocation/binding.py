"""What binds at the solution, with shadow prices in the user's terms.

A shadow price is the change in the method's objective (USD m of expected P&L, of CVaR,
...) per USD m that a limit moves. It comes from HiGHS's duals of the linear (or
quadratic) model; for a mixed-integer model, from the same model with the binaries fixed
at the solution (the usual reading: the price holds while the set of funded projects
stays the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.allocation.formulation import Base
from workbench.allocation.problem import TOL, Limit, Problem, fmt_usd
from workbench.results import Binding


@dataclass(frozen=True)
class Objective:
    """How to read the model's objective: ``user value = scale * (model objective) + offset``."""

    name: str          # "expected P&L", "CVaR", ...
    unit: str          # "USD m" or "" (for a score or a fraction)
    scale: float       # user units per model unit
    better: str = "max"  # "max" when more is better (P&L), "min" when less is (CVaR)

    def amount(self, v: float) -> str:
        if self.unit == "USD m":
            return f"USD {fmt_usd(v)} m of {self.name}"
        if self.unit == "fraction":
            return f"{v * 100:,.4g} percentage points to {self.name}"
        return f"{v:,.4g} of {self.name}"


def sentence(lim: Limit, price: float, obj: Objective) -> str:
    """``raising ... by USD 1 bn adds USD x m of expected P&L`` (the direction that helps)."""
    if not np.isfinite(price):
        return f"{lim.label} binds."
    move = "Raising" if lim.sense == "max" else "Lowering"
    gain = price * 1000.0 if lim.sense == "max" else -price * 1000.0  # objective change for the helpful move
    if obj.better == "min":
        verb, amt = ("cuts", -gain) if gain <= 0 else ("adds", gain)
        if abs(gain) < 1e-12:
            verb = "changes"
        return f"{move} {lim.label} by USD 1 bn {verb} {obj.name} by {_plain(abs(amt), obj)}."
    if abs(gain) < 1e-12:
        return f"{lim.label} binds, but moving it by USD 1 bn would not change {obj.name}."
    verb = "adds" if gain > 0 else "costs"
    return f"{move} {lim.label} by USD 1 bn {verb} {obj.amount(abs(gain))}."


def _plain(v: float, obj: Objective) -> str:
    return f"USD {fmt_usd(v)} m" if obj.unit == "USD m" else f"{v:,.4g}"


def bindings(prob: Problem, base_: Base, x_usd: np.ndarray, row_dual: np.ndarray | None,
             col_dual: np.ndarray | None, obj: Objective, *, with_prices: bool = True) -> tuple[Binding, ...]:
    """The limits that hold with equality at ``x_usd`` (within ``1e-6 * S``), priced where duals exist."""
    tol = TOL * prob.S
    S = prob.S
    out: list[tuple[float, Binding]] = []
    rows = prob.row_limits
    duals = row_dual[base_.limit_rows] if (row_dual is not None and with_prices) else None
    for j, lim in enumerate(rows):
        if abs(lim.activity(x_usd) - lim.value) > tol:
            continue
        price = obj.scale * float(duals[j]) / S if duals is not None else float("nan")
        out.append((abs(price) if np.isfinite(price) else -1.0, Binding(lim.label, price, sentence(lim, price, obj))))
    cd = col_dual[base_.w] if (col_dual is not None and with_prices) else None
    tick = {lim.members[0]: lim for lim in prob.limits if lim.kind == "ticket"}
    for lim in prob.limits:
        if lim.kind != "request":
            continue
        i = lim.members[0]
        at_req = abs(x_usd[i] - lim.value) <= tol
        t = tick.get(i)
        at_ticket = t is not None and x_usd[i] > tol and abs(x_usd[i] - t.value) <= tol
        if at_req and at_ticket and cd is not None and base_.fixed_z is not None:
            at_req, at_ticket = cd[i] < 0, cd[i] >= 0   # both bounds equal: the dual's sign says which binds
        if at_req:
            price = obj.scale * float(cd[i]) / S if cd is not None else float("nan")
            if cd is None or abs(price) >= 1e-12:  # a project at its request with no value in more: no line
                out.append((abs(price) if np.isfinite(price) else -1.0,
                            Binding(lim.label, price, sentence(lim, price, obj))))
        if at_ticket:
            if base_.fixed_z is not None:          # the ticket is the column's lower bound
                price = obj.scale * float(cd[i]) / S if cd is not None else float("nan")
            else:
                price = float("nan")
                if row_dual is not None and with_prices and len(base_.ticketed):
                    k = int(np.flatnonzero(base_.ticketed == i)[0])
                    price = obj.scale * float(row_dual[base_.ticket_rows][k]) / S
            out.append((abs(price) if np.isfinite(price) else -1.0, Binding(t.label, price, sentence(t, price, obj))))
    out.sort(key=lambda t: -t[0])
    return tuple(b for _, b in out)
