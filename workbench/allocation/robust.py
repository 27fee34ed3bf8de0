"""Robust allocation across stress scenarios: ``min-regret`` and ``worst-case``.

The scenarios are the baseline and the named stress tests (``workbench.risk.stress.named_stresses``:
each risk event forced to start in the start year, then all together). For each scenario
``k`` the fitting stream is simulated with that stress (the same draws for every scenario:
common random numbers), giving ``m_k``, each project's expected NPV (at the scenario's discount rate) per USD m.

* ``worst-case``: maximise ``min_k m_k . x`` (the worst scenario's expected NPV);
* ``min-regret``: with ``V_k = max m_k . x`` over the same feasible allocations (the best
  allocation for scenario ``k`` alone), minimise ``max_k (V_k - m_k . x)``.

Both are linear programmes in the shares with one extra column ``t`` and one row per
scenario, under every limit and minimum ticket of the other methods (mixed-integer when a
ticket is present, polished like ``max-return``). Each ``V_k`` is a ``max-return`` solve on
scenario ``k``'s means.

The CVaR flavour (:func:`worst_case_cvar`, :func:`min_regret_cvar`) replaces each scenario's
expected NPV by the CVaR of its NPV on a sample of trials of that stress (Rockafellar-Uryasev: one
``zeta_k`` and one excess column per trial); the what-if comparison offers it. The Allocation
methods ``min-regret`` and ``worst-case`` use expected NPV. Every label names the measure with
its rate ("expected NPV at 5 %", :func:`workbench.figures.npv_label`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from workbench.allocation.binding import Objective
from workbench.allocation.formulation import Base
from workbench.allocation.inputs import FittingSample
from workbench.allocation.linear import solve_linear
from workbench.allocation.outcome import Outcome
from workbench.allocation.problem import Problem, fmt_usd
from workbench.figures import npv_label
from workbench.scenario import Scenario

METHODS = ("min-regret", "worst-case")
#: The measure's name when the discount rate is not known.
GENERIC_NPV = "NPV at the discount rate"


@dataclass(frozen=True)
class StressMeans:
    """Expected NPV per USD m of each project (columns in problem order) in each scenario (rows), at the
    scenario's ``discount_rate``."""

    names: tuple[str, ...]
    means: np.ndarray   # (K, n)
    discount_rate: float = float("nan")

    @property
    def npv(self) -> str:
        """The measure's name as shown: "NPV at 5 %"."""
        return npv_label(self.discount_rate) if math.isfinite(self.discount_rate) else GENERIC_NPV


def stress_means(scn: Scenario, prob: Problem, *, trials: int | None = None, seed: int | None = None) -> StressMeans:
    """``m_k`` for the baseline and every named stress, on the fitting stream (common random numbers)."""
    from workbench.risk.engine import FIT_TRIALS, Plan, scenario_seed
    from workbench.risk.model import build_model
    from workbench.risk.paths import FIT_STREAM, block_sizes, draw_block, simulate_block
    from workbench.risk.stress import named_stresses

    model = build_model(scn)
    seed = scenario_seed(scn, seed)
    n_trials = int(trials) if trials is not None else min(int(scn.field("Trials")), FIT_TRIALS)
    specs = named_stresses(scn)
    forced = [None] + [Plan.of(scn, {}, trials=1, forced_events=s.forced_events).forced for s in specs]
    sums = np.zeros((len(forced), model.n))
    for b, m in enumerate(block_sizes(n_trials)):
        draws = draw_block(model, seed, FIT_STREAM, b, m)
        for k, f in enumerate(forced):
            sums[k] += simulate_block(model, seed, FIT_STREAM, b, m, forced=f, draws=draws).unit.sum(axis=1)
    means = sums / n_trials
    pos = {pid: i for i, pid in enumerate(model.ids)}
    cols = np.array([pos[pid] for pid in prob.ids], dtype=np.int64)
    return StressMeans(("Baseline", *(s.name for s in specs)), means[:, cols] if len(cols) else means[:, :0],
                       float(model.discount_rate))


def _with_t(means: npt.NDArray[np.float64], rhs: npt.NDArray[np.float64], S: float, sense: str,
            holder: dict[str, slice]) -> Callable[[Base], None]:
    """Add ``t`` and one row per scenario: ``t + m_k . w >= rhs_k`` ("regret") or ``m_k . w - t >= 0``."""
    def extra(b: Base) -> None:
        k, n = means.shape
        t_cost = 1.0 if sense == "regret" else -1.0
        t = b.builder.add_cols(1, -np.inf, np.inf, t_cost)
        sign = 1.0 if sense == "regret" else -1.0
        block = sp.hstack([sp.csr_matrix(means), sp.csr_matrix((k, t.start - n)),
                           sp.csr_matrix(np.full((k, 1), sign))], format="csr")
        lo = rhs if sense == "regret" else np.zeros(k)
        b.builder.add_rows(block, lo, np.inf)
        holder["t"] = t
    return extra


