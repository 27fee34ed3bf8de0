"""Switching values and goal seek: where a statistic crosses a threshold as one input moves.

On common random numbers the statistic is a deterministic function of the input, so a
crossing is found by root-finding: a scan outward from the scenario's value (steps growing
threefold, up to the ends of the input's valid range) brackets the crossing nearest to the
scenario's value, then Brent's method closes the bracket. Its Monte Carlo error comes from
the delta method: the root ``v*`` solves ``S(v) = t``, so an error ``e`` in the simulated
statistic at ``v*`` moves the root by ``e / S'(v*)``; the standard error of the root is
the statistic's standard error at ``v*`` divided by the slope of the curve there.

"The allocation changes" is a criterion of its own: the nearest value on each side at which
the re-fitted allocation moves a project by more than a set share of the programme or changes
the set of funded projects, found by bisection (the allocation is a step function of the input
when tickets decide it, so there is no slope and no delta-method error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from workbench.allocation import Infeasible, SolverFailed
from workbench.progress import ProgressFn
from workbench.whatif.evaluator import Evaluator
from workbench.whatif.inputs import DISCOUNT_RATE, Input, fmt_value, tornado_inputs
from workbench.whatif.statistics import STATISTICS, Statistic, Target, find_statistic

#: The scan's steps grow by this factor.
GROWTH = 3.0
#: "The allocation changes" when a project's amount moves by more than this share of the programme
#: (or the set of funded projects changes).
ALLOCATION_CHANGE_SHARE = 0.01
#: Root-finding stops when the bracket is this fraction of the input's valid range.
XTOL_SHARE = 1e-5
#: Bisection for the allocation criterion stops at this fraction of the valid range.
BISECT_SHARE = 1e-4
ALLOCATION = "allocation"


@dataclass(frozen=True)
class CurvePoint:
    value: float          # the input
    statistic: float      # the criterion's statistic at that value
    se: float             # its Monte Carlo standard error


@dataclass(frozen=True)
class Crossing:
    """Where ``criterion`` crosses ``threshold`` as ``input`` moves (nearest the scenario's value).

    ``value`` is None when there is no crossing in the input's valid range; ``se`` is the
    root's Monte Carlo standard error (delta method), None when not defined; ``curve`` every
    evaluated point, sorted by input value; ``evaluations`` the simulations it took.
    """

    input: Input
    criterion: str                 # statistic key or "allocation"
    criterion_label: str
    threshold: float
    value: float | None
    se: float | None
    slope: float | None
    base_statistic: float
    message: str
    curve: tuple[CurvePoint, ...] = ()
    evaluations: int = 0
    other_side: float | None = None   # allocation criterion: the nearest change on the other side
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return self.value is not None

    def band(self, z: float = 1.96) -> tuple[float, float] | None:
        if self.value is None or self.se is None or not math.isfinite(self.se):
            return None
        return self.value - z * self.se, self.value + z * self.se

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (values of any JSON type)."""
        band = self.band()
        return {
            "input": self.input.name, "unit": self.input.unit, "scenario_value": self.input.value,
            "valid_range": [self.input.low, self.input.high], "criterion": self.criterion,
            "criterion_label": self.criterion_label, "threshold": self.threshold,
            "switching_value": self.value, "standard_error": self.se,
            "band_95": list(band) if band else None, "slope": self.slope,
            "statistic_at_scenario_value": self.base_statistic, "message": self.message,
            "other_side": self.other_side, "evaluations": self.evaluations,
            "curve": [[p.value, p.statistic, p.se] for p in self.curve],
        }


def measure_rate(ev: Evaluator, inp: Input) -> float | None:
    """The discount rate the statistic's NPV is at: the scenario's, or None when ``inp`` is that rate."""
    return None if inp.kind == DISCOUNT_RATE else float(ev.model.discount_rate)


def _scan_points(inp: Input) -> tuple[list[float], list[float]]:
    """Points below and above the scenario's value, nearest first, ending at the range's ends."""
    width = inp.high - inp.low
    high = inp.tornado_high
    step = (high - inp.value) if inp.in_tornado and high is not None and high > inp.value else 0.0
    if step <= 0:
        step = max(0.01 * width, 1e-9) if inp.unit == "fraction" else max(0.02 * abs(inp.value), 0.005 * width, 1.0)
    sides = []
    for sign, end in ((-1.0, inp.low), (1.0, inp.high)):
        pts, h = [], step
        while True:
            v = inp.value + sign * h
            if (v - end) * sign >= -1e-12 * max(width, 1.0):
                if abs(end - inp.value) > 1e-12 * max(width, 1.0):
                    pts.append(end)
                break
            pts.append(v)
            h *= GROWTH
        sides.append(pts)
    return sides[0], sides[1]


class _Gap(Exception):
    """A value with no feasible allocation inside a bracket."""


class _Curve:
    """Cached evaluations of one statistic along one input."""

    def __init__(self, ev: Evaluator, inp: Input, stat: Statistic, reallocate: bool | None,
                 progress: ProgressFn | None, budget: int):
        self.ev, self.inp, self.stat, self.realloc = ev, inp, stat, reallocate
        self.cache: dict[float, CurvePoint] = {}
        self.progress, self.budget, self.count = progress, budget, 0
        self.infeasible: list[float] = []

    def at(self, v: float) -> CurvePoint:
        v = float(v)
        if v not in self.cache:
            try:
                pnl = self.ev.pnl(self.inp, v, reallocate=self.realloc)
            except (Infeasible, SolverFailed):
                # no allocation meets every limit at this value: the curve has no point here
                self.infeasible.append(v)
                self.cache[v] = CurvePoint(v, float("nan"), float("nan"))
                return self.cache[v]
            c = self.ev.confidence
            self.cache[v] = CurvePoint(v, self.stat.value(pnl, c), self.stat.standard_error(pnl, c))
            self.count += 1
            if self.progress:
                self.progress(min(self.count / self.budget, 0.99), f"{self.inp.name}: {self.count} evaluations")
        return self.cache[v]

    def points(self) -> tuple[CurvePoint, ...]:
        return tuple(self.cache[k] for k in sorted(self.cache) if math.isfinite(self.cache[k].statistic))

    def feasibility_note(self) -> tuple[str, ...]:
        if not self.infeasible:
            return ()
        vals = ", ".join(fmt_value(v, self.inp.unit) for v in sorted(self.infeasible)[:4])
        return (f"No allocation meets every limit at {vals}{' ...' if len(self.infeasible) > 4 else ''}: "
                "the search stopped there on that side.",)


def _bracket(curve: _Curve, threshold: float) -> tuple[float, float] | None:
    """The bracket of the crossing nearest the scenario's value, or None when none is found.

    From the scenario's value, each side is walked outward: the first step is the tornado's
    (or 1 % of the range), each next point is where the secant through the last two points
    predicts the crossing (20 % beyond it, at least twice as far out as the last point), up to
    the end of the valid range. The side the curve moves toward the threshold goes first; the
    other side is then checked out to the distance of the crossing found, so a nearer crossing
    on that side is not missed at the points tried.
    """
    inp = curve.inp
    v0 = inp.value

    def f(v: float) -> float:
        return curve.at(v).statistic - threshold

    f0 = f(v0)
    if f0 == 0.0:
        return v0, v0
    below, above = _scan_points(inp)
    firsts = {s: pts[0] for s, pts in ((-1, below), (1, above)) if pts}
    vals = {s: f(v) for s, v in firsts.items()}
    firsts = {s: v for s, v in firsts.items() if math.isfinite(vals[s])}
    for s, v in firsts.items():
        if vals[s] == 0.0 or (vals[s] > 0) != (f0 > 0):
            return (min(v0, v), max(v0, v))
    order = sorted(firsts, key=lambda s: abs(vals[s]))
    best: tuple[float, float, float] | None = None   # (distance of the near end, a, b)
    for s in order:
        end = inp.high if s > 0 else inp.low
        back_v, back_f = v0, f0
        prev_v, prev_f = firsts[s], vals[s]
        while abs(prev_v - end) > 1e-12 * max(abs(end), 1.0):
            if best is not None and abs(prev_v - v0) >= best[0]:
                break   # a crossing beyond here cannot be nearer than the one found
            dist = abs(prev_v - v0)
            slope = (prev_f - back_f) / (prev_v - back_v)
            d = 2.0 * dist
            if slope != 0.0 and math.isfinite(slope):
                lin = -prev_f / slope   # signed move from prev to the predicted crossing
                if lin * s > 0:
                    d = max(1.2 * abs(lin), dist)
            if best is not None:
                d = min(d, best[0] - dist)   # never past the distance already bracketed
            nxt = prev_v + s * d
            nxt = min(nxt, end) if s > 0 else max(nxt, end)
            if nxt == prev_v:
                break   # the step vanished in rounding: nothing nearer left to try on this side
            fn = f(nxt)
            if not math.isfinite(fn):
                break   # no allocation at this value: the side ends here
            if fn == 0.0 or (fn > 0) != (f0 > 0):
                if best is None or dist < best[0]:
                    best = (dist, prev_v, nxt)
                break
            back_v, back_f, prev_v, prev_f = prev_v, prev_f, nxt, fn
    if best is None:
        return None
    return (best[1], best[2]) if best[1] < best[2] else (best[2], best[1])


def _slope(curve: _Curve, root: float, se: float) -> float:
    """Slope of the curve at ``root`` from points either side of it.

    Points already evaluated are used when they are close (within 5 % of the range) and the
    change between them is more than twice the statistic's standard error, so the staircase
    of a probability or a quantile cannot fake a slope; otherwise a central difference whose
    step doubles until the change is that large.
    """
    inp = curve.inp
    width = inp.high - inp.low
    left = [p for p in curve.cache.values() if root - 0.05 * width <= p.value < root]
    right = [p for p in curve.cache.values() if root < p.value <= root + 0.05 * width]
    f_root = curve.at(root).statistic
    for pl in sorted(left, key=lambda p: -p.value):
        for pr in sorted(right, key=lambda p: p.value):
            if abs(pr.statistic - pl.statistic) >= 2.0 * se and min(root - pl.value, pr.value - root) > 0:
                return (pr.statistic - pl.statistic) / (pr.value - pl.value)
    del f_root
    h = 1e-3 * width
    if left and right:   # start where the nearest points' secant says the change reaches 2.5 standard errors
        pl, pr = max(left, key=lambda p: p.value), min(right, key=lambda p: p.value)
        est = (pr.statistic - pl.statistic) / (pr.value - pl.value)
        if est != 0.0 and math.isfinite(est) and se > 0:
            h = min(max(h, 1.25 * se / abs(est)), 0.05 * width)
    while True:
        a, b = max(root - h, inp.low), min(root + h, inp.high)
        if b <= a:
            return float("nan")
        fa, fb = curve.at(a).statistic, curve.at(b).statistic
        if not (math.isfinite(fa) and math.isfinite(fb)):
            return float("nan")
        if abs(fb - fa) >= 2.0 * se or h >= 0.05 * width:
            return (fb - fa) / (b - a)
        h *= 2.0


def crossing(ev: Evaluator, inp: Input, statistic: Statistic | str, threshold: float, *,
             reallocate: bool | None = None, progress: ProgressFn | None = None) -> Crossing:
    """Where ``statistic`` crosses ``threshold`` as ``inp`` moves within its valid range."""
    stat = find_statistic(statistic) if isinstance(statistic, str) else statistic
    realloc = reallocate if reallocate is not None else (ev.reallocate or not inp.touches_risk)
    start = ev.evaluations
    curve = _Curve(ev, inp, stat, realloc, progress, budget=24)
    label = stat.label_at(ev.confidence, measure_rate(ev, inp))
    base = curve.at(inp.value).statistic
    if not math.isfinite(base):
        raise ValueError(f"No allocation meets every limit of the scenario as it stands, so {inp.name} "
                         "cannot be analysed.")
    notes = []
    if not inp.touches_risk and not ev.reallocate:
        notes.append(f"{inp.name} changes only the allocation problem, so the allocation is re-fitted "
                     f"({ev.method}) at every value.")
    br = _bracket(curve, threshold)
    if br is None:
        pts = curve.points()
        lo_pt = min(pts, key=lambda p: p.statistic)
        hi_pt = max(pts, key=lambda p: p.statistic)
        side = "above" if base > threshold else "below"
        msg = (f"None within the range: {label} stays {side} {stat.format(threshold)} at all {len(pts)} values "
               f"tried from {fmt_value(inp.low, inp.unit)} to {fmt_value(inp.high, inp.unit)} "
               f"(from {stat.format(lo_pt.statistic)} to {stat.format(hi_pt.statistic)}).")
        return Crossing(inp, stat.key, label, threshold, None, None, None, base, msg, pts,
                        ev.evaluations - start, notes=tuple(notes) + curve.feasibility_note())
    a, b = br
    if a == b:
        root = a
    else:
        width = inp.high - inp.low
        def g(v: float) -> float:
            y = curve.at(v).statistic - threshold
            if not math.isfinite(y):
                raise _Gap
            return y
        try:
            root = brentq(g, a, b, xtol=max(XTOL_SHARE * width, 1e-12), rtol=1e-10, maxiter=100)
        except _Gap:
            notes.append("Between the values bracketing the crossing some have no feasible allocation; "
                         "the crossing is reported at the last feasible value.")
            root = a if math.isfinite(curve.at(a).statistic) else b
    at_root = curve.at(root)
    slope = _slope(curve, root, at_root.se)
    se = at_root.se / abs(slope) if slope and math.isfinite(slope) and slope != 0 else float("nan")
    if not math.isfinite(se):
        notes.append("The curve is flat at the crossing, so its Monte Carlo error cannot be estimated.")
    msg = (f"{label} reaches {stat.format(threshold)} at {inp.name} = {fmt_value(root, inp.unit)}"
           + (f" (95 % band {fmt_value(root - 1.96 * se, inp.unit)} to {fmt_value(root + 1.96 * se, inp.unit)})"
              if math.isfinite(se) else "")
           + f"; the scenario has {fmt_value(inp.value, inp.unit)}.")
    return Crossing(inp, stat.key, label, threshold, float(root), float(se) if math.isfinite(se) else None,
                    float(slope), base, msg, curve.points(), ev.evaluations - start,
                    notes=tuple(notes) + curve.feasibility_note())


# ---------------------------------------------------------------- the allocation criterion
def _changed(ev: Evaluator, x0: np.ndarray, x: np.ndarray) -> bool:
    tol = ALLOCATION_CHANGE_SHARE * float(ev.scn.size)
    funded0, funded = x0 > 1e-6 * ev.scn.size, x > 1e-6 * ev.scn.size
    return bool(np.any(funded0 != funded) or np.max(np.abs(x - x0), initial=0.0) > tol)


def allocation_switch(ev: Evaluator, inp: Input, *, progress: ProgressFn | None = None) -> Crossing:
    """The nearest values below and above the scenario's at which the re-fitted allocation changes."""
    start = ev.evaluations
    x0 = ev.allocation_at([])
    ev.evaluations += 1
    width = inp.high - inp.low
    below, above = _scan_points(inp)
    found: list[float | None] = []
    count = 0
    points: list[CurvePoint] = [CurvePoint(inp.value, 0.0, float("nan"))]

    infeasible: list[float] = []

    def dist(v: float) -> bool:
        nonlocal count
        try:
            x = ev.allocation_at([(inp, v)])
        except (Infeasible, SolverFailed):
            infeasible.append(v)   # no allocation at all: it has certainly changed
            return True
        ev.evaluations += 1
        count += 1
        if progress:
            progress(min(count / 30, 0.99), f"{inp.name}: {count} allocations")
        d = float(np.max(np.abs(x - x0), initial=0.0)) / float(ev.scn.size)
        points.append(CurvePoint(v, d, float("nan")))
        return _changed(ev, x0, x)

    for pts in (below, above):
        prev, hit = inp.value, None
        for v in pts:
            if dist(v):
                hit = v
                break
            prev = v
        if hit is None:
            found.append(None)
            continue
        a, b = prev, hit   # unchanged at a, changed at b
        while abs(b - a) > BISECT_SHARE * width:
            mid = 0.5 * (a + b)
            if dist(mid):
                b = mid
            else:
                a = mid
        found.append(b)
    curve = tuple(sorted(points, key=lambda p: p.value))
    label = f"The allocation ({ev.method}) changes"
    cands = [v for v in found if v is not None]
    if not cands:
        msg = (f"None within the range: the allocation stays within {100 * ALLOCATION_CHANGE_SHARE:g} % of the "
               f"programme per project at all {len(curve)} values tried from {fmt_value(inp.low, inp.unit)} to "
               f"{fmt_value(inp.high, inp.unit)}.")
        return Crossing(inp, ALLOCATION, label, ALLOCATION_CHANGE_SHARE, None, None, None, 0.0, msg, curve,
                        ev.evaluations - start)
    nearest = min(cands, key=lambda v: abs(v - inp.value))
    other = [v for v in cands if v != nearest]
    lo_txt = fmt_value(found[0], inp.unit) if found[0] is not None else f"{fmt_value(inp.low, inp.unit)} (range end)"
    hi_txt = fmt_value(found[1], inp.unit) if found[1] is not None else f"{fmt_value(inp.high, inp.unit)} (range end)"
    msg = (f"The allocation stays the same (no project moves by more than {100 * ALLOCATION_CHANGE_SHARE:g} % of "
           f"the programme, no project enters or leaves) for {inp.name} from {lo_txt} to {hi_txt}; "
           f"the nearest change is at {fmt_value(nearest, inp.unit)}.")
    notes: tuple[str, ...] = (
        f"Located to {fmt_value(BISECT_SHARE * width, inp.unit)} by bisection on the fitting sample of this "
        "seed; it has no slope, so no delta-method error is given.",)
    if infeasible:
        notes += (f"Beyond {fmt_value(min(infeasible, key=lambda v: abs(v - inp.value)), inp.unit)} no allocation "
                  "meets every limit (counted as a change).",)
    return Crossing(inp, ALLOCATION, label, ALLOCATION_CHANGE_SHARE, nearest, None, None, 0.0, msg, curve,
                    ev.evaluations - start, other_side=other[0] if other else None, notes=notes)


# ---------------------------------------------------------------- tables of switching values
def switching_values(ev: Evaluator, inputs: list[Input] | None = None, *, criterion: str = "expected-npv",
                     threshold: float = 0.0, progress: ProgressFn | None = None) -> list[Crossing]:
    """The switching value of every input (default: the tornado's) for one criterion."""
    inputs = inputs if inputs is not None else tornado_inputs(ev.scn)
    out = []
    for i, inp in enumerate(inputs):
        def sub(f: float, m: str, i: int = i) -> None:
            if progress:
                progress((i + f) / len(inputs), m)
        if criterion == ALLOCATION:
            out.append(allocation_switch(ev, inp, progress=sub))
        else:
            out.append(crossing(ev, inp, criterion, threshold, progress=sub))
    if progress:
        progress(1.0, "Switching values done")
    return out


# ---------------------------------------------------------------- goal seek
@dataclass(frozen=True)
class SeekResult:
    """Goal seek: the value of ``input`` at which ``target`` starts (or stops) holding.

    ``answer``: the boundary value or None; ``holds_when``: ``">="`` (the target holds at
    and above ``answer``) or ``"<="``; ``reachable`` False when the target holds nowhere in
    the range tried.
    """

    input: Input
    target: Target
    answer: float | None
    se: float | None
    holds_when: str | None
    holds_at_scenario_value: bool
    reachable: bool
    message: str
    crossing: Crossing

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (values of any JSON type)."""
        c = self.crossing
        band = c.band()
        return {
            "input": self.input.name, "unit": self.input.unit, "scenario_value": self.input.value,
            "valid_range": [self.input.low, self.input.high],
            "target": {"statistic": self.target.statistic.key, "label": c.criterion_label, "op": self.target.op,
                       "value": self.target.value},
            "answer": self.answer, "standard_error": self.se,
            "band_95": list(band) if band else None, "holds_when_input": self.holds_when,
            "holds_at_scenario_value": self.holds_at_scenario_value, "reachable": self.reachable,
            "statistic_at_scenario_value": c.base_statistic, "message": self.message,
            "evaluations": c.evaluations, "curve": [[p.value, p.statistic, p.se] for p in c.curve],
        }


def goal_seek(ev: Evaluator, inp: Input, target: Target, *, reallocate: bool | None = None,
              progress: ProgressFn | None = None) -> SeekResult:
    """The value of ``inp`` nearest its scenario value at which ``target`` switches between holding and not."""
    c = crossing(ev, inp, target.statistic, target.value, reallocate=reallocate, progress=progress)
    st = target.statistic
    conf = ev.confidence
    holds0 = target.holds(c.base_statistic)
    desc = target.describe(conf, measure_rate(ev, inp))
    if c.value is None:
        if holds0:
            msg = (f"{desc} holds at every value tried across the valid range of {inp.name} "
                   f"({inp.describe_range()}); there is no boundary to report.")
            return SeekResult(inp, target, None, None, None, True, True, msg, c)
        best = (min if target.op == "<=" else max)(c.curve, key=lambda p: p.statistic)
        msg = (f"The target cannot be reached within the valid range of {inp.name} ({inp.describe_range()}): "
               f"the best {c.criterion_label} found is {st.format(best.statistic)}, "
               f"at {fmt_value(best.value, inp.unit)}.")
        return SeekResult(inp, target, None, None, None, False, False, msg, c)
    root = c.value
    # which side of the root the target holds on: look at the evaluated points either side
    right = [p for p in c.curve if p.value > root]
    left = [p for p in c.curve if p.value < root]
    if right and target.holds(min(right, key=lambda p: p.value).statistic):
        when = ">="
    elif left and target.holds(max(left, key=lambda p: p.value).statistic):
        when = "<="
    else:
        when = ">=" if (root > inp.value) != holds0 else "<="
    word = "minimum" if when == ">=" else "maximum"
    band = c.band()
    band_txt = (f" (Monte Carlo 95 % band {fmt_value(band[0], inp.unit)} to {fmt_value(band[1], inp.unit)})"
                if band else "")
    msg = (f"{desc} needs {inp.name} {'at least' if when == '>=' else 'at most'} {fmt_value(root, inp.unit)}"
           f"{band_txt}: the {word} value, found on {ev.trials:,} common-random-number trials; the scenario has "
           f"{fmt_value(inp.value, inp.unit)}, where the statistic is {st.format(c.base_statistic)}.")
    return SeekResult(inp, target, root, c.se, when, holds0, True, msg, c)


__all__ = ["ALLOCATION", "STATISTICS", "Crossing", "CurvePoint", "SeekResult", "allocation_switch", "crossing",
           "goal_seek", "switching_values"]
