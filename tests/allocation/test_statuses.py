"""Every method's status and gap mean the same thing: checked on small cases with minimum tickets by
enumerating every funded set. For each set (funded projects in [ticket, request], the others at 0) the
continuous problem is solved by an independent solver (scipy's linprog, cvxpy with Clarabel); the best
over the sets is the true optimum. An ``optimal`` answer must be within its gap of it; no answer may
beat it; a ``best found`` answer's gap must still bound the distance to it."""

from __future__ import annotations

import itertools

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import linprog

from tests.allocation.helpers import amounts, sample, scenario
from workbench.allocation import allocate
from workbench.allocation.cvar import cvar_of
from workbench.allocation.problem import build_problem

SECTORS = ("Alpha", "Beta", "Gamma")


def case(seed: int, ticket_share: float | None = None):
    """Six projects over three sectors, each with a ticket; limits that make tickets matter."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = 6
    ids = tuple(f"P{i}" for i in range(n))
    req = np.round(rng.uniform(20, 45, n))
    tick = np.round(req * (rng.uniform(0.35, 0.7, n) if ticket_share is None else ticket_share))
    projects = [{"ID": i, "Sector": SECTORS[j % 3], "Requested (USD m)": float(r), "Minimum ticket (USD m)": float(t),
                 "Strategic score": float(rng.integers(1, 10))} for j, (i, r, t) in enumerate(zip(ids, req, tick,
                                                                                                     strict=True))]
    constraints = [{"Group": "Total", "Value": "*", "Min share": 0.6},
                   {"Group": "Sector", "Value": "*", "Max share": 0.45}]
    trials = 600
    f = rng.standard_normal((trials, 2))
    pnl = (rng.uniform(0.02, 0.12, n) + f @ rng.normal(0, 0.1, (2, n))
           + rng.standard_normal((trials, n)) * rng.uniform(0.05, 0.3, n))
    scn = scenario(projects, constraints, **{"Risk aversion": 2.0, "Confidence level": 0.9})
    return ids, scn, sample(ids, pnl), pnl


def funded_sets(n):
    for bits in itertools.product((0, 1), repeat=n):
        yield np.array(bits, bool)


def box(prob, funded):
    lo = np.where(funded, prob.ticket, 0.0)
    hi = np.where(funded, prob.request, 0.0)
    return lo, hi


def rows(prob):
    A = prob.matrix().toarray()
    lo, hi = prob.bounds()
    G = np.vstack([A[np.isfinite(hi)], -A[np.isfinite(lo)]])
    h = np.r_[hi[np.isfinite(hi)], -lo[np.isfinite(lo)]]
    return G, h


def best_linear(prob, cost):
    """min cost.x over every funded set (scipy linprog, one LP per set)."""
    G, h = rows(prob)
    best = np.inf
    for funded in funded_sets(prob.n):
        lo, hi = box(prob, funded)
        r = linprog(cost, A_ub=G, b_ub=h, bounds=list(zip(lo, hi, strict=True)), method="highs")
        if r.status == 0:
            best = min(best, r.fun)
    return best


def best_convex(prob, objective):
    """min objective(x) over every funded set (cvxpy with Clarabel)."""
    G, h = rows(prob)
    best = np.inf
    for funded in funded_sets(prob.n):
        lo, hi = box(prob, funded)
        x = cp.Variable(prob.n)
        pr = cp.Problem(cp.Minimize(objective(x)), [G @ x <= h, x >= lo, x <= hi])
        pr.solve(solver=cp.CLARABEL)
        if pr.status == "optimal":
            best = min(best, pr.value)
    return best


def check(res, value, best):
    """``value``: the method's answer in the minimisation sense; ``best``: the enumerated optimum."""
    assert np.isfinite(best)
    scale = max(abs(value), 1e-9)
    assert value >= best - 1e-6 * max(abs(best), 1.0), "no method beats the best funded set"
    if res.status == "optimal":
        assert res.gap <= 1e-4
    else:
        assert res.status.startswith("best found")
    assert value - best <= res.gap * scale + 1e-6 * max(abs(best), 1.0), "the gap bounds the distance to the best"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_linear_methods_statuses_against_enumeration(seed):
    ids, scn, smp, pnl = case(seed)
    prob = build_problem(scn)
    for method, cost in (("max-return", -pnl.mean(0)), ("max-strategic", -prob.score)):
        res = allocate(scn, method=method, sample=smp)
        x = amounts(res, ids)
        assert prob.violations(x) == []
        check(res, float(cost @ x), best_linear(prob, cost))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_proportional_status_against_enumeration(seed):
    _ids, scn, smp, _ = case(seed)
    prob = build_problem(scn)
    res = allocate(scn, method="proportional", sample=smp)
    # The largest t with x_p >= t * request for every project, over every funded set (unfunded: t = 0).
    G, h = rows(prob)
    best = 0.0
    for funded in funded_sets(prob.n):
        if not funded.all():
            continue
        lo, hi = box(prob, funded)
        n = prob.n
        A = np.hstack([G, np.zeros((len(G), 1))])
        B = np.hstack([-np.eye(n), prob.request[:, None]])     # t * req - x <= 0
        r = linprog(np.r_[np.zeros(n), -1.0], A_ub=np.vstack([A, B]), b_ub=np.r_[h, np.zeros(n)],
                    bounds=[*zip(lo, hi, strict=True), (0, 1)], method="highs")
        if r.status == 0:
            best = max(best, -r.fun)
    check(res, -res.objective, -best)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mean_variance_status_against_enumeration(seed):
    ids, scn, smp, _ = case(seed)
    prob = build_problem(scn)
    res = allocate(scn, method="mean-variance", sample=smp)
    x = amounts(res, ids)
    S, lam = prob.S, 2.0
    mu, C = smp.mean, smp.cov
    L = np.linalg.cholesky(C + 1e-14 * np.eye(len(C)))

    def neg_utility(v):
        return -(mu @ v) + lam / 2 * cp.sum_squares(L.T @ v) / S

    best = best_convex(prob, neg_utility)
    check(res, -res.objective, best)
    assert res.objective == pytest.approx(mu @ x - lam / 2 * x @ C @ x / S, rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_min_cvar_status_against_enumeration(seed):
    ids, scn, smp, pnl = case(seed)
    prob = build_problem(scn)
    res = allocate(scn, method="min-cvar", sample=smp)
    x = amounts(res, ids)
    c = 0.9
    k = int(np.ceil(len(pnl) * (1 - c)))

    def cvar(v):   # mean of the k largest losses (the risk measures' CVaR, k = ceil(N (1 - c)))
        return cp.sum_largest(-pnl @ v, k) / k

    best = best_convex(prob, cvar)
    assert res.objective == pytest.approx(cvar_of(pnl @ x, c)[0], rel=1e-9)
    check(res, res.objective, best)


def parity_optimum(prob, C, sector, k):
    """Risk parity over every funded set by the cone form: ``min 1/2 x'Cx - 1/K sum_s ln y_s`` with every
    limit written relative to the total (``a.x <= b * sum(x) / T*``), scaled back to ``T*``; then
    ``R = sd / geometric mean of sector amounts``. ``T*``: the most any funded set lets us deploy."""
    G, h = rows(prob)
    t_star = -best_linear(prob, -np.ones(prob.n))
    L = np.linalg.cholesky(C + 1e-14 * np.eye(len(C)))
    member = np.zeros((k, prob.n))
    member[sector, np.arange(prob.n)] = 1.0
    best = np.inf
    for funded in funded_sets(prob.n):
        lo, hi = box(prob, funded)
        # Only sets that can reach T*.
        r = linprog(-np.ones(prob.n), A_ub=G, b_ub=h, bounds=list(zip(lo, hi, strict=True)), method="highs")
        if r.status != 0 or -r.fun < t_star * (1 - 1e-9):
            continue
        x = cp.Variable(prob.n)
        tot = cp.sum(x)
        cons = [G @ x <= h[:, None].ravel() / t_star * tot, x >= lo / t_star * tot, x <= hi / t_star * tot]
        pr = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(L.T @ x) - cp.sum(cp.log(member @ x)) / k), cons)
        try:
            pr.solve(solver=cp.CLARABEL)
        except cp.error.SolverError:
            continue
        if pr.status != "optimal":
            continue
        v = np.asarray(x.value) * t_star / float(np.sum(x.value))
        y = member @ v
        if np.any(y <= 0):
            continue
        best = min(best, float(np.sqrt(v @ C @ v) / np.exp(np.mean(np.log(y)))))
    return best


