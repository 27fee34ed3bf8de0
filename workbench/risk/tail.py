"""Fewer trials for the same accuracy of VaR and CVaR: importance sampling of the loss tail,
and a stop rule that runs until CVaR's relative standard error reaches a target.

**Importance sampling with exact reweighting.** A plain pilot run (its own random stream)
finds the trials in the loss tail; the proposal distribution is fitted to them by one
cross-entropy step: the sector normals get the mean the tail trials' normals have (a mean
shift ``mu[t, s]``), and each event's annual start probability becomes the frequency with
which it started in the tail trials (``q[t, e]``, kept between the scenario's probability and
0.95). Trials are drawn from that proposal on their own stream, block by block as in
``workbench.risk.paths`` (a trial's numbers depend only on the seed, the stream and its
index), and each carries its exact likelihood ratio

``w = prod exp(-mu z + mu^2 / 2) * prod (p / q if the event's draw started it else (1 - p) / (1 - q))``,

so weighted averages estimate the same quantities as plain Monte Carlo, without bias in the
limit. The project normals, the t copula's chi-square draws and the cash-flow arithmetic are
those of the engine (``simulate_block`` on the proposal's draws).

**Estimators** (losses ``L = -P&L``, weights ``w``, ``N`` trials, level ``c``): VaR is the
smallest loss whose weighted upper tail reaches ``1 - c``; CVaR =
``VaR + mean(w (L - VaR)+) / (1 - c)``, with standard error
``sd(w (L - VaR)+) / (sqrt(N) (1 - c))`` (Hong and Liu 2009; with all weights 1 these are the
engine's plain estimators). ``tests/risk/test_tail.py`` checks that the 95 % bands cover
the plain Monte Carlo answer at about 95 % over 200 seeds.

**Stop rule.** :func:`cvar_to_precision` adds blocks until CVaR's relative standard error is
at most the target, or the trial cap is reached, and says how many trials it took.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workbench.progress import CancelFn, ProgressFn, check_cancel
from workbench.risk.engine import amounts_vector, scenario_seed
from workbench.risk.measures import tail_count
from workbench.risk.model import RiskModel, build_model
from workbench.risk.paths import BLOCK, Draws, generator, simulate_block
from workbench.scenario import Scenario

#: Random streams of the pilot run and of the importance-sampled trials (0 and 1 are the engine's).
PILOT_STREAM, TAIL_STREAM, PLAIN_TAIL_STREAM = 2, 3, 4
#: Trials of the pilot run that fits the proposal.
PILOT_TRIALS = BLOCK
#: Highest start probability the proposal gives an event in a year.
MAX_EVENT_PROBABILITY = 0.95
#: Target relative standard error of CVaR by default (0.5 %), and the default trial cap.
DEFAULT_PRECISION = 0.005
DEFAULT_MAX_TRIALS = 2_000_000
METHODS = ("importance", "plain")


@dataclass(frozen=True)
class Proposal:
    """Mean shift of the sector normals (H, S) and the events' start probabilities (H, E)."""

    mu: npt.NDArray[np.float64]
    q: npt.NDArray[np.float64]

    @staticmethod
    def none(model: RiskModel) -> Proposal:
        h = model.horizon
        return Proposal(np.zeros((h, len(model.sectors))), np.tile(model.event_prob, (h, 1)))


@dataclass(frozen=True)
class TailEstimate:
    """VaR and CVaR (losses, USD m) with CVaR's standard error, how they were estimated and on how many trials."""

    var: float
    cvar: float
    cvar_se: float
    trials: int
    pilot_trials: int
    method: str
    precision: float | None = None      # the target relative standard error, when a stop rule ran
    reached: bool = True                # the target was met (False: the trial cap stopped it)

    @property
    def relative_se(self) -> float:
        return self.cvar_se / abs(self.cvar) if self.cvar else float("inf")

    def band(self, z: float = 1.959963984540054) -> tuple[float, float]:
        return self.cvar - z * self.cvar_se, self.cvar + z * self.cvar_se

    def describe(self) -> str:
        how = ("importance sampling of the loss tail (exact reweighting)" if self.method == "importance"
               else "plain Monte Carlo")
        pilot = f" plus a {self.pilot_trials:,}-trial pilot" if self.pilot_trials else ""
        text = (f"CVaR USD {self.cvar:,.0f} m (standard error {100 * self.relative_se:.2f} % of it), "
                f"VaR USD {self.var:,.0f} m, on {self.trials:,} trials{pilot}, by {how}")
        if self.precision is not None:
            text += (f"; target relative standard error {100 * self.precision:g} % "
                     + ("reached" if self.reached else "not reached: the trial cap stopped the run"))
        return text + "."


