"""``risk-parity``: deploy as much as the limits allow, each sector contributing the same share
of P&L variance, split within a sector in proportion to requests.

1. ``T*``: the most the limits (and tickets) let us deploy (a linear or mixed-integer programme).
2. Sector budgets ``b`` with equal risk contributions for the sector covariance
   ``A' C A`` (``A`` splits a sector's amount over its projects in proportion to requests),
   by cyclical coordinate descent on the convex programme
   ``min 1/2 y'Sy - 1/K sum log y`` (Griveau-Billion et al.); the ideal allocation is
   ``x*_p = T* b_s request_p / R_s``.
3. If ``x*`` meets every limit and ticket, that is the answer (exact parity).
4. Otherwise, the allocation nearest ``x*`` (least squares relative to requests) with total
   ``T*`` under every limit (a quadratic programme; outer approximation with tickets), then a
   local refinement of the squared deviation of the sector risk shares from ``1/K`` with
   the funded set fixed (SLSQP, for up to 300 funded projects). The shares achieved are
   reported in the notes.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from workbench.allocation.binding import Objective, bindings
from workbench.allocation.formulation import base
from workbench.allocation.inputs import Inputs
from workbench.allocation.linear import solve_linear
from workbench.allocation.outcome import Outcome, status_for
from workbench.allocation.problem import TOL, Problem
from workbench.allocation.quadratic import minimize_quadratic
from workbench.progress import CancelFn


def erc_budgets(cov: np.ndarray, iters: int = 500, tol: float = 1e-12) -> np.ndarray:
    """Weights (summing to 1) whose risk contributions ``b_s (cov b)_s`` are all equal."""
    k = cov.shape[0]
    d = np.diag(cov).copy()
    if k == 0:
        return np.zeros(0)
    if np.any(d <= 0):
        return np.full(k, 1.0 / k)
    y = 1.0 / np.sqrt(d)
    y /= y.sum()
    for _ in range(iters):
        old = y.copy()
        for s in range(k):
            other = float(cov[s] @ y - d[s] * y[s])
            y[s] = (-other + np.sqrt(other * other + 4.0 * d[s] / k)) / (2.0 * d[s])
        if np.max(np.abs(y - old)) < tol * max(1.0, np.max(np.abs(y))):
            break
    return y / y.sum()


def risk_shares(w: np.ndarray, cov: np.ndarray, sector: np.ndarray, k: int) -> np.ndarray:
    """Each sector's share of the portfolio's P&L variance."""
    cw = cov @ w
    v = float(w @ cw)
    rc = np.bincount(sector, weights=w * cw, minlength=k)
    return rc / v if v > 0 else np.full(k, 1.0 / k)


def _deviation(w, cov, sector, k):
    cw = cov @ w
    v = float(w @ cw)
    if v <= 0:
        return 0.0, np.zeros_like(w)
    contrib = w * cw
    rc = np.bincount(sector, weights=contrib, minlength=k)
    share = rc / v
    err = share - 1.0 / k
    # d rc_s / dw = e_s * cw + C (e_s * w);  d v / dw = 2 cw
    e = err[sector]
    grad_rc = e * cw + cov @ (e * w)       # sum_s err_s d rc_s / dw
    grad = 2.0 * (grad_rc / v - float(err @ rc) * 2.0 * cw / v**2)
    return float(err @ err), grad


def risk_parity(prob: Problem, data: Inputs, *, time_limit: float, mip_rel_gap: float,
                should_cancel: CancelFn | None = None) -> Outcome:
    n, S = prob.n, prob.S
    obj = Objective("the squared deviation from equal sector risk shares", "", 1.0, better="min")
    if n == 0:
        return Outcome(np.zeros(0), "optimal", 0.0, 0.0)
    names = list(dict.fromkeys(str(s) for s in prob.group("Sector")))
    sector = np.array([names.index(str(s)) for s in prob.group("Sector")])
    k = len(names)
    C = np.asarray(data.cov, float)
    # 1. The most the limits let us deploy.
    most, _ = solve_linear(prob, -np.ones(n), Objective("total", "USD m", -S), time_limit=time_limit,
                           mip_rel_gap=mip_rel_gap)
    total = float(most.x.sum())
    # 2. Equal-risk sector budgets with proportional splits.
    R = np.bincount(sector, weights=prob.request, minlength=k)
    split = prob.request / R[sector]
    A = np.zeros((n, k))
    A[np.arange(n), sector] = split
    budgets = erc_budgets(A.T @ C @ A)
    ideal = total * budgets[sector] * split
    notes = []
    ticket_ok = np.all((ideal >= prob.ticket - TOL * S) | (ideal <= TOL * S))
    if not prob.violations(ideal) and ticket_ok:
        x, status, gap = ideal, "optimal", 0.0
        binding = bindings(prob, base(prob, np.zeros(n)), x, None, None, obj, with_prices=False)
        notes.append("Exact risk parity: every sector contributes the same share of P&L variance.")
    else:
        # 4. Nearest allocation to the ideal under every limit, total held at T*.
        weight = 1.0 / np.maximum(prob.request / S, 1e-12)
        Q = sp.diags(2.0 * weight)
        c = -2.0 * weight * ideal / S

        def hold_total(b):
            b.builder.add_rows(sp.csr_matrix(np.ones((1, n))), total / S - TOL * 0.5, np.inf)

        near, _ = minimize_quadratic(prob, c, Q.toarray() if n <= 400 else Q, obj, time_limit=time_limit,
                                        mip_rel_gap=mip_rel_gap, extra=hold_total, should_cancel=should_cancel)
        x = near.x
        x = _refine(prob, x, C, sector, k, total) if np.count_nonzero(x) <= 300 else x
        # The deviation is not convex: no bound proves this allocation best.
        status, gap = status_for(np.inf, mip_rel_gap), np.inf
        binding = bindings(prob, base(prob, np.zeros(n)), x, None, None, obj, with_prices=False)
        notes.append("Exact risk parity is impossible under these limits or tickets. Best found, not proven: "
                     "the allocation nearest the ideal under every limit (a quadratic programme), then a local "
                     "descent of the deviation of sector risk shares from equal shares with its funded set fixed.")
    w = x / S
    shares = risk_shares(w, C, sector, k)
    dev = float(np.sum((shares - 1.0 / k) ** 2))
    notes.append("Sector shares of P&L variance: " + ", ".join(f"{nm} {sh:.1%}" for nm, sh in zip(names, shares,
                                                                                                     strict=True)))
    return Outcome(x, status, gap, dev, binding, tuple(notes))


def _refine(prob: Problem, x: np.ndarray, C: np.ndarray, sector: np.ndarray, k: int, total: float) -> np.ndarray:
    """Local descent of the squared share deviation, funded set fixed; kept only if it helps and holds."""
    S = prob.S
    funded = np.flatnonzero(x > TOL * S)
    if len(funded) == 0:
        return x
    w0 = x / S
    lo = np.where(prob.ticket[funded] > 0, prob.ticket[funded] / S, 0.0)
    hi = prob.request[funded] / S
    M = prob.matrix()[:, funded].toarray()
    r_lo, r_hi = prob.bounds()
    fin_lo, fin_hi = np.isfinite(r_lo), np.isfinite(r_hi)
    G = np.vstack([M[fin_lo], -M[fin_hi], np.ones((1, len(funded)))])
    h = np.r_[r_lo[fin_lo] / S, -r_hi[fin_hi] / S, total / S - 1e-7]

    def f(v):
        w = np.zeros(prob.n)
        w[funded] = v
        val, grad = _deviation(w, C, sector, k)
        return val, grad[funded]

    start = w0[funded]
    base_val = f(start)[0]
    try:
        res = minimize(f, start, jac=True, method="SLSQP", bounds=list(zip(lo, hi, strict=True)),
                       constraints=[{"type": "ineq", "fun": lambda v: G @ v - h, "jac": lambda v: G}],
                       options={"maxiter": 200, "ftol": 1e-12})
    except (ValueError, np.linalg.LinAlgError):
        return x
    if not np.all(np.isfinite(res.x)):
        return x
    cand = np.zeros(prob.n)
    cand[funded] = np.clip(res.x, lo, hi) * S
    if f(cand[funded] / S)[0] < base_val - 1e-12 and not prob.violations(cand):
        return cand
    return x
