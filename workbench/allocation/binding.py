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
import numpy.typing as npt

from workbench.allocation.formulation import Base
from workbench.allocation.problem import TOL, Limit, Problem, fmt_usd
from workbench.allocation.solver import Resolver
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


#: At most this many limits are priced by re-solving (the largest duals first); the rest by their dual.
MEASURE_MAX = 40
#: Up to this many projects, requests at their bound with a zero dual are re-solved too (degenerate LPs).
SMALL = 60


def one_sided(resolve: Resolver, kind: str, index: int, sign: float, *, quadratic: bool) -> float:
    """The one-sided derivative of the optimal objective (model units per model unit) when the bound
    ``kind``/``index`` moves by ``sign`` (+1 up, -1 down): re-solves at steps ``d`` and ``d / 2``.

    Linear programmes: the optimal value is piecewise linear and convex (concave) in a bound, so equal
    slopes over ``[0, d/2]`` and ``[0, d]`` prove the slope is constant on ``[0, d]``: that is the exact
    one-sided derivative; the step shrinks until they agree. Quadratic: Richardson extrapolation of the two.
    ``inf`` when any move that way makes the limits conflict; NaN when the solver could not settle it."""
    f0 = resolve.objective
    if not np.isfinite(f0):
        return float("nan")
    last = float("nan")
    d = 1e-3
    for _ in range(6):
        a = resolve.move(kind, index, sign * d)
        b = resolve.move(kind, index, sign * d / 2)
        if a is None or b is None:
            return float("nan")
        if np.isinf(b):
            last = float("inf")
            d /= 8
            continue
        if np.isinf(a):
            d /= 2
            continue
        s1, s2 = (a - f0) / d, (b - f0) / (d / 2)
        if quadratic:
            return 2 * s2 - s1
        if abs(s1 - s2) <= 1e-7 * max(1.0, abs(s2)):
            return s2
        last = s2
        d /= 8
    return last


def _phrase(change: float, obj: Objective) -> str:
    """What a USD 1 bn move does to the objective (``change`` in user units; ``inf``: the limits conflict)."""
    if not np.isfinite(change):
        return "makes the limits conflict" if np.isinf(change) else "was not measured"
    if abs(change) < 1e-9 * max(1.0, abs(obj.scale)):
        return f"changes nothing ({obj.name} stays the same)"
    if obj.better == "min":
        return f"{'cuts' if change < 0 else 'adds to'} {obj.name} by {_plain(abs(change), obj)}"
    return f"{'adds' if change > 0 else 'costs'} {obj.amount(abs(change))}"


def sentence_both(lim: Limit, up: float, down: float, obj: Objective) -> str:
    """Both directions, each worded as measured: the move that loosens the limit first."""
    per_bn_up, per_bn_down = up * 1000.0, down * 1000.0
    if lim.sense == "max":
        return (f"Raising {lim.label} by USD 1 bn {_phrase(per_bn_up, obj)}; "
                f"lowering it by USD 1 bn {_phrase(per_bn_down, obj)}.")
    return (f"Lowering {lim.label} by USD 1 bn {_phrase(per_bn_down, obj)}; "
            f"raising it by USD 1 bn {_phrase(per_bn_up, obj)}.")


def bindings(prob: Problem, base_: Base, x_usd: npt.NDArray[np.float64],
             row_dual: npt.NDArray[np.float64] | None, col_dual: npt.NDArray[np.float64] | None,
             obj: Objective, *, with_prices: bool = True, resolve: Resolver | None = None) -> tuple[Binding, ...]:
    """The limits that hold with equality at ``x_usd`` (within ``1e-6 * S``), priced where duals exist.

    ``resolve`` (a :class:`~workbench.allocation.solver.Resolver` of the model the duals came from):
    each limit is also priced one-sidedly, raising and lowering it, by re-solving; the text then
    words each direction as measured (in a degenerate programme the two differ, and the dual is
    only one value between them)."""
    tol = TOL * prob.S
    S = prob.S
    items: list[tuple[Limit, float, str | None, int]] = []   # (limit, dual price, bound kind, model index)
    rows = prob.row_limits
    duals = row_dual[base_.limit_rows] if (row_dual is not None and with_prices) else None
    for j, lim in enumerate(rows):
        if abs(lim.activity(x_usd) - lim.value) > tol:
            continue
        price = obj.scale * float(duals[j]) / S if duals is not None else float("nan")
        items.append((lim, price, "row_hi" if lim.sense == "max" else "row_lo", base_.limit_rows.start + j))
    cd = col_dual[base_.w] if (col_dual is not None and with_prices) else None
    tick = {lim.members[0]: lim for lim in prob.limits if lim.kind == "ticket"}
    measure_zero = resolve is not None and prob.n <= SMALL
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
            if cd is None or abs(price) >= 1e-12 or measure_zero:
                items.append((lim, price, "col_hi", base_.w.start + i))
        if at_ticket and t is not None:   # at_ticket implies a ticket
            kind = None
            if base_.fixed_z is not None:          # the ticket is the column's lower bound
                price = obj.scale * float(cd[i]) / S if cd is not None else float("nan")
                kind = "col_lo"
            else:
                price = float("nan")
                if row_dual is not None and with_prices and len(base_.ticketed):
                    k = int(np.flatnonzero(base_.ticketed == i)[0])
                    price = obj.scale * float(row_dual[base_.ticket_rows][k]) / S
            items.append((t, price, kind, base_.w.start + i))
    measured: dict[int, tuple[float, float]] = {}
    if resolve is not None and with_prices:
        order = sorted(range(len(items)), key=lambda q: -abs(items[q][1]) if np.isfinite(items[q][1]) else 0.0)
        quadratic = resolve.model.Q is not None
        for q in order[:MEASURE_MAX]:
            _, _, kind, idx = items[q]
            if kind is None:
                continue
            up = one_sided(resolve, kind, idx, +1.0, quadratic=quadratic)
            down = one_sided(resolve, kind, idx, -1.0, quadratic=quadratic)
            measured[q] = (obj.scale * up / S, obj.scale * down / S)
    out: list[tuple[float, Binding]] = []
    for q, (lim, price, _kind, _idx) in enumerate(items):
        if q in measured:
            up, down = measured[q]
            loosen = up if lim.sense == "max" else -down   # d objective / d bound, from the loosening side
            if lim.kind == "request" and abs(up) < 1e-12 and abs(down) < 1e-12 and abs(price) < 1e-12:
                continue   # a project at its request with no value either way: no line
            price = loosen if np.isfinite(loosen) else price
            out.append((abs(price) if np.isfinite(price) else -1.0,
                        Binding(lim.label, price, sentence_both(lim, up, down, obj), up, down)))
        else:
            if lim.kind == "request" and cd is not None and abs(price) < 1e-12:
                continue
            out.append((abs(price) if np.isfinite(price) else -1.0,
                        Binding(lim.label, price, sentence(lim, price, obj))))
    out.sort(key=lambda t: -t[0])
    return tuple(b for _, b in out)
