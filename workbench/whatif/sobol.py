"""Variance-based global sensitivity: first-order and total Sobol indices by pick-freeze.

Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis of model output",
Table 2): with two independent sample matrices ``A`` and ``B`` (N rows, one column per
input, uniform on each input's range) and ``AB_j`` = ``A`` with the columns of factor ``j``
taken from ``B``,

* first order ``S_j  = mean(f(B) * (f(AB_j) - f(A))) / V``  (Saltelli 2010, b);
* total       ``ST_j = mean((f(A) - f(AB_j))^2) / (2 V)``  (Jansen 1999, f);

with ``V`` the variance of ``f(A)`` and ``f(B)`` together. A factor may be a group of
inputs (all events, a sector's inputs): its columns are swapped together, giving the
group's closed (first-order) and total indices. ``A`` and ``B`` come from a scrambled Sobol
sequence seeded from a ``SeedSequence``. Confidence intervals are bootstrap percentiles over
the N rows (the same resampled rows for every index).

On the scenario, ``f`` is a statistic of the fixed allocation's P&L simulated on common
random numbers (the same draws for every row), so ``f`` is a deterministic function of the
inputs; an input the tornado varies is sampled over the tornado's range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import qmc

from workbench.progress import CancelFn, ProgressFn, check_cancel
from workbench.risk.model import RiskModel
from workbench.scenario import Scenario
from workbench.whatif.evaluator import Evaluator, portfolio_pnl
from workbench.whatif.inputs import DISCOUNT_RATE, Input, tornado_inputs
from workbench.whatif.statistics import Statistic, find_statistic

#: Trials of the inner simulation at each sample point (the same trials at every point).
SOBOL_TRIALS = 1024
#: Rows of each sample matrix (a power of two, as the Sobol sequence wants).
SOBOL_SAMPLES = 128
BOOTSTRAP = 500
ALL_EVENTS = "All events"


@dataclass(frozen=True)
class SobolIndex:
    """Indices of one factor (an input or a group of inputs) with bootstrap confidence intervals."""

    name: str
    members: tuple[str, ...]
    first: float
    first_ci: tuple[float, float]
    total: float
    total_ci: tuple[float, float]

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (values of any JSON type)."""
        return {"name": self.name, "members": list(self.members), "first_order": self.first,
                "first_order_ci": list(self.first_ci), "total": self.total, "total_ci": list(self.total_ci)}


def _estimates(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices of every factor (rows of ``fab``: one per factor, N columns)."""
    var = np.var(np.concatenate([fa, fb]), ddof=1)
    if not var > 0:
        z = np.zeros(fab.shape[0])
        return z, z
    centre = np.mean(np.concatenate([fa, fb]))   # centring leaves the estimator's mean alone, cuts its variance
    first = np.mean((fb - centre)[None, :] * (fab - fa[None, :]), axis=1) / var
    total = 0.5 * np.mean((fa[None, :] - fab) ** 2, axis=1) / var
    return first, total


def indices_from(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray, names: Sequence[str],
                 members: Sequence[tuple[str, ...]], *, seed: int = 0, bootstrap: int = BOOTSTRAP,
                 level: float = 0.95) -> list[SobolIndex]:
    """Indices and bootstrap percentile intervals from model outputs on ``A``, ``B`` and each ``AB_j``."""
    first, total = _estimates(fa, fb, fab)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(7,))))
    n = len(fa)
    fs, ts = np.empty((bootstrap, len(names))), np.empty((bootstrap, len(names)))
    for r in range(bootstrap):
        idx = rng.integers(0, n, n)
        fs[r], ts[r] = _estimates(fa[idx], fb[idx], fab[:, idx])
    q = [50 * (1 - level), 50 * (1 + level)]
    f_lo, f_hi = np.percentile(fs, q, axis=0)
    t_lo, t_hi = np.percentile(ts, q, axis=0)
    return [SobolIndex(names[j], tuple(members[j]), float(first[j]), (float(f_lo[j]), float(f_hi[j])),
                       float(total[j]), (float(t_lo[j]), float(t_hi[j]))) for j in range(len(names))]


def sample_matrices(d: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``B`` (n x d each) on the unit cube: the two halves of a scrambled 2d-dimensional Sobol sequence."""
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(5,))))
    sob = qmc.Sobol(2 * d, scramble=True, seed=gen)
    m = int(np.ceil(np.log2(max(n, 2))))
    x = sob.random_base2(m)[:n]
    return x[:, :d], x[:, d:]


