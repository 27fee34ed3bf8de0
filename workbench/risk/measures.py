"""Risk measures as pure, vectorised functions of a P&L sample (USD m; losses positive).

The definitions are those of ``shared/spec/models.md``: with ``N`` trials sorted by P&L
and ``k = ceil(N * (1 - c))``, VaR is minus the k-th smallest P&L and CVaR minus the mean
of the k smallest.
"""

from __future__ import annotations

import math

import numpy as np
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
    return -tail_pnl.mean(axis=0)


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


def histogram(pnl: np.ndarray, bins: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts) of a fine histogram, between the 0.05 % and 99.95 % points (rest clipped in)."""
    lo, hi = np.percentile(pnl, [0.05, 99.95], method="inverted_cdf")
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(np.clip(pnl, lo, hi), bins=bins, range=(lo, hi))
    return edges, counts
