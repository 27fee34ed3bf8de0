"""Risk measures as pure, vectorised functions of a P&L sample (USD m; losses positive).

The definitions (``docs/risk-model.md``): with ``N`` trials sorted by P&L
and ``k = ceil(N * (1 - c))``, VaR is minus the k-th smallest P&L and CVaR minus the mean
of the k smallest.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

PERCENTILES = (1, 5, 25, 50, 75, 95, 99)


def tail_count(trials: int, confidence: float) -> int:
    """``k = ceil(N * (1 - c))``, at least 1 (with a guard against rounding: 1000 * 0.05 is 50)."""
    x = trials * (1.0 - confidence)
    k = math.ceil(x - 1e-9 * max(1.0, x))
    return int(min(max(k, 1), trials))


def value_at_risk(pnl: np.ndarray, confidence: float) -> float:
    """Minus the k-th smallest P&L."""
    k = tail_count(len(pnl), confidence)
    return float(-np.partition(pnl, k - 1)[k - 1])


def conditional_value_at_risk(pnl: np.ndarray, confidence: float) -> float:
    """Minus the mean of the k smallest P&L (expected shortfall)."""
    k = tail_count(len(pnl), confidence)
    return float(-np.sort(pnl)[:k].mean())


def tail_order(pnl: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest P&L, ties broken by trial index (a unique, reproducible set)."""
    return np.argsort(pnl, kind="stable")[:k]


def probability_of_loss(pnl: np.ndarray) -> float:
    return float(np.mean(pnl < 0.0))


def percentiles(pnl: np.ndarray, qs: tuple[int, ...] = PERCENTILES) -> dict[int, float]:
    """Percentiles by the inverted-CDF definition (numpy ``method="inverted_cdf"``)."""
    vals = np.percentile(pnl, qs, method="inverted_cdf")
    return {int(q): float(v) for q, v in zip(qs, vals)}


def euler_contributions(tail_pnl: np.ndarray) -> np.ndarray:
    """CVaR contributions of the columns of ``tail_pnl`` (k, n): minus each column's mean.

    They sum to CVaR (the mean of the row sums) up to rounding.
    """
    contributions: npt.NDArray[np.float64] = -tail_pnl.mean(axis=0)
    return contributions


def group_sum(values: np.ndarray, labels: tuple[str, ...]) -> dict[str, float]:
    """Sum ``values`` (one per project) by label, in first-seen order."""
    out: dict[str, float] = {}
    for v, lab in zip(values, labels):
        out[lab] = out.get(lab, 0.0) + float(v)
    return out


def standard_error_of_mean(pnl: np.ndarray) -> float:
    n = len(pnl)
    return float(np.std(pnl, ddof=1) / math.sqrt(n)) if n > 1 else float("nan")


def var_confidence_interval(sorted_pnl: np.ndarray, confidence: float, level: float = 0.95) -> tuple[float, float]:
    """Distribution-free band for VaR from order statistics (normal approximation to the binomial).

    The k-th smallest of N trials estimates the (1 - c) quantile; the quantile lies between
    the order statistics ``N(1-c) -/+ z sqrt(N c (1-c))`` with probability ``level``.
    Returned as losses (low, high).
    """
    n = len(sorted_pnl)
    z = ndtri(0.5 + level / 2)
    p = 1.0 - confidence
    half = z * math.sqrt(n * p * (1 - p))
    lo_i = int(min(max(math.floor(n * p - half), 1), n)) - 1
    hi_i = int(min(max(math.ceil(n * p + half), 1), n)) - 1
    return float(-sorted_pnl[hi_i]), float(-sorted_pnl[lo_i])


