"""The inputs a what-if analysis can vary: what each one is, its valid range, and how it is set.

Every input the tornado varies (``workbench.risk.sensitivity.moves``) is here, under the
same label, plus inputs a user may pick: a financier's capacity and a project's requested
amount (these change only the allocation problem, so they matter only when the allocation
is re-fitted at each value).

An input is set two ways that must agree (``tests/whatif`` checks it):

* :meth:`Input.apply` returns a copy of the :class:`~workbench.scenario.Scenario` with the
  value written into its tables (what a user would type);
* :meth:`Input.patch` returns a copy of the risk model's arrays with the value in place
  (fast: the evaluator calls it thousands of times), and :meth:`Input.affected` names the
  projects whose simulated P&L can change, so only those are simulated again.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace

import numpy as np

from workbench.errors import WorkbenchError
from workbench.risk.model import GUARANTEE, LOAN, RiskModel, apply_overrides, build_model
from workbench.risk.sensitivity import (
    DISCOUNT_STEP,
    PROBABILITY_FACTOR,
    RECOVERY_STEP,
    RETURN_STEP,
    VOLATILITY_STEP,
)
from workbench.scenario import Scenario

#: Lowest expected return an input may take (the schema's bound -1 is open; the tornado clips here too).
MIN_RETURN = -0.99

SECTOR_RETURN = "sector return"
SECTOR_VOLATILITY = "sector volatility"
EVENT_PROBABILITY = "event probability"
DISCOUNT_RATE = "discount rate"
RECOVERY = "recovery rates"
CAPACITY = "financier capacity"
REQUESTED = "requested amount"

#: Kinds that change the risk model (the others change only the allocation problem).
RISK_KINDS = (SECTOR_RETURN, SECTOR_VOLATILITY, EVENT_PROBABILITY, DISCOUNT_RATE, RECOVERY)


class UnknownInput(WorkbenchError, ValueError):
    """No input of that name; the message lists the nearest names."""


@dataclass(frozen=True)
class Input:
    """One input of the scenario that a what-if analysis can move.

    ``value`` is its value in the scenario; ``low``/``high`` its valid range; ``tornado_low``/
    ``tornado_high`` the range the tornado uses (the Sobol indices sample it), ``None`` for
    inputs the tornado does not vary; ``unit`` ``"fraction"`` or ``"USD m"``.
    """

    name: str
    kind: str
    value: float
    low: float
    high: float
    unit: str
    key: str                       # sector / event / project ID / financier row label
    tornado_low: float | None = None
    tornado_high: float | None = None
    row: int = -1                  # Financing row for a capacity; -1 when the financier's rows are scaled together
    group: str = ""                # "Data centers", "Risk events", ...: for grouped Sobol indices

    @property
    def touches_risk(self) -> bool:
        return self.kind in RISK_KINDS

    @property
    def in_tornado(self) -> bool:
        return self.tornado_low is not None

    @property
    def tornado_range(self) -> tuple[float, float] | None:
        """``(tornado_low, tornado_high)``, or ``None`` when the input is not in the tornado."""
        if self.tornado_low is None or self.tornado_high is None:
            return None
        return self.tornado_low, self.tornado_high

    def clip(self, v: float) -> float:
        return float(min(max(v, self.low), self.high))

    def describe_range(self) -> str:
        return f"{fmt_value(self.low, self.unit)} to {fmt_value(self.high, self.unit)}"

    # ------------------------------------------------------------ setting on a Scenario copy
    def apply(self, scn: Scenario, v: float) -> Scenario:
        """A copy of ``scn`` with this input at ``v`` (the scenario itself is not changed)."""
        v = float(v)
        if self.kind == SECTOR_RETURN:
            delta = v - self.value
            over = {("Sectors", self.key, "Expected return"): v}
            p = scn.projects
            for pid, sec, mu in zip(p["ID"], p["Sector"], p["Expected return"]):
                if sec == self.key and mu == mu and mu is not None:   # own expected return: moves with it
                    over[("Projects", str(pid), "Expected return")] = _clip_return(float(mu) + delta)
            return apply_overrides(scn, over)
        if self.kind == SECTOR_VOLATILITY:
            return apply_overrides(scn, {("Sectors", self.key, "Volatility"): v})
        if self.kind == EVENT_PROBABILITY:
            return apply_overrides(scn, {("Risk events", self.key, "Annual probability"): v})
        if self.kind == DISCOUNT_RATE:
            return scn.with_fields(**{"Discount rate": v})
        if self.kind == RECOVERY:
            delta = v - self.value
            p = scn.projects_effective()
            over = {("Projects", str(pid), "Recovery rate"): float(min(max(r + delta, 0.0), 1.0))
                    for pid, r in zip(p["ID"], p["Recovery rate"])}
            return apply_overrides(scn, over)
        if self.kind == CAPACITY:
            f = scn.financing.copy()
            col = "Capacity (USD m)"
            if self.row >= 0:
                f.loc[f.index[self.row], col] = v
            else:   # every row of the financier, scaled together
                rows = [i for i, name in enumerate(f["Financier"]) if str(name).strip() == self.key]
                scale = v / self.value if self.value > 0 else 0.0
                for i in rows:
                    old = float(f.iloc[i][col])
                    f.loc[f.index[i], col] = old * scale if self.value > 0 else v / len(rows)
            return scn.with_table("Financing", f)
        if self.kind == REQUESTED:
            return apply_overrides(scn, {("Projects", self.key, "Requested (USD m)"): v})
        raise ValueError(f"Input kind {self.kind!r} cannot be set.")

    # ------------------------------------------------------------ setting on the model's arrays
    def affected(self, model: RiskModel) -> np.ndarray:
        """Indices (model order) of the projects whose simulated P&L depends on this input."""
        if self.kind in (SECTOR_RETURN, SECTOR_VOLATILITY):
            s = model.sectors.index(self.key)
            return np.flatnonzero(model.project_sector == s)
        if self.kind == EVENT_PROBABILITY:
            e = model.events.index(self.key)
            hit = np.flatnonzero(model.event_shock[e] != 0.0)
            return np.flatnonzero(np.isin(model.project_sector, hit))
        if self.kind == DISCOUNT_RATE:
            return np.arange(model.n)
        if self.kind == RECOVERY:
            return np.flatnonzero((model.instrument == LOAN) | (model.instrument == GUARANTEE))
        return np.zeros(0, dtype=np.int64)

    def patch(self, model: RiskModel, v: float, base: RiskModel) -> RiskModel:
        """``model`` with this input at ``v``, computed from the unmoved ``base`` model's arrays."""
        v = float(v)
        if self.kind == SECTOR_RETURN:
            s = base.sectors.index(self.key)
            delta = v - self.value
            own = _own_returns(base, self)
            mu = model.mu.copy()
            members = base.project_sector == s
            mu[members] = v
            mu[own] = np.clip(base.mu[own] + delta, MIN_RETURN, 1.0)
            sector_mu = model.sector_mu.copy()
            sector_mu[s] = v
            return replace(model, mu=mu, sector_mu=sector_mu)
        if self.kind == SECTOR_VOLATILITY:
            vol = model.sector_vol.copy()
            vol[base.sectors.index(self.key)] = v
            return replace(model, sector_vol=vol)
        if self.kind == EVENT_PROBABILITY:
            prob = model.event_prob.copy()
            prob[base.events.index(self.key)] = min(max(v, 0.0), 1.0)
            return replace(model, event_prob=prob)
        if self.kind == DISCOUNT_RATE:
            return replace(model, discount_rate=v)
        if self.kind == RECOVERY:
            return replace(model, recovery=np.clip(base.recovery + (v - self.value), 0.0, 1.0))
        return model


