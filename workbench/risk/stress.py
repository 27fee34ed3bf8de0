"""Stress tests: an allocation re-simulated with events forced or inputs overridden.

Every stress run reuses the reporting stream (common random numbers) at the baseline's
trial count and holds the allocation fixed, so a change from the baseline is the effect
of the stress, not noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from workbench.progress import CancelFn, ProgressFn
from workbench.risk.batch import SimulationJob, summaries
from workbench.risk.model import Overrides, build_model
from workbench.risk.paths import DrawCache
from workbench.risk.result import RiskResult
from workbench.scenario import Scenario

ALL_EVENTS = "All events together"


@dataclass(frozen=True)
class StressSpec:
    """A stress scenario: events forced to start in chosen years, and/or inputs overridden.

    ``forced_events``: event name -> calendar years in which it is made to start.
    ``overrides``: (table, row key, column) -> value, as in ``workbench.risk.model.apply_overrides``.
    """

    name: str
    forced_events: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    overrides: Overrides = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class StressResult:
    name: str
    description: str
    expected_pnl: float
    std: float
    var: float
    cvar: float
    prob_loss: float
    expected_pnl_change: float   # stressed minus baseline, USD m (negative = worse)
    cvar_change: float           # stressed minus baseline, USD m (positive = worse)
    user_defined: bool = False


def named_stresses(scn: Scenario) -> list[StressSpec]:
    """Each risk event forced to start in the start year, then all of them together."""
    model = build_model(scn)
    y0 = model.start_year
    specs = [StressSpec(name=e, forced_events={e: (y0,)},
                        description=f"{e} starts in {y0} (and may recur at its probability after it ends)")
             for e in model.events]
    if len(model.events) > 1:
        specs.append(StressSpec(name=ALL_EVENTS, forced_events={e: (y0,) for e in model.events},
                                description=f"Every risk event starts in {y0}"))
    return specs


def run_stresses(scn: Scenario, amounts: Mapping[str, float], baseline: RiskResult,
                 specs: Sequence[StressSpec], *, workers: int = 1, progress: ProgressFn | None = None,
                 should_cancel: CancelFn | None = None, user_defined: Sequence[bool] | None = None,
                 pool: Executor | None = None, draws: DrawCache | None = None) -> tuple[StressResult, ...]:
    """Run each stress on the baseline's trials and seed; report against the baseline (``draws``: random
    numbers kept between runs, see :class:`~workbench.risk.paths.DrawCache`)."""
    jobs = [SimulationJob(trials=baseline.trials, seed=baseline.seed, forced_events=spec.forced_events,
                          overrides=spec.overrides) for spec in specs]
    results = summaries(scn, amounts, jobs, workers=workers, progress=progress, should_cancel=should_cancel,
                        labels=[f"Stress test: {spec.name}" for spec in specs], pool=pool, draws=draws)
    return tuple(StressResult(
        name=spec.name, description=spec.description, expected_pnl=r.expected_pnl, std=r.std, var=r.var,
        cvar=r.cvar, prob_loss=r.prob_loss, expected_pnl_change=r.expected_pnl - baseline.expected_pnl,
        cvar_change=r.cvar - baseline.cvar, user_defined=bool(user_defined[i]) if user_defined else False,
    ) for i, (spec, r) in enumerate(zip(specs, results)))