# ---------------------------------------------------------------- estimators
def weighted_tail(pnl: np.ndarray, weights: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """(VaR, CVaR, CVaR's standard error) of losses ``-pnl`` under likelihood-ratio ``weights``."""
    n = len(pnl)
    loss = -np.asarray(pnl, float)
    w = np.asarray(weights, float)
    p = 1.0 - confidence
    if np.all(w == 1.0):   # plain Monte Carlo: exactly the engine's order-statistic estimators
        k = tail_count(n, confidence)
        srt = np.sort(loss)[::-1]
        var = float(srt[k - 1])
        cvar = float(srt[:k].mean())
        p = k / n   # the tail's actual share, as the engine's band uses
    else:
        order = np.argsort(-loss, kind="stable")
        cum = np.cumsum(w[order]) / n
        j = min(int(np.searchsorted(cum, p - 1e-12)), n - 1)
        var = float(loss[order[j]])
        cvar = var + float(np.sum(w * np.maximum(loss - var, 0.0))) / (n * p)
    excess = w * np.maximum(loss - var, 0.0)
    se = float(np.std(excess, ddof=1) / (p * math.sqrt(n))) if n > 1 else float("nan")
    return var, cvar, se


# ---------------------------------------------------------------- drawing under the proposal
def _event_draws(gen: np.random.Generator, model: RiskModel, q: np.ndarray, m: int
                 ) -> tuple[np.ndarray | None, np.ndarray]:
    """Uniforms whose event starts (``u < p``) happen with probability ``q``, and their log likelihood ratios."""
    h, e_count = model.horizon, len(model.events)
    if not e_count:
        return None, np.zeros(m)
    u0 = gen.random((h, e_count, m))
    p = np.broadcast_to(model.event_prob[None, :], (h, e_count))[:, :, None]
    qq = q[:, :, None]
    start = u0 < qq
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(start, u0 * np.where(qq > 0, p / qq, 0.0),
                     p + (u0 - qq) * np.where(qq < 1, (1 - p) / (1 - qq), 0.0))
        log_in = np.where(qq > 0, np.log(np.where(p > 0, p, 1.0) / np.where(qq > 0, qq, 1.0)), 0.0)
        log_out = np.where(qq < 1, np.log(np.where(p < 1, 1 - p, 1.0) / np.where(qq < 1, 1 - qq, 1.0)), 0.0)
    log_w = np.where(start, log_in, log_out).sum(axis=(0, 1))
    return np.clip(u, 0.0, np.nextafter(1.0, 0.0)), log_w


def proposal_block(model: RiskModel, seed: int, stream: int, block: int, m: int, prop: Proposal
                   ) -> tuple[Draws, np.ndarray]:
    """The draws of one block under ``prop`` and each trial's likelihood ratio."""
    gen = generator(seed, stream, block)
    h, s_count, n = model.horizon, len(model.sectors), model.n
    z_sec = gen.standard_normal((h, s_count, m))
    z_sec += prop.mu[:, :, None]
    log_w = (-(prop.mu[:, :, None] * z_sec) + 0.5 * prop.mu[:, :, None] ** 2).sum(axis=(0, 1))
    z_spec = gen.standard_normal((h, n, m))
    u, log_e = _event_draws(gen, model, prop.q, m)
    w = gen.chisquare(model.dof, (h, m)) if model.copula == "student-t" else None
    return Draws(z_sec, z_spec, u, w), np.exp(log_w + log_e)


def fit_proposal(model: RiskModel, x: np.ndarray, seed: int, trials: int = PILOT_TRIALS) -> Proposal:
    """One cross-entropy step from a plain pilot run: the tail trials' mean sector normals and event frequencies."""
    plain = Proposal.none(model)
    zs, starts, pnls = [], [], []
    for b, m in enumerate(_sizes(trials)):
        draws, _ = proposal_block(model, seed, PILOT_STREAM, b, m, plain)
        pnls.append(x @ simulate_block(model, seed, PILOT_STREAM, b, m, draws=draws).unit)
        zs.append(draws.z_sec)
        if draws.u is not None:
            starts.append(draws.u < model.event_prob[None, :, None])
    pnl = np.concatenate(pnls)
    k = tail_count(len(pnl), model.confidence)
    tail = np.argsort(pnl, kind="stable")[:k]
    mu = np.concatenate(zs, axis=2)[:, :, tail].mean(axis=2)
    q = plain.q.copy()
    if starts:
        freq = np.concatenate(starts, axis=2)[:, :, tail].mean(axis=2)
        p = plain.q
        inside = (p > 0) & (p < 1)
        q = np.where(inside, np.clip(freq, p, np.maximum(p, MAX_EVENT_PROBABILITY)), p)
    return Proposal(mu, q)


def _sizes(trials: int) -> list[int]:
    full, rest = divmod(int(trials), BLOCK)
    return [BLOCK] * full + ([rest] if rest else [])


# ---------------------------------------------------------------- the estimates
def _pnl_blocks(model: RiskModel, x: np.ndarray, seed: int, prop: Proposal | None,
                method: str) -> Iterator[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """Yield (P&L, weights) block by block, for ever (the caller stops)."""
    stream = TAIL_STREAM if method == "importance" else PLAIN_TAIL_STREAM
    b = 0
    while True:
        if prop is None:
            draws, w = proposal_block(model, seed, stream, b, BLOCK, Proposal.none(model))
            w = np.ones(BLOCK)
        else:
            draws, w = proposal_block(model, seed, stream, b, BLOCK, prop)
        yield x @ simulate_block(model, seed, stream, b, BLOCK, draws=draws).unit, w
        b += 1


def cvar_to_precision(scn: Scenario, amounts: Mapping[str, float], *, precision: float = DEFAULT_PRECISION,
                      max_trials: int = DEFAULT_MAX_TRIALS, method: str = "importance", seed: int | None = None,
                      min_trials: int = 2 * BLOCK, pilot_trials: int = PILOT_TRIALS,
                      progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> TailEstimate:
    """Add blocks of trials until CVaR's relative standard error is at most ``precision`` (or
    ``max_trials``, rounded up to whole blocks, are spent)."""
    if method not in METHODS:
        raise ValueError(f'Unknown tail method "{method}"; use one of {", ".join(METHODS)}.')
    if not precision > 0:
        raise ValueError("The precision (relative standard error of CVaR) must be above 0, e.g. 0.005 for 0.5 %.")
    model = build_model(scn)
    seed = scenario_seed(scn, seed)
    x = amounts_vector(model, amounts)
    prop = fit_proposal(model, x, seed, pilot_trials) if method == "importance" else None
    pnl_parts, w_parts = [], []
    n = 0
    est = (float("nan"), float("nan"), float("nan"))
    for pnl, w in _pnl_blocks(model, x, seed, prop, method):
        check_cancel(should_cancel)
        pnl_parts.append(pnl)
        w_parts.append(w)
        n += len(pnl)
        if n < min_trials and n < max_trials:
            continue
        est = weighted_tail(np.concatenate(pnl_parts), np.concatenate(w_parts), model.confidence)
        rel = est[2] / abs(est[1]) if est[1] else float("inf")
        if progress:
            progress(min(1.0, max(n / max_trials, (precision / rel) ** 2 if rel > 0 else 1.0)),
                     f"CVaR to {100 * precision:g} %: {n:,} trials, now {100 * rel:.2f} %")
        if rel <= precision or n >= max_trials:
            return TailEstimate(est[0], est[1], est[2], n, pilot_trials if prop is not None else 0, method,
                                precision, bool(rel <= precision))
    raise AssertionError("unreachable")   # the generator never ends


def tail_estimate(scn: Scenario, amounts: Mapping[str, float], *, trials: int, method: str = "importance",
                  seed: int | None = None, pilot_trials: int = PILOT_TRIALS) -> TailEstimate:
    """VaR and CVaR on exactly ``trials`` trials (whole blocks, the last one cut) by ``method``."""
    if method not in METHODS:
        raise ValueError(f'Unknown tail method "{method}"; use one of {", ".join(METHODS)}.')
    model = build_model(scn)
    seed = scenario_seed(scn, seed)
    x = amounts_vector(model, amounts)
    prop = fit_proposal(model, x, seed, pilot_trials) if method == "importance" else None
    pnl_parts, w_parts, n = [], [], 0
    for pnl, w in _pnl_blocks(model, x, seed, prop, method):
        take = min(len(pnl), trials - n)
        pnl_parts.append(pnl[:take])
        w_parts.append(w[:take])
        n += take
        if n >= trials:
            break
    var, cvar, se = weighted_tail(np.concatenate(pnl_parts), np.concatenate(w_parts), model.confidence)
    return TailEstimate(var, cvar, se, n, pilot_trials if prop is not None else 0, method)


# ---------------------------------------------------------------- the run's stop rule
@dataclass(frozen=True)
class StopRule:
    """How many trials of the engine's reporting stream a run needs for CVaR's relative standard error to be at
    most ``precision`` (at most ``max_trials``): a run with ``trials`` trials reports exactly these trials."""

    precision: float
    max_trials: int
    trials: int
    relative_se: float
    reached: bool

    def as_dict(self) -> dict[str, float | int | bool]:
        return {"precision": self.precision, "max_trials": self.max_trials, "trials": self.trials,
                "cvar_relative_se": self.relative_se, "reached": self.reached}

    def describe(self) -> str:
        head = (f"Stop rule: CVaR's relative standard error {100 * self.relative_se:.2f} % after {self.trials:,} "
                f"trials")
        if self.reached:
            return f"{head} (target at most {100 * self.precision:g} %, reached)."
        return (f"{head}: the target of {100 * self.precision:g} % was not reached within the cap of "
                f"{self.max_trials:,} trials.")


def run_trials_for_precision(scn: Scenario, amounts: Mapping[str, float], *, precision: float, max_trials: int,
                             seed: int | None = None, min_trials: int = 20_000, progress: ProgressFn | None = None,
                             should_cancel: CancelFn | None = None) -> StopRule:
    """The stop rule of a run: plain Monte Carlo on the reporting stream (the trials ``simulate`` uses), checked
    at ``min_trials`` (the fitting sample's size, so the allocation is the same) and at every block boundary
    after it, until CVaR's relative standard error is at most ``precision`` or ``max_trials`` are spent."""
    from workbench.risk.paths import REPORT_STREAM, block_sizes

    if not precision > 0:
        raise ValueError("The precision (relative standard error of CVaR) must be above 0, e.g. 0.005 for 0.5 %.")
    if max_trials < 2:
        raise ValueError("The stop rule needs a cap of at least 2 trials.")
    model = build_model(scn)
    seed = scenario_seed(scn, seed)
    x = amounts_vector(model, amounts)
    full: list[np.ndarray] = []     # P&L of whole blocks, in block order
    checks = [min(min_trials, max_trials)]
    while checks[-1] < max_trials:
        nxt = (checks[-1] // BLOCK + 1) * BLOCK
        checks.append(min(nxt, max_trials))
    for n in checks:
        sizes = block_sizes(n)   # a last, partial block draws its own numbers (its size shapes the draws)
        for b, m in enumerate(sizes):
            if m == BLOCK and b >= len(full):
                check_cancel(should_cancel)
                full.append(x @ simulate_block(model, seed, REPORT_STREAM, b, BLOCK).unit)
        parts = full[: n // BLOCK]
        if n % BLOCK:
            parts = [*parts, x @ simulate_block(model, seed, REPORT_STREAM, len(parts), n % BLOCK).unit]
        _, cvar, se = weighted_tail(np.concatenate(parts), np.ones(n), model.confidence)
        rel = se / abs(cvar) if cvar else float("inf")
        if progress:
            progress(min(1.0, n / max_trials), f"Stop rule: {n:,} trials, CVaR relative s.e. {100 * rel:.2f} %")
        if rel <= precision or n >= max_trials:
            return StopRule(precision, max_trials, n, rel, bool(rel <= precision))
    raise AssertionError("unreachable")   # the last check is at max_trials


__all__ = ["DEFAULT_MAX_TRIALS", "DEFAULT_PRECISION", "METHODS", "Proposal", "StopRule", "TailEstimate",
           "cvar_to_precision", "fit_proposal", "proposal_block", "run_trials_for_precision", "tail_estimate",
           "weighted_tail"]