def pick_freeze(f: Callable[[np.ndarray], np.ndarray], d: int, n: int, *,
                factors: Sequence[tuple[int, ...]] | None = None, names: Sequence[str] | None = None,
                seed: int = 0, bootstrap: int = BOOTSTRAP) -> list[SobolIndex]:
    """Sobol indices of ``f`` (rows of the unit cube ``[0, 1]^d`` -> outputs), one per factor
    (default: each column on its own). ``n`` rows per matrix: ``n (2 + factors)`` evaluations."""
    factors = list(factors) if factors is not None else [(j,) for j in range(d)]
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
    a, b = sample_matrices(d, n, seed)
    fa, fb = np.asarray(f(a), float), np.asarray(f(b), float)
    fab = np.empty((len(factors), n))
    for j, cols in enumerate(factors):
        ab = a.copy()
        ab[:, list(cols)] = b[:, list(cols)]
        fab[j] = f(ab)
    members = [tuple(names[c] for c in cols) for cols in factors]
    labels = [names[cols[0]] if len(cols) == 1 else f"group {j}" for j, cols in enumerate(factors)]
    return indices_from(fa, fb, fab, labels, members, seed=seed, bootstrap=bootstrap)


# ---------------------------------------------------------------- on the scenario
@dataclass(frozen=True)
class SobolResult:
    """Sobol indices of ``statistic`` of the fixed allocation over the tornado's ranges."""

    statistic: str
    statistic_label: str
    inputs: tuple[SobolIndex, ...]
    groups: tuple[SobolIndex, ...]
    samples: int
    trials: int
    evaluations: int
    variance: float
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (values of any JSON type)."""
        return {"statistic": self.statistic, "statistic_label": self.statistic_label, "samples": self.samples,
                "trials": self.trials, "evaluations": self.evaluations, "variance": self.variance,
                "inputs": [i.as_dict() for i in self.inputs], "groups": [g.as_dict() for g in self.groups],
                "ranges": {k: list(v) for k, v in self.ranges.items()}}


def scenario_groups(inputs: Sequence[Input]) -> list[tuple[str, tuple[int, ...]]]:
    """Named groups of the inputs: every event's probability together, and each sector's inputs."""
    out: list[tuple[str, tuple[int, ...]]] = []
    events = tuple(j for j, i in enumerate(inputs) if i.group == "Risk events")
    if len(events) > 1:
        out.append((ALL_EVENTS, events))
    seen: list[str] = []
    for i in inputs:
        if i.group not in seen and i.group not in ("Risk events",):
            seen.append(i.group)
    for g in seen:
        cols = tuple(j for j, i in enumerate(inputs) if i.group == g)
        if len(cols) > 1:
            out.append((f"{g}: all its inputs", cols))
    return out


def sobol_scenario(scn: Scenario, amounts: Mapping[str, float] | None = None, *, statistic: str | Statistic =
                   "expected-npv", samples: int = SOBOL_SAMPLES, trials: int = SOBOL_TRIALS, seed: int | None = None,
                   inputs: Sequence[Input] | None = None, bootstrap: int = BOOTSTRAP,
                   progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
                   evaluator: Evaluator | None = None) -> SobolResult:
    """First-order and total indices of ``statistic`` over the tornado's inputs and ranges, and of
    the groups of :func:`scenario_groups`; ``samples`` rows per matrix, ``trials`` per evaluation."""
    stat = find_statistic(statistic) if isinstance(statistic, str) else statistic
    ev = evaluator or Evaluator(scn, amounts, trials=trials, seed=seed, should_cancel=should_cancel)
    inputs = list(inputs) if inputs is not None else tornado_inputs(scn)
    inputs = [i for i in inputs
              if i.in_tornado and i.touches_risk and (span := i.tornado_range) is not None and span[1] > span[0]]
    d = len(inputs)
    groups = scenario_groups(inputs)
    factors = [(j,) for j in range(d)] + [cols for _, cols in groups]
    lo = np.array([i.tornado_low for i in inputs])
    hi = np.array([i.tornado_high for i in inputs])
    a, b = sample_matrices(d, samples, ev.seed)
    a, b = lo + a * (hi - lo), lo + b * (hi - lo)
    base = ev.model
    rep = ev.report
    x = ev.base_amounts
    conf = ev.confidence
    affected = [np.unique(np.concatenate([inputs[c].affected(base) for c in cols])) for cols in factors]
    start = ev.evaluations
    total_steps = samples * 2
    done = 0

    def model_of(row: np.ndarray) -> RiskModel:
        m = base
        for inp, v in zip(inputs, row):
            m = inp.patch(m, float(v), base)
        return m

    def value_of(unit: np.ndarray) -> float:
        ev.evaluations += 1
        return stat.value(portfolio_pnl(unit, x), conf)

    fa, fb = np.empty(samples), np.empty(samples)
    fab = np.empty((len(factors), samples))
    for r in range(samples):
        check_cancel(should_cancel)
        unit_b = rep.unit(model_of(b[r]))
        fb[r] = value_of(unit_b)
        done += 1
        unit_a = rep.unit(model_of(a[r]))
        fa[r] = value_of(unit_a)
        for j, cols in enumerate(factors):
            check_cancel(should_cancel)
            row = a[r].copy()
            row[list(cols)] = b[r][list(cols)]
            idx = affected[j]
            if len(idx) == base.n:
                unit = rep.unit(model_of(row))
            else:
                unit = unit_a.copy()
                if len(idx):
                    unit[idx] = rep.unit(model_of(row), idx)
            fab[j, r] = value_of(unit)
        done += 1
        if progress:
            progress(done / total_steps, f"Sobol indices: {r + 1} of {samples} sample rows")
    names = [i.name for i in inputs] + [g for g, _ in groups]
    members = [(inputs[c].name,) if len(cols) == 1 else tuple(inputs[k].name for k in cols)
               for cols in factors for c in cols[:1]]
    found = indices_from(fa, fb, fab, names, members, seed=ev.seed, bootstrap=bootstrap)
    # NPV at the scenario's rate, unless the rate is one of the inputs varied
    rate = None if any(i.kind == DISCOUNT_RATE for i in inputs) else float(ev.model.discount_rate)
    if progress:
        progress(1.0, "Sobol indices done")
    return SobolResult(
        statistic=stat.key, statistic_label=stat.label_at(conf, rate), inputs=tuple(found[:d]), groups=tuple(found[d:]),
        samples=samples, trials=ev.trials, evaluations=ev.evaluations - start,
        variance=float(np.var(np.concatenate([fa, fb]), ddof=1)),
        ranges={i.name: (float(span[0]), float(span[1])) for i in inputs if (span := i.tornado_range) is not None})


def ranking_differences(result: SobolResult, tornado_order: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Inputs whose rank by total Sobol index differs from their rank in the tornado (1 = largest):
    name -> (tornado rank, Sobol rank)."""
    sob = sorted(result.inputs, key=lambda i: -i.total)
    s_rank = {i.name: k + 1 for k, i in enumerate(sob)}
    t_rank = {name: k + 1 for k, name in enumerate([n for n in tornado_order if n in s_rank])}
    return {n: (t_rank[n], s_rank[n]) for n in t_rank if t_rank[n] != s_rank[n]}


def clear_differences(result: SobolResult, tornado_order: Sequence[str]) -> set[str]:
    """Inputs ranked differently that are clearly so: some other input is ordered the other way by the tornado
    and its total index's 95 % interval lies wholly apart from this input's (a rank difference among
    overlapping intervals may be Monte Carlo noise)."""
    by = {i.name: i for i in result.inputs}
    order = [n for n in tornado_order if n in by]
    out: set[str] = set()
    for a_pos, a in enumerate(order):
        for b in order[a_pos + 1:]:   # the tornado puts a before b
            if by[a].total_ci[1] < by[b].total_ci[0]:   # Sobol puts b clearly above a
                out.update((a, b))
    return out


__all__ = ["ALL_EVENTS", "SobolIndex", "SobolResult", "clear_differences", "indices_from", "pick_freeze",
           "ranking_differences", "sample_matrices", "scenario_groups", "sobol_scenario"]
