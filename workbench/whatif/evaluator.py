"""Common random numbers: the same draws at every evaluation, so a statistic is a smooth
function of the input and differences between two values are the input's effect, not noise.

The evaluator draws the reporting stream's random numbers once (``workbench.risk.paths``:
the same blocks, seed and trial indices as ``workbench.risk.engine.simulate``) and keeps
each project's P&L per USD m allocated. Moving one input re-simulates only the projects
whose P&L depends on it (:meth:`Input.affected`), on the stored draws. For a fixed
allocation the P&L sample is therefore identical to what ``simulate`` gives with the same
overrides (tests check it).

With ``reallocate=True`` the allocation is fitted again at every value, with the scenario's
method, on the fitting stream (also drawn once and reused), and that new allocation is
simulated on the stored reporting draws: this is how a financier's capacity or a project's
requested amount can change a statistic, and how "the allocation changes" is detected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workbench.allocation import allocate
from workbench.progress import CancelFn, check_cancel
from workbench.results import AllocationResult
from workbench.risk.engine import FIT_TRIALS, UnitSample, amounts_vector, scenario_seed
from workbench.risk.model import RiskModel, build_model, submodel
from workbench.risk.paths import (
    BLOCK,
    FIT_STREAM,
    REPORT_STREAM,
    Draws,
    block_sizes,
    draw_block,
    event_sums,
    sector_shocks,
    simulate_block,
)
from workbench.scenario import Scenario
from workbench.whatif.inputs import Input

#: What-if analyses run at most this many trials unless asked for more (as the tornado does).
WHATIF_TRIALS = 20_000

class _Stream:
    """One random stream's draws (blocks of a fixed trial count), and unit P&L computed on them."""

    def __init__(self, model: RiskModel, seed: int, stream: int, trials: int):
        self.seed, self.stream, self.trials = seed, stream, trials
        self.sizes = block_sizes(trials)
        self.draws = [draw_block(model, seed, stream, b, m) for b, m in enumerate(self.sizes)]
        self._sliced: dict[tuple[int, ...], list[Draws]] = {}
        self.base = model
        # the sector part before events and the events' sums of the unmoved model, per block: a variant
        # that keeps the sector volatilities (or the event probabilities) reuses them, bit for bit
        self._shocks = [sector_shocks(model, d) for d in self.draws]
        self._events = [event_sums(model, d) for d in self.draws]

    def _sector(self, model: RiskModel, b: int) -> tuple[np.ndarray, np.ndarray] | None:
        """``(sec, occurred)`` of block ``b`` under ``model`` from the stored parts (None: simulate it whole)."""
        if self._events[b] is None or model.copula != self.base.copula or model.dof != self.base.dof:
            return None
        same_vol = np.array_equal(model.sector_vol, self.base.sector_vol) and model.chol is self.base.chol
        same_prob = np.array_equal(model.event_prob, self.base.event_prob)
        shocks = self._shocks[b] if same_vol else sector_shocks(model, self.draws[b])
        events = self._events[b] if same_prob else event_sums(model, self.draws[b])
        if events is None:   # not reached: the events, and so whether they are tabulated, are the base's
            return None
        return shocks + events[0], events[1]

    def _draws_for(self, sub: RiskModel, idx: np.ndarray) -> list[Draws]:
        key = tuple(int(i) for i in idx)
        if key not in self._sliced:
            pos = self.base.engine_inverse[idx[sub.engine_order]]
            self._sliced[key] = [Draws(d.z_sec, np.ascontiguousarray(d.z_spec[:, pos, :]), d.u, d.w)
                                 for d in self.draws]
        return self._sliced[key]

    def unit(self, model: RiskModel, idx: np.ndarray | None = None) -> np.ndarray:
        """(len(idx), trials): P&L per USD m of projects ``idx`` (all when None) under ``model``."""
        if idx is None or len(idx) == model.n:
            sub, draws = model, self.draws
        else:
            sub = submodel(model, idx)
            draws = self._draws_for(sub, idx)
        out = np.empty((sub.n, self.trials))
        for b, m in enumerate(self.sizes):
            out[:, b * BLOCK: b * BLOCK + m] = simulate_block(sub, self.seed, self.stream, b, m, draws=draws[b],
                                                              sector=self._sector(model, b)).unit
        return out


