"""Sensitivity: a tornado of expected P&L and CVaR, each input moved down and up by a step.

Every run uses the reporting stream (common random numbers) with the allocation fixed.
The steps are the settings below (``docs/contracts/models.md``: 1 point for sector expected returns and
volatilities and the discount rate, 50 % of itself for event probabilities, 10 points for
recovery rates); moved values are clipped to their valid ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from workbench.progress import CancelFn, ProgressFn
from workbench.risk.batch import SimulationJob, summaries
from workbench.risk.model import Overrides, build_model
from workbench.risk.paths import BLOCK, DrawCache
from workbench.scenario import Scenario

RETURN_STEP = 0.01        # sector expected return, absolute
VOLATILITY_STEP = 0.01    # sector volatility, absolute
PROBABILITY_FACTOR = 0.5  # event probability moves by this fraction of itself
DISCOUNT_STEP = 0.01      # discount rate, absolute
RECOVERY_STEP = 0.10      # every project's recovery rate, absolute
#: The tornado runs at most this many trials (its baseline too), to keep a full run quick: whole
#: blocks, so they are exactly the first trials of the reporting simulation.
TORNADO_TRIALS = 5 * BLOCK


@dataclass(frozen=True)
class TornadoBar:
    """One input moved down and up; measures at each end and at the baseline."""

    input: str                  # "Semiconductors: expected return"
    step: str                   # "-/+ 1 point", "x 0.5 / x 1.5"
    base_value: float
    low_value: float
    high_value: float
    base_expected_pnl: float
    expected_pnl_low: float     # with the input moved down
    expected_pnl_high: float    # with the input moved up
    base_cvar: float
    cvar_low: float
    cvar_high: float
    trials: int = 0             # the trials every end and the baseline ran on (the first of the reporting stream)

    @property
    def expected_pnl_swing(self) -> float:
        return abs(self.expected_pnl_high - self.expected_pnl_low)

    @property
    def cvar_swing(self) -> float:
        return abs(self.cvar_high - self.cvar_low)


@dataclass(frozen=True)
class _Move:
    label: str
    step: str
    base: float
    low: float
    high: float
    low_overrides: Overrides
    high_overrides: Overrides


def moves(scn: Scenario) -> list[_Move]:
    """The inputs of the tornado and their down/up overrides."""
    model = build_model(scn)
    out: list[_Move] = []
    projects = scn.projects
    own_mu = {str(i): float(v) for i, v, inc in zip(projects["ID"], projects["Expected return"], projects["Include"])
              if inc and not np.isnan(v)}
    for s, name in enumerate(model.sectors):
        mu = float(model.sector_mu[s])
        lo, hi = max(mu - RETURN_STEP, -0.99), min(mu + RETURN_STEP, 1.0)
        # projects with their own expected return in this sector move with it
        members = [pid for pid, sec in zip(model.ids, model.project_sector) if sec == s and pid in own_mu]
        lo_o: dict[tuple[str, str, str], float] = {("Sectors", name, "Expected return"): lo}
        hi_o: dict[tuple[str, str, str], float] = {("Sectors", name, "Expected return"): hi}
        for pid in members:
            lo_o[("Projects", pid, "Expected return")] = max(own_mu[pid] - (mu - lo), -0.99)
            hi_o[("Projects", pid, "Expected return")] = min(own_mu[pid] + (hi - mu), 1.0)
        out.append(_Move(f"{name}: expected return", "-/+ 1 point", mu, lo, hi, lo_o, hi_o))
        vol = float(model.sector_vol[s])
        lo, hi = max(vol - VOLATILITY_STEP, 0.0), min(vol + VOLATILITY_STEP, 1.0)
        out.append(_Move(f"{name}: volatility", "-/+ 1 point", vol, lo, hi,
                         {("Sectors", name, "Volatility"): lo}, {("Sectors", name, "Volatility"): hi}))
    for e, name in enumerate(model.events):
        p = float(model.event_prob[e])
        lo, hi = p * (1 - PROBABILITY_FACTOR), min(p * (1 + PROBABILITY_FACTOR), 1.0)
        out.append(_Move(f"{name}: probability", "x 0.5 / x 1.5", p, lo, hi,
                         {("Risk events", name, "Annual probability"): lo},
                         {("Risk events", name, "Annual probability"): hi}))
    r = model.discount_rate
    lo, hi = max(r - DISCOUNT_STEP, 0.0), min(r + DISCOUNT_STEP, 0.5)
    out.append(_Move("Discount rate", "-/+ 1 point", r, lo, hi, {("Scenario", "", "Discount rate"): lo},
                     {("Scenario", "", "Discount rate"): hi}))
    if model.n:
        lo_o = {("Projects", pid, "Recovery rate"): max(float(v) - RECOVERY_STEP, 0.0)
                for pid, v in zip(model.ids, model.recovery)}
        hi_o = {("Projects", pid, "Recovery rate"): min(float(v) + RECOVERY_STEP, 1.0)
                for pid, v in zip(model.ids, model.recovery)}
        mean_rec = float(np.mean(model.recovery))
        out.append(_Move("Recovery rates (every project)", "-/+ 10 points", mean_rec,
                         float(np.mean(list(lo_o.values()))), float(np.mean(list(hi_o.values()))), lo_o, hi_o))
    return out


def tornado(scn: Scenario, amounts: Mapping[str, float], *, trials: int | None = None, seed: int | None = None,
            workers: int = 1, progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
            pool: Executor | None = None, draws: DrawCache | None = None) -> tuple[TornadoBar, ...]:
    """The tornado, sorted by expected P&L swing (largest first).

    It runs on the first ``min(trials, TORNADO_TRIALS)`` trials of the reporting stream
    (``trials`` and ``seed`` default to the scenario's), each bar recording how many. ``draws``: random
    numbers kept between runs (:class:`~workbench.risk.paths.DrawCache`).
    """
    n = min(scn.trials if trials is None else int(trials), TORNADO_TRIALS)
    todo = moves(scn)
    jobs = [SimulationJob(trials=n, seed=seed)]
    labels = ["Sensitivity: baseline"]
    for mv in todo:
        jobs += [SimulationJob(trials=n, seed=seed, overrides=mv.low_overrides),
                 SimulationJob(trials=n, seed=seed, overrides=mv.high_overrides)]
        labels += [f"Sensitivity: {mv.label}"] * 2
    res = summaries(scn, amounts, jobs, workers=workers, progress=progress, should_cancel=should_cancel,
                    labels=labels, pool=pool, draws=draws)
    base = res[0]
    bars = []
    for i, mv in enumerate(todo):
        low, high = res[1 + 2 * i], res[2 + 2 * i]
        bars.append(TornadoBar(
            input=mv.label, step=mv.step, base_value=mv.base, low_value=mv.low, high_value=mv.high,
            base_expected_pnl=base.expected_pnl, expected_pnl_low=low.expected_pnl,
            expected_pnl_high=high.expected_pnl, base_cvar=base.cvar, cvar_low=low.cvar, cvar_high=high.cvar,
            trials=n,
        ))
    bars.sort(key=lambda b: -b.expected_pnl_swing)
    return tuple(bars)