def _clip_return(v: float) -> float:
    return float(min(max(v, MIN_RETURN), 1.0))


def _own_returns(base: RiskModel, inp: Input) -> np.ndarray:
    """Projects of the sector whose expected return differs from the sector's (their own, moved with it)."""
    s = base.sectors.index(inp.key)
    members = base.project_sector == s
    return np.flatnonzero(members & (base.mu != base.sector_mu[s]))


def fmt_value(v: float, unit: str) -> str:
    """An input value as a user reads it: ``12.50 %`` for fractions, ``USD 160,000 m`` for amounts."""
    if v is None or not np.isfinite(v):
        return "n/a"
    if unit == "fraction":
        return f"{100 * v:.2f} %"
    return f"USD {v:,.0f} m"


# ---------------------------------------------------------------- the registry
def tornado_inputs(scn: Scenario) -> list[Input]:
    """The inputs the tornado varies, in the tornado's order, with its ranges."""
    model = build_model(scn)
    out: list[Input] = []
    for s, name in enumerate(model.sectors):
        mu, vol = float(model.sector_mu[s]), float(model.sector_vol[s])
        # lowest/highest sector return that keeps every own-return project of the sector in range
        own = _own_mu(scn, name)
        lo = MIN_RETURN + max([mu - m for m in own] + [0.0])
        hi = 1.0 - max([m - mu for m in own] + [0.0])
        out.append(Input(f"{name}: expected return", SECTOR_RETURN, mu, lo, hi, "fraction", name,
                         max(mu - RETURN_STEP, lo), min(mu + RETURN_STEP, hi), group=name))
        out.append(Input(f"{name}: volatility", SECTOR_VOLATILITY, vol, 0.0, 1.0, "fraction", name,
                         max(vol - VOLATILITY_STEP, 0.0), min(vol + VOLATILITY_STEP, 1.0), group=name))
    for e, name in enumerate(model.events):
        p = float(model.event_prob[e])
        out.append(Input(f"{name}: probability", EVENT_PROBABILITY, p, 0.0, 1.0, "fraction", name,
                         p * (1 - PROBABILITY_FACTOR), min(p * (1 + PROBABILITY_FACTOR), 1.0), group="Risk events"))
    r = model.discount_rate
    out.append(Input("Discount rate", DISCOUNT_RATE, r, 0.0, 0.5, "fraction", "",
                     max(r - DISCOUNT_STEP, 0.0), min(r + DISCOUNT_STEP, 0.5), group="Discount rate"))
    if model.n:
        rec = model.recovery
        mean = float(np.mean(rec))
        lo, hi = mean - float(rec.min()), mean + 1.0 - float(rec.max())
        out.append(Input("Recovery rates (every project)", RECOVERY, mean, lo, hi, "fraction", "",
                         max(mean - RECOVERY_STEP, lo), min(mean + RECOVERY_STEP, hi), group="Recovery rates"))
    return out