def portfolio_pnl(unit: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Sum of ``x[p] * unit[p]`` over funded projects, in project order (the engine's order of addition)."""
    pnl = np.zeros(unit.shape[1])
    for p in np.flatnonzero(x > 0):
        pnl += x[p] * unit[p]
    return pnl


@dataclass(frozen=True)
class Point:
    """One evaluation: the inputs' values, the allocation simulated and its P&L sample (USD m)."""

    values: tuple[tuple[str, float], ...]
    amounts: npt.NDArray[np.float64]   # model order
    pnl: npt.NDArray[np.float64]


class Evaluator:
    """Evaluate statistics of ``scn`` with some inputs moved, on common random numbers.

    ``amounts`` (project ID -> USD m) is the allocation held fixed; when None it is fitted
    with the scenario's method (as a run does). ``trials`` defaults to the scenario's Trials,
    at most :data:`WHATIF_TRIALS`. ``evaluations`` counts simulations of the P&L sample.
    """

    def __init__(self, scn: Scenario, amounts: Mapping[str, float] | None = None, *, trials: int | None = None,
                 seed: int | None = None, reallocate: bool = False, method: str | None = None,
                 should_cancel: CancelFn | None = None):
        self.scn = scn
        self.model = build_model(scn)
        self.seed = scenario_seed(scn, seed)
        self.trials = int(trials) if trials is not None else min(scn.trials, WHATIF_TRIALS)
        if self.trials < 2:
            raise ValueError("A what-if analysis needs at least 2 trials.")
        self.confidence = self.model.confidence
        self.method = method or scn.method
        self.reallocate = reallocate
        self.should_cancel = should_cancel
        self.evaluations = 0
        self._fit: _Stream | None = None
        self._fit_unit: np.ndarray | None = None
        if amounts is None:
            amounts = self._allocate(scn, self.model).amounts
        self.base_amounts = amounts_vector(self.model, amounts)
        self.report = _Stream(self.model, self.seed, REPORT_STREAM, self.trials)
        self.base_unit = self.report.unit(self.model)

    # ------------------------------------------------------------ allocation
    def _fit_stream(self) -> _Stream:
        return self._fit_parts()[0]

    def _fit_parts(self) -> tuple[_Stream, np.ndarray]:
        """The fitting stream and the base model's unit P&L on it (both made when first asked for)."""
        if self._fit is None or self._fit_unit is None:
            self._fit = _Stream(self.model, self.seed, FIT_STREAM, min(self.scn.trials, FIT_TRIALS))
            self._fit_unit = self._fit.unit(self.model)
        return self._fit, self._fit_unit

    def _allocate(self, scn: Scenario, model: RiskModel, fit_unit: np.ndarray | None = None) -> AllocationResult:
        fit, base_unit = self._fit_parts()
        unit = base_unit if fit_unit is None else fit_unit
        sample = UnitSample(ids=model.ids, pnl=np.ascontiguousarray(unit.T), seed=fit.seed)
        return allocate(scn, method=self.method, sample=sample)

    # ------------------------------------------------------------ evaluations
    def model_at(self, values: Sequence[tuple[Input, float]]) -> tuple[RiskModel, np.ndarray]:
        """The risk model with ``values`` set, and the projects whose P&L moved from the base."""
        model = self.model
        touched: set[int] = set()
        for inp, v in values:
            if inp.touches_risk and v != inp.value:
                model = inp.patch(model, v, self.model)
                touched.update(int(i) for i in inp.affected(self.model))
        return model, np.array(sorted(touched), dtype=np.int64)

    def point(self, values: Sequence[tuple[Input, float]], *, reallocate: bool | None = None) -> Point:
        """Simulate the P&L with ``values`` set (input, value) on the stored draws."""
        check_cancel(self.should_cancel)
        realloc = self.reallocate if reallocate is None else reallocate
        model, touched = self.model_at(values)
        unit = self.base_unit
        if len(touched):
            unit = unit.copy()
            unit[touched] = self.report.unit(model, touched)
        x = self.base_amounts
        if realloc or any(not inp.touches_risk for inp, v in values if v != inp.value):
            x = self.allocation_at(values, model=model, touched=touched)
        self.evaluations += 1
        return Point(tuple((inp.name, float(v)) for inp, v in values), x, portfolio_pnl(unit, x))

    def allocation_at(self, values: Sequence[tuple[Input, float]], *, model: RiskModel | None = None,
                      touched: np.ndarray | None = None) -> np.ndarray:
        """The allocation (model order, USD m) the scenario's method fits with ``values`` set."""
        if model is None:
            model, touched = self.model_at(values)
        scn = self.scn
        for inp, v in values:
            if v != inp.value:
                scn = inp.apply(scn, v)
        fit_unit = None
        if touched is not None and len(touched):
            fit, base_unit = self._fit_parts()
            fit_unit = base_unit.copy()
            fit_unit[touched] = fit.unit(model, touched)
        return amounts_vector(model, self._allocate(scn, model, fit_unit).amounts)

    def pnl(self, inp: Input, v: float, *, reallocate: bool | None = None) -> np.ndarray:
        return self.point([(inp, v)], reallocate=reallocate).pnl


__all__ = ["WHATIF_TRIALS", "Evaluator", "Point", "portfolio_pnl", "submodel"]
