"""``mean-variance``: maximise expected P&L minus ``risk aversion / 2 * variance / S``.

In shares ``w = x / S`` that is ``S * (mu.w - lambda / 2 * w'Cw)``, with ``mu`` and ``C``
the mean and covariance of each project's P&L per USD m on the risk engine's fitting
sample: exactly PyPortfolioOpt's ``max_quadratic_utility`` objective when the weights
sum to one.
"""

from __future__ import annotations

import numpy as np

from workbench.allocation.binding import Objective
from workbench.allocation.inputs import Inputs
from workbench.allocation.linear import max_return
from workbench.allocation.outcome import Outcome
from workbench.allocation.problem import Problem
from workbench.allocation.quadratic import minimize_quadratic
from workbench.progress import CancelFn


def mean_variance(prob: Problem, data: Inputs, risk_aversion: float, *, time_limit: float, mip_rel_gap: float,
                  should_cancel: CancelFn | None = None) -> Outcome:
    if risk_aversion <= 0:
        out = max_return(prob, data.mu, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        return Outcome(out.x, out.status, out.gap, out.objective, out.binding,
                       ("Risk aversion is 0, so mean-variance is max-return.", *out.notes))
    obj = Objective(f"risk-adjusted expected {prob.npv} (the mean-variance objective)", "USD m", -prob.S)
    Q = risk_aversion * np.asarray(data.cov, float)
    out, _ = minimize_quadratic(prob, -np.asarray(data.mu, float), Q, obj, time_limit=time_limit,
                                mip_rel_gap=mip_rel_gap, should_cancel=should_cancel)
    return out