@pytest.mark.parametrize(("seed", "ticket_share"), [(1, None), (2, None), (5, 0.8), (6, 0.8), (8, 0.8)])
def test_risk_parity_status_against_enumeration(seed, ticket_share):
    ids, scn, smp, _ = case(seed, ticket_share)
    prob = build_problem(scn)
    res = allocate(scn, method="risk-parity", sample=smp)
    if ticket_share is not None:   # tickets at 80 % of requests: the relaxation breaks some, the tree settles them
        assert any("branch and bound" in n for n in res.notes)
    x = amounts(res, ids)
    assert prob.violations(x) == []
    sector = np.array([SECTORS.index(s) for s in prob.group("Sector")])
    C = smp.cov
    y = np.bincount(sector, weights=x, minlength=3)
    assert res.objective == pytest.approx(np.sqrt(x @ C @ x) / np.exp(np.mean(np.log(y))), rel=1e-9)
    check(res, res.objective, parity_optimum(prob, C, sector, 3))


def test_risk_parity_without_binding_limits_has_equal_sector_risk():
    ids, scn, smp, _ = case(4)
    scn = scn.with_table("Constraints", scn.constraints.iloc[0:0])
    scn = scn.with_table("Projects", scn.projects.assign(**{"Minimum ticket (USD m)": 0.0,
                                                             "Requested (USD m)": 100.0}))
    res = allocate(scn, method="risk-parity", sample=smp)
    x = amounts(res, ids)
    sector = np.array([SECTORS.index(s) for s in build_problem(scn).group("Sector")])
    cx = smp.cov @ x
    shares = np.bincount(sector, weights=x * cx, minlength=3) / (x @ cx)
    np.testing.assert_allclose(shares, 1 / 3, atol=1e-4)
    assert res.status == "optimal"
    assert any("Exact risk parity" in n for n in res.notes)