def allocation_inputs(scn: Scenario) -> list[Input]:
    """Financiers' capacities (each Financing row, and each financier's rows together) and projects'
    requested amounts: they change the allocation problem only."""
    out: list[Input] = []
    size = float(scn.size)
    f = scn.financing
    rows: dict[str, list[int]] = {}
    for i in range(len(f)):
        name, cap = f.iloc[i]["Financier"], f.iloc[i]["Capacity (USD m)"]
        if name is None or cap != cap or str(name).strip() == "":
            continue
        name = str(name).strip()
        rows.setdefault(name, []).append(i)
        inst = f.iloc[i]["Instrument"]
        inst = "any instrument" if inst is None or inst != inst or str(inst) in ("", "Any") else str(inst)
        out.append(Input(f"{name} ({inst}): capacity", CAPACITY, float(cap), 0.0, max(size, float(cap)), "USD m",
                         name, row=i, group="Financing"))
    for name, idx in rows.items():
        if len(idx) > 1:
            total = float(sum(float(f.iloc[i]["Capacity (USD m)"]) for i in idx))
            out.append(Input(f"{name}: capacity (all its rows, scaled together)", CAPACITY, total, 0.0,
                             max(size * len(idx), total), "USD m", name, row=-1, group="Financing"))
    p = scn.projects_effective()
    for pid, req, inc in zip(p["ID"], p["Requested (USD m)"], p["Include"]):
        if inc and req == req:
            out.append(Input(f"{pid}: requested amount", REQUESTED, float(req), 1.0, max(size, float(req)),
                             "USD m", str(pid), group="Projects"))
    return out


def all_inputs(scn: Scenario) -> list[Input]:
    return tornado_inputs(scn) + allocation_inputs(scn)


def _own_mu(scn: Scenario, sector: str) -> list[float]:
    p = scn.projects
    return [float(m) for s, m, inc in zip(p["Sector"], p["Expected return"], p["Include"])
            if s == sector and inc and m == m and m is not None]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


_ALIASES = (("expected return", ("return", "expected return", "mu")),
            ("volatility", ("vol", "volatility", "sigma")),
            ("probability", ("probability", "prob", "annual probability")))


def find_input(scn: Scenario, name: str, inputs: list[Input] | None = None) -> Input:
    """The input called ``name`` (case, punctuation and spacing ignored; ``"Data centers return"``
    finds ``"Data centers: expected return"``); :class:`UnknownInput` with suggestions otherwise."""
    inputs = inputs if inputs is not None else all_inputs(scn)
    want = _norm(name)
    by_norm = {_norm(i.name): i for i in inputs}
    if want in by_norm:
        return by_norm[want]
    for full, aliases in _ALIASES:
        for a in aliases:
            if want.endswith(" " + a):
                cand = _norm(want[: -len(a)].strip() + " " + full)
                if cand in by_norm:
                    return by_norm[cand]
    starts = [i for k, i in by_norm.items() if k.startswith(want)]
    if len(starts) == 1:
        return starts[0]
    near = difflib.get_close_matches(want, list(by_norm), n=3, cutoff=0.5)
    hint = (" Did you mean " + " or ".join(f'"{by_norm[k].name}"' for k in near) + "?") if near else ""
    raise UnknownInput(f'There is no input called "{name}".{hint} '
                       "List the inputs with `workbench seek --list-inputs`.")
