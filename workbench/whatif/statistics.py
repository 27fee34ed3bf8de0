"""The statistics a what-if analysis targets, each with its Monte Carlo standard error.

All are computed from one simulated sample of the allocation's NPV at the scenario's discount
rate (USD m, the reporting stream), and each label names that measure with the rate
(:func:`workbench.figures.npv_label`), exactly as ``workbench.risk.measures`` defines them: expected NPV,
the probability that NPV is below 0, VaR and CVaR at the scenario's confidence level
(losses as positive numbers).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from workbench.errors import WorkbenchError
from workbench.figures import npv_label, pct
from workbench.risk import measures as ms

#: The measure's name when the discount rate is itself the input being moved.
NPV_AT_RATE_TRIED = "NPV at the discount rate tried"


class UnknownStatistic(WorkbenchError, ValueError):
    """No statistic of that name, or a target that cannot be read."""


@dataclass(frozen=True)
class Statistic:
    key: str           # "expected-npv", "p-loss", "var", "cvar"
    label: str         # "Expected {npv} (USD m)": {npv} and {conf} filled by label_at
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

    def label_at(self, confidence: float, discount_rate: float | None) -> str:
        """The label as shown, naming the measure: ``"Expected NPV at 5 % (USD m)"``, ``"CVaR 95 % (NPV at 5 %,
        USD m)"``; ``discount_rate=None`` when the discount rate is the input being moved."""
        npv = npv_label(discount_rate) if discount_rate is not None else NPV_AT_RATE_TRIED
        return self.label.format(npv=npv, conf=pct(confidence))

    def format(self, v: float) -> str:
        if v is None or not np.isfinite(v):
            return "n/a"
        if self.unit == "probability":
            return f"{100 * v:.2f} %"
        return f"USD {v:,.0f} m"


STATISTICS = (
    Statistic("expected-npv", "Expected {npv} (USD m)", "USD m",
              ("expected npv", "e npv", "expected p l", "expected pnl", "enpv", "npv", "mean npv", "expected",
               "expected npv usd m")),
    Statistic("p-loss", "P({npv} below zero)", "probability",
              ("p npv 0", "p loss", "probability of loss", "prob loss", "p npv lt 0", "ploss", "pr npv 0",
               "p npv below zero")),
    Statistic("var", "VaR {conf} ({npv}, USD m)", "USD m", ("var", "value at risk", "var npv usd m")),
    Statistic("cvar", "CVaR {conf} ({npv}, USD m)", "USD m",
              ("cvar", "expected shortfall", "es", "conditional var", "cvar npv usd m")),
)

#: The statistics' names without a discount rate, for messages that name no scenario.
GENERIC_NPV = "NPV at the discount rate"


def _norm(text: str) -> str:
    """Lower case words; a rate or level in a displayed label ("NPV at 5 %", "CVaR 95 %") drops out."""
    t = re.sub(r"[^a-z0-9.]+", " ", text.lower()).strip()
    t = re.sub(r"\bnpv at( the discount rate( tried)?| \d+(\.\d+)?)", "npv", t)
    t = re.sub(r"^(c?var) \d+(\.\d+)? (?=npv)", r"\1 ", t)
    return re.sub(r"\s+", " ", t.replace(".", " ")).strip()


def find_statistic(name: str) -> Statistic:
    want = _norm(name)
    want_nc = re.sub(r"\s*\d+(\.\d+)?\s*$", "", want)   # "CVaR 95" -> "cvar"
    for st in STATISTICS:
        if want in (st.key.replace("-", " "), *st.aliases) or want_nc in st.aliases:
            return st
    raise UnknownStatistic(f'There is no statistic called "{name}". Use one of: '
                           + ", ".join(f'"{s.key}" ({s.label.format(npv=GENERIC_NPV, conf="at the confidence level")})'
                                       for s in STATISTICS) + ".")


@dataclass(frozen=True)
class Target:
    statistic: Statistic
    op: str            # "<=" or ">="
    value: float

    def holds(self, v: float) -> bool:
        return v <= self.value if self.op == "<=" else v >= self.value

    def describe(self, confidence: float, discount_rate: float | None) -> str:
        side = "at or below" if self.op == "<=" else "at or above"
        return f"{self.statistic.label_at(confidence, discount_rate)} {side} {self.statistic.format(self.value)}"


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
