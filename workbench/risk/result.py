"""The risk engine's results: frozen, plain objects read by the UI, the CLI and the exporter.

All money is USD m; VaR, CVaR, contributions and payouts are losses as positive numbers;
every other P&L keeps its sign. Each field is documented in ``docs/risk-model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, eq=False)
class FanChart:
    """Percentiles of the portfolio's nominal value at each year-end."""

    years: tuple[int, ...]            # calendar years; the value is at that year's end
    percentiles: tuple[int, ...]      # (5, 25, 50, 75, 95)
    values: npt.NDArray[np.float64]   # (len(percentiles), H) USD m
    mean: npt.NDArray[np.float64]     # (H,) USD m
    invested: npt.NDArray[np.float64]  # (H,) capital put in by the end of each year (loans and equity)


@dataclass(frozen=True)
class EventAttribution:
    event: str
    probability: float               # share of trials in which it started within the horizon
    trials_with: int
    expected_pnl_with: float         # mean P&L over those trials (NaN when none)
    expected_pnl_without: float      # mean P&L over the others (NaN when none)

    @property
    def impact(self) -> float:
        """Expected P&L with the event minus without it."""
        return self.expected_pnl_with - self.expected_pnl_without


@dataclass(frozen=True, eq=False)
class GuaranteeExposure:
    """The contingent liability: nominal guarantee payouts over the horizon, per trial."""

    face: float                      # total amount guaranteed, USD m
    expected_payout: float           # mean nominal payout
    expected_payout_pv: float        # mean present value of payouts
    probability_of_payout: float     # share of trials with any payout
    percentiles: dict[int, float]    # 50, 90, 95, 99, 99.9 -> nominal payout (keys 50, 90, 95, 99, 999)
    max_payout: float
    edges: npt.NDArray[np.float64]   # histogram of nominal payouts
    counts: npt.NDArray[np.intp]


@dataclass(frozen=True)
class NominalView:
    """The undiscounted view: cash put in, cash that comes back, and the rate it earns.

    Cash invested is the equity and loan amounts (guarantees put no cash out). Cash
    returned, per trial, is every later nominal flow: equity value at the horizon,
    coupons, principal, recoveries and guarantee fees, minus guarantee payouts.
    """

    cash_invested: float                 # USD m
    expected_cash_returned: float        # mean over trials, USD m
    cash_multiple: float                 # expected cash returned / cash invested (NaN without cash)
    prob_cash_loss: float                # share of trials with cash returned below cash invested
    irr_percentiles: dict[int, float]    # 5, 25, 50, 75, 95 -> annual IRR of the programme's cash flows
    irr_defined: float = 1.0             # share of trials with an IRR (0 when no cash is invested)


@dataclass(frozen=True)
class MonteCarloError:
    expected_pnl_se: float                 # standard error of expected P&L
    var_ci: tuple[float, float]            # 95 % band for VaR (losses, low..high)
    cvar_ci: tuple[float, float]           # 95 % band for CVaR
    cvar_se: float = float("nan")
    level: float = 0.95


@dataclass(frozen=True, eq=False)
class RiskResult:
    """Every risk measure of one simulation of an allocation on the reporting stream."""

    trials: int
    seed: int
    confidence: float
    tail_trials: int                         # k = ceil(N (1 - c))
    amounts: dict[str, float]                # included project ID -> USD m simulated
    expected_pnl: float
    std: float
    var: float
    cvar: float
    prob_loss: float
    percentiles: dict[int, float]            # 1, 5, 25, 50, 75, 95, 99 -> P&L
    histogram_edges: npt.NDArray[np.float64]  # fine histogram of portfolio P&L (200 bins)
    histogram_counts: npt.NDArray[np.intp]
    quantiles: npt.NDArray[np.float64]        # P&L at probabilities 0, 0.001, ..., 1 (1001 points)
    fan: FanChart
    contributions: dict[str, dict[str, float]]   # "project"/"sector"/"instrument"/"financier" -> name -> USD m
    expected_by_project: dict[str, float]    # mean P&L of each project, USD m
    events: tuple[EventAttribution, ...]
    guarantees: GuaranteeExposure
    mc_error: MonteCarloError
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    discount_rate: float = float("nan")      # the rate of every present value above
    nominal: NominalView | None = None       # None when the simulation was asked for P&L only

    @property
    def capital(self) -> float:
        """Total amount simulated (face value), USD m."""
        return float(sum(self.amounts.values()))