def cvar_confidence_interval(sorted_pnl: np.ndarray, confidence: float,
                             level: float = 0.95) -> tuple[float, float]:
    """Normal band for CVaR from its asymptotic variance (losses L = -P&L):

    ``CVaR = VaR + E[(L - VaR)+] / (1 - c)`` has variance ``Var((L - VaR)+) / (N (1 - c)^2)``.
    """
    n = len(sorted_pnl)
    k = tail_count(n, confidence)
    var = -sorted_pnl[k - 1]
    cvar = -sorted_pnl[:k].mean()
    excess = np.maximum(-sorted_pnl - var, 0.0)
    p = k / n
    se = float(np.std(excess, ddof=1) / (p * math.sqrt(n))) if n > 1 else float("nan")
    z = ndtri(0.5 + level / 2)
    return float(cvar - z * se), float(cvar + z * se)


def cvar_standard_error(sorted_pnl: np.ndarray, confidence: float) -> float:
    lo, hi = cvar_confidence_interval(sorted_pnl, confidence, level=math.erf(1 / math.sqrt(2)))
    return (hi - lo) / 2


def histogram(pnl: np.ndarray, bins: int = 200) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """(edges, counts) of a fine histogram, between the 0.05 % and 99.95 % points (rest clipped in)."""
    lo, hi = np.percentile(pnl, [0.05, 99.95], method="inverted_cdf")
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(np.clip(pnl, lo, hi), bins=bins, range=(lo, hi))
    return edges, counts


#: Bracket of the internal rate of return (per year): outside it the IRR is reported at the bound.
IRR_LOW, IRR_HIGH = -0.99, 1.0
#: Bisection steps (to a bracket of width 2 / 2**12, about 0.0005), then Newton steps inside it.
IRR_BISECT, IRR_NEWTON = 12, 4

def present_value(cash: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """``sum_t cash[t] (1 + rate)^-t`` for every column of ``cash`` (T, m) at its own ``rate`` (m,) (Horner)."""
    v = 1.0 / (1.0 + rate)
    acc = cash[-1].copy()
    for t in range(cash.shape[0] - 2, -1, -1):
        acc *= v
        acc += cash[t]
    pv: npt.NDArray[np.float64] = acc
    return pv


def internal_rate_of_return(cash: np.ndarray) -> np.ndarray:
    """(m,): the annual rate at which each column of yearly cash flows ``cash`` (T, m) has present value 0.

    Vectorised bisection over ``[IRR_LOW, IRR_HIGH]``, refined by Newton steps kept in the
    bracket. A column whose present value has the same sign at both ends gets the nearer
    bound (below -99 % or above 100 % a year); a column with no outflow or no inflow has no
    rate (NaN). Where cash flows change sign more than once, this is the root bisection
    finds in the bracket.
    """
    m = cash.shape[1]
    lo = np.full(m, IRR_LOW)
    hi = np.full(m, IRR_HIGH)
    f_lo = present_value(cash, lo)
    f_hi = present_value(cash, hi)
    above = (f_lo > 0) & (f_hi > 0)       # still positive at 100 % a year
    below = (f_lo < 0) & (f_hi < 0)       # already negative at -99 % a year
    for _ in range(IRR_BISECT):
        mid = 0.5 * (lo + hi)
        f_mid = present_value(cash, mid)
        same = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(same, mid, lo)
        f_lo = np.where(same, f_mid, f_lo)
        hi = np.where(same, hi, mid)
    rate = 0.5 * (lo + hi)
    for _ in range(IRR_NEWTON):   # quadratic convergence from inside the bracket; never leaves it
        f, slope = _value_and_slope(cash, rate)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(slope != 0.0, f / slope, 0.0)
        nxt = rate - step
        rate = np.where(np.isfinite(nxt), np.clip(nxt, lo, hi), rate)
    out = np.where(above, IRR_HIGH, np.where(below, IRR_LOW, rate))
    defined = (cash < 0).any(axis=0) & (cash > 0).any(axis=0)
    return np.where(defined, out, np.nan)


def _value_and_slope(cash: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Present value and its derivative with respect to the rate (Horner on ``v = 1 / (1 + rate)``)."""
    v = 1.0 / (1.0 + rate)
    p = cash[-1].copy()
    dp = np.zeros_like(p)
    for t in range(cash.shape[0] - 2, -1, -1):
        dp *= v
        dp += p
        p *= v
        p += cash[t]
    return p, -dp * v * v