def best_values(prob: Problem, sm: StressMeans, *, time_limit: float, mip_rel_gap: float) -> np.ndarray:
    """``V_k``: the largest expected NPV (USD m) any feasible allocation gets in scenario ``k``."""
    from workbench.allocation.linear import max_return
    return np.array([float(sm.means[k] @ max_return(prob, sm.means[k], time_limit=time_limit,
                                                    mip_rel_gap=mip_rel_gap).x) for k in range(len(sm.names))])


def min_regret(prob: Problem, sm: StressMeans, *, time_limit: float, mip_rel_gap: float) -> Outcome:
    """Minimise the largest regret of expected NPV across the scenarios."""
    S = prob.S
    best = best_values(prob, sm, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    holder: dict[str, slice] = {}
    obj = Objective(f"largest regret of expected {sm.npv}", "USD m", S, better="min")
    out, _ = solve_linear(prob, np.zeros(prob.n), obj, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                          extra=_with_t(sm.means, best / S, S, "regret", holder))
    regret = best - sm.means @ out.x
    return Outcome(out.x, out.status, out.gap, float(np.max(regret)), out.binding,
                   (*out.notes, summary(sm, out.x, best)))


def worst_case(prob: Problem, sm: StressMeans, *, time_limit: float, mip_rel_gap: float) -> Outcome:
    """Maximise the worst scenario's expected NPV."""
    S = prob.S
    holder: dict[str, slice] = {}
    obj = Objective(f"worst scenario's expected {sm.npv}", "USD m", -S)
    out, _ = solve_linear(prob, np.zeros(prob.n), obj, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                          extra=_with_t(sm.means, np.zeros(len(sm.names)), S, "worst", holder))
    best = best_values(prob, sm, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    return Outcome(out.x, out.status, out.gap, float(np.min(sm.means @ out.x)), out.binding,
                   (*out.notes, summary(sm, out.x, best)))


# ---------------------------------------------------------------- the CVaR flavour
def stress_cvar(units: np.ndarray, x: np.ndarray, confidence: float) -> np.ndarray:
    """CVaR (loss, USD m) of allocation ``x`` (problem order) in each stress: the Rockafellar-Uryasev value
    on the sample, i.e. the mean of the worst ``N (1 - c)`` trials with the boundary trial counted in part."""
    k_tail = units.shape[1] * (1.0 - confidence)
    whole = int(np.floor(k_tail + 1e-9))
    out = np.empty(units.shape[0])
    for k in range(units.shape[0]):
        loss = np.sort(-(units[k] @ x))[::-1]
        part = k_tail - whole
        tail = loss[:whole].sum() + (part * loss[whole] if part > 1e-9 and whole < len(loss) else 0.0)
        out[k] = tail / k_tail
    return out


def _with_cvar_t(units: npt.NDArray[np.float64], confidence: float,
                 offsets: npt.NDArray[np.float64]) -> Callable[[Base], None]:
    """Add ``zeta_k`` (free), ``u_ki >= 0`` and ``t`` (the cost) with ``u_ki >= loss_ki - zeta_k`` for every trial
    and ``t >= zeta_k + sum_i u_ki / (N (1 - c)) - offsets_k`` for every stress: minimising ``t`` minimises the
    largest of the stresses' CVaR (per USD of the programme) less their offsets (Rockafellar and Uryasev 2000)."""
    def extra(b: Base) -> None:
        k, n_trials, n = units.shape
        rows = k * n_trials
        zeta = b.builder.add_cols(k, -np.inf, np.inf, 0.0)
        u = b.builder.add_cols(rows, 0.0, np.inf, 0.0)
        t = b.builder.add_cols(1, -np.inf, np.inf, 1.0)
        width = t.stop
        r = np.arange(rows)
        trials = sp.hstack([sp.csr_matrix(units.reshape(rows, n)), sp.csr_matrix((rows, width - n))], format="csr")
        trials = trials + sp.csr_matrix((np.ones(rows), (r, zeta.start + r // n_trials)), shape=(rows, width)) \
            + sp.csr_matrix((np.ones(rows), (r, u.start + r)), shape=(rows, width))
        b.builder.add_rows(trials, 0.0, np.inf)   # unit . w + zeta_k + u_ki >= 0, i.e. u_ki >= loss_ki - zeta_k
        coef = 1.0 / (n_trials * (1.0 - confidence))
        rk = np.arange(k)
        data = np.concatenate([np.ones(k), -np.ones(k), np.full(rows, -coef)])
        row_i = np.concatenate([rk, rk, r // n_trials])
        col_i = np.concatenate([np.full(k, t.start), zeta.start + rk, u.start + r])
        b.builder.add_rows(sp.csr_matrix((data, (row_i, col_i)), shape=(k, width)), -np.asarray(offsets, float),
                           np.inf)
    return extra


def worst_case_cvar(prob: Problem, units: np.ndarray, confidence: float, *, time_limit: float, mip_rel_gap: float,
                    offsets: np.ndarray | None = None) -> Outcome:
    """Minimise the largest CVaR across the stresses (``units``: (K, N, n) NPV per USD m, problem order), or with
    ``offsets`` (per USD of the programme) the largest CVaR less its offset."""
    S = prob.S
    k = units.shape[0]
    off = np.zeros(k) if offsets is None else np.asarray(offsets, float)
    obj = Objective("largest CVaR across the stresses" if offsets is None else "largest regret of CVaR", "USD m",
                    S, better="min")
    out, _ = solve_linear(prob, np.zeros(prob.n), obj, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                          extra=_with_cvar_t(units, confidence, off))
    value = float(np.max(stress_cvar(units, out.x, confidence) - off * S))
    return Outcome(out.x, out.status, out.gap, value, out.binding, out.notes)


def best_cvars(prob: Problem, units: np.ndarray, confidence: float, *, time_limit: float,
               mip_rel_gap: float) -> np.ndarray:
    """The smallest CVaR (USD m) any allocation meeting every limit gets in each stress alone."""
    return np.array([worst_case_cvar(prob, units[k:k + 1], confidence, time_limit=time_limit,
                                     mip_rel_gap=mip_rel_gap).objective for k in range(units.shape[0])])


def min_regret_cvar(prob: Problem, units: np.ndarray, confidence: float, *, time_limit: float,
                    mip_rel_gap: float, best: np.ndarray | None = None) -> Outcome:
    """Minimise the largest regret of CVaR: each stress's CVaR less the smallest any allocation gets there."""
    best = best_cvars(prob, units, confidence, time_limit=time_limit, mip_rel_gap=mip_rel_gap) if best is None \
        else np.asarray(best, float)
    return worst_case_cvar(prob, units, confidence, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                           offsets=best / prob.S)


def summary(sm: StressMeans, x: np.ndarray, best: np.ndarray) -> str:
    """One line per scenario: expected NPV of this allocation, the best any allocation gets, the regret."""
    pnl = sm.means @ x
    parts = [f"{name}: expected {sm.npv} USD {fmt_usd(round(v))} m (best possible {fmt_usd(round(b))} m, regret "
             f"{fmt_usd(round(b - v))} m)" for name, v, b in zip(sm.names, pnl, best)]
    return "By stress scenario (fitting sample): " + "; ".join(parts) + "."


@dataclass(frozen=True)
class RegretTable:
    """Each allocation's expected NPV in every scenario and its regret against that scenario's best."""

    scenarios: tuple[str, ...]
    best: npt.NDArray[np.float64]    # (K,)
    allocations: tuple[str, ...]
    pnl: npt.NDArray[np.float64]     # (A, K) expected NPV, USD m
    regret: npt.NDArray[np.float64]  # (A, K)

    @property
    def max_regret(self) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = self.regret.max(axis=1)
        return out

    @property
    def worst(self) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = self.pnl.min(axis=1)
        return out


def regret_table(prob: Problem, sm: StressMeans, allocations: dict[str, np.ndarray], *, time_limit: float = 30.0,
                 mip_rel_gap: float = 1e-4) -> RegretTable:
    """The table shown beside the robust methods: rows are allocations (amounts in problem order)."""
    best = best_values(prob, sm, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    names = tuple(allocations)
    pnl = np.array([sm.means @ np.asarray(allocations[a], float) for a in names]).reshape(len(names), -1)
    return RegretTable(sm.names, best, names, pnl, best[None, :] - pnl)


def robust_outcome(method: str, scn: Scenario, prob: Problem, *, time_limit: float, mip_rel_gap: float,
                   sample: FittingSample | None = None) -> Outcome:
    """Run ``method`` (one of :data:`METHODS`) on ``prob``; the scenarios' means come from the fitting stream
    at the sample's seed and trial count."""
    trials = getattr(sample, "trials", None)
    seed = getattr(sample, "seed", None)
    sm = stress_means(scn, prob, trials=trials, seed=seed)
    if method == "min-regret":
        return min_regret(prob, sm, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    return worst_case(prob, sm, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
