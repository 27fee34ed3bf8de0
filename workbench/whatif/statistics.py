"""The statistics a what-if analysis targets, each with its Monte Carlo standard error.

All are computed from one simulated P&L sample (NPV at the scenario's discount rate, USD m,
the reporting stream) exactly as ``workbench.risk.measures`` defines them: expected NPV,
the probability that NPV is below 0, VaR and CVaR at the scenario's confidence level
(losses as positive numbers).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from workbench.errors import WorkbenchError
from workbench.risk import measures as ms


class UnknownStatistic(WorkbenchError, ValueError):
    """No statistic of that name, or a target that cannot be read."""


@dataclass(frozen=True)
class Statistic:
    key: str           # "expected-npv", "p-loss", "var", "cvar"
    label: str         # "Expected NPV (USD m)"
    unit: str          # "USD m" or "probability"
    aliases: tuple[str, ...]

    def value(self, pnl: np.ndarray, confidence: float) -> float:
        if self.key == "expected-npv":
            return float(pnl.mean())
        if self.key == "p-loss":
            return ms.probability_of_loss(pnl)
        if self.key == "var":
            return ms.value_at_risk(pnl, confidence)
        return ms.conditional_value_at_risk(pnl, confidence)

    def standard_error(self, pnl: np.ndarray, confidence: float) -> float:
        """Monte Carlo standard error of :meth:`value` from the same sample."""
        n = len(pnl)
        if n < 2:
            return float("nan")
        if self.key == "expected-npv":
            return ms.standard_error_of_mean(pnl)
        if self.key == "p-loss":
            p = ms.probability_of_loss(pnl)
            return math.sqrt(max(p * (1 - p), 1.0 / n) / n)   # never 0: one trial's worth at least
        srt = np.sort(pnl)
        if self.key == "var":
            lo, hi = ms.var_confidence_interval(srt, confidence, level=math.erf(1 / math.sqrt(2)))
            return abs(hi - lo) / 2
        return ms.cvar_standard_error(srt, confidence)

    def label_at(self, confidence: float) -> str:
        if self.key in ("var", "cvar"):
            return f"{'VaR' if self.key == 'var' else 'CVaR'} {100 * confidence:g} % (loss, USD m)"
        return self.label

    def format(self, v: float) -> str:
        if v is None or not np.isfinite(v):
            return "n/a"
        if self.unit == "probability":
            return f"{100 * v:.2f} %"
        return f"USD {v:,.0f} m"


STATISTICS = (
    Statistic("expected-npv", "Expected NPV (USD m)", "USD m",
              ("expected npv", "e npv", "expected p l", "expected pnl", "enpv", "npv", "mean npv", "expected")),
    Statistic("p-loss", "P(NPV < 0)", "probability",
              ("p npv 0", "p loss", "probability of loss", "prob loss", "p npv lt 0", "ploss", "pr npv 0")),
    Statistic("var", "VaR (loss, USD m)", "USD m", ("var", "value at risk")),
    Statistic("cvar", "CVaR (loss, USD m)", "USD m", ("cvar", "expected shortfall", "es", "conditional var")),
)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def find_statistic(name: str) -> Statistic:
    want = _norm(name)
    want_nc = re.sub(r"\s*\d+(\.\d+)?\s*$", "", want)   # "CVaR 95" -> "cvar"
    for st in STATISTICS:
        if want in (st.key.replace("-", " "), *st.aliases) or want_nc in st.aliases:
            return st
    raise UnknownStatistic(f'There is no statistic called "{name}". Use one of: '
                           + ", ".join(f'"{s.key}" ({s.label})' for s in STATISTICS) + ".")


@dataclass(frozen=True)
class Target:
    statistic: Statistic
    op: str            # "<=" or ">="
    value: float

    def holds(self, v: float) -> bool:
        return v <= self.value if self.op == "<=" else v >= self.value

    def describe(self, confidence: float) -> str:
        return f"{self.statistic.label_at(confidence)} {'at or below' if self.op == '<=' else 'at or above'} " \
               f"{self.statistic.format(self.value)}"


def parse_number(text: str, unit: str) -> float:
    """``"10 %"`` -> 0.10, ``"0.1"`` -> 0.1, ``"80 bn"``/``"USD 80bn"`` -> 80,000 (USD m), ``"500m"`` -> 500."""
    t = text.strip().lower().replace(",", "").replace("usd", "").replace("$", "").strip()
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1], 0.01
    elif t.endswith("bn") or t.endswith("b"):
        t, scale = t.rstrip("bn").rstrip(), 1000.0
    elif t.endswith("m"):
        t = t[:-1]
    try:
        v = float(t) * scale
    except ValueError:
        raise UnknownStatistic(f'"{text}" is not a number (write e.g. 0.10, 10%, 80bn or 80000).') from None
    if not math.isfinite(v):
        raise UnknownStatistic(f'"{text}" is not a finite number.')
    if unit == "probability" and not 0.0 <= v <= 1.0:
        raise UnknownStatistic(f"A probability target must be between 0 and 1 (or 0 % and 100 %), not {text}.")
    return v


def parse_target(text: str) -> Target:
    """``"P(NPV<0)<=10%"``, ``"CVaR<=80bn"``, ``"expected-npv>=0"``: statistic, ``<=``/``>=``, value."""
    i_le, i_ge = text.rfind("<="), text.rfind(">=")
    i = max(i_le, i_ge)
    if i <= 0:
        raise UnknownStatistic(f'The target "{text}" needs the form STATISTIC<=VALUE or STATISTIC>=VALUE, '
                               'e.g. "P(NPV<0)<=10%" or "CVaR<=80bn".')
    op = text[i:i + 2]
    st = find_statistic(text[:i])
    return Target(st, op, parse_number(text[i + 2:], st.unit))
