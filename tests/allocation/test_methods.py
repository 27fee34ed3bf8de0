"""Each method on small problems whose optimum is known by hand (S = USD 100 m here)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.allocation.helpers import amounts, exact_sample, sample, scenario
from workbench.allocation import Allocator, allocate
from workbench.allocation.cvar import cvar_of
from workbench.allocation.parity import erc_budgets

TOL = 1e-6 * 100  # the contract's tolerance, 1e-6 * S


def three(mu=(0.1, 0.2, 0.3), req=(60, 60, 60), **extra):
    ids = ("A", "B", "C")
    projects = [{"ID": i, "Sector": s, "Requested (USD m)": r, "Strategic score": sc}
                for i, s, r, sc in zip(ids, ("Alpha", "Beta", "Gamma"), req, (9, 5, 1), strict=True)]
    return ids, projects, exact_sample(ids, mu, np.diag([0.01, 0.02, 0.03]))


def test_max_return_fills_best_projects_first():
    ids, projects, smp = three()
    scn = scenario(projects, [{"Group": "Total", "Value": "*", "Max share": 1.0}])
    res = allocate(scn, method="max-return", sample=smp)
    np.testing.assert_allclose(amounts(res, ids), [0, 40, 60], atol=TOL)
    assert res.objective == pytest.approx(0.2 * 40 + 0.3 * 60, rel=1e-9)
    assert res.status == "optimal" and res.gap == 0


def test_max_strategic_follows_scores():
    ids, projects, smp = three()
    scn = scenario(projects, [{"Group": "Total", "Value": "*", "Max share": 1.0}])
    res = allocate(scn, method="max-strategic", sample=smp)
    np.testing.assert_allclose(amounts(res, ids), [60, 40, 0], atol=TOL)
    assert res.objective == pytest.approx(9 * 60 + 5 * 40)


def test_proportional_same_fraction_and_max_min_when_capped():
    ids, projects, smp = three(req=(100, 50, 50))
    scn = scenario(projects)
    res = allocate(scn, method="proportional", sample=smp)   # the programme (100) caps the total: t = 100/200
    np.testing.assert_allclose(amounts(res, ids), [50, 25, 25], atol=TOL)
    assert res.objective == pytest.approx(0.5)
    # B may take at most 10: the largest common fraction is 10/50 = 0.2; then as little above 0.2 as possible
    capped = scenario(projects, [{"Group": "Project", "Value": "B", "Max (USD m)": 10},
                                 {"Group": "Total", "Value": "*", "Min share": 0.6}])
    res = allocate(capped, method="proportional", sample=smp)
    x = amounts(res, ids)
    assert res.objective == pytest.approx(0.2, abs=1e-9)
    assert x[1] == pytest.approx(10, abs=TOL)
    assert x.sum() == pytest.approx(60, abs=TOL)
    assert np.all(x >= 0.2 * np.array([100, 50, 50]) - TOL)


def test_minimum_ticket_changes_the_answer():
    # Without the ticket: A 65 (capped) + B 35 = 29.3. With A's ticket 70 > its cap 65, A cannot be funded:
    # B 50 + C 50 = 19.
    ids = ("A", "B", "C")
    mu = (0.3, 0.28, 0.1)
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 100},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 50},
                {"ID": "C", "Sector": "Gamma", "Requested (USD m)": 50}]
    cons = [{"Group": "Project", "Value": "A", "Max (USD m)": 65}, {"Group": "Total", "Value": "*", "Min share": 1.0}]
    smp = exact_sample(ids, mu, np.diag([0.01, 0.01, 0.01]))
    free = allocate(scenario(projects, cons), method="max-return", sample=smp)
    np.testing.assert_allclose(amounts(free, ids), [65, 35, 0], atol=TOL)
    projects[0]["Minimum ticket (USD m)"] = 70
    res = allocate(scenario(projects, cons), method="max-return", sample=smp)
    np.testing.assert_allclose(amounts(res, ids), [0, 50, 50], atol=TOL)
    assert res.objective == pytest.approx(19.0)
    assert res.gap <= 1e-4


def test_mean_variance_matches_closed_form():
    # Budget constraint only (all of S deployed, bounds slack): w_i = (mu_i - g) / (lam s_i^2), sum w = 1.
    ids = ("A", "B", "C")
    mu = np.array([0.10, 0.12, 0.15])
    var = np.array([0.04, 0.05, 0.08])
    lam = 3.0
    smp = exact_sample(ids, mu, np.diag(var))
    projects = [{"ID": i, "Sector": s, "Requested (USD m)": 100} for i, s in zip(ids, ("Alpha", "Beta", "Gamma"),
                                                                                    strict=True)]
    scn = scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 1.0, "Max share": 1.0}],
                   **{"Risk aversion": lam})
    g = (np.sum(mu / (lam * var)) - 1) / np.sum(1 / (lam * var))
    w = (mu - g) / (lam * var)
    assert np.all(w > 0)
    res = allocate(scn, method="mean-variance", sample=smp)
    np.testing.assert_allclose(amounts(res, ids), 100 * w, atol=1e-5)
    assert res.objective == pytest.approx(100 * (mu @ w - lam / 2 * np.sum(var * w * w)), rel=1e-8)


def test_mean_variance_with_tickets_equals_best_of_enumerated_funded_sets():
    from itertools import product

    from workbench.allocation.binding import Objective
    from workbench.allocation.linear import NoAllocation
    from workbench.allocation.problem import build_problem
    from workbench.allocation.quadratic import minimize_quadratic
    ids = ("A", "B", "C", "D")
    rng = np.random.default_rng(3)
    m = rng.normal(size=(4, 4))
    cov = m @ m.T * 0.01 + np.eye(4) * 0.01
    mu = np.array([0.12, 0.10, 0.14, 0.08])
    smp = exact_sample(ids, mu, cov)
    projects = [{"ID": i, "Sector": s, "Requested (USD m)": 60, "Minimum ticket (USD m)": 30}
                for i, s in zip(ids, ("Alpha", "Beta", "Gamma", "Alpha"), strict=True)]
    cons = [{"Group": "Total", "Value": "*", "Min share": 1.0}]
    scn = scenario(projects, cons, **{"Risk aversion": 20.0})
    res = allocate(scn, method="mean-variance", sample=smp, mip_rel_gap=1e-7)
    # Independent check: every funded set, each solved as a continuous QP with the set fixed.
    prob = build_problem(scn)
    best = -np.inf
    for z in product([0.0, 1.0], repeat=4):
        try:
            out, _ = minimize_quadratic(_fixed(prob, np.array(z)), -mu, 20.0 * cov,
                                        Objective("u", "USD m", -100.0), time_limit=10, mip_rel_gap=1e-9)
        except NoAllocation:  # that funded set cannot meet the limits
            continue
        best = max(best, out.objective)
    assert res.objective == pytest.approx(best, rel=1e-6)
    x = amounts(res, ids)
    assert np.all((x <= TOL) | (x >= 30 - TOL))
    assert any("branch and bound" in note for note in res.notes)   # the relaxation broke a ticket
    # The fallback for large trees, outer approximation, reaches the same optimum.
    oa, _ = minimize_quadratic(prob, -mu, 20.0 * cov, Objective("u", "USD m", -100.0), time_limit=20,
                               mip_rel_gap=1e-7, max_nodes=0)
    assert any("outer approximation" in note for note in oa.notes)
    assert oa.objective == pytest.approx(best, rel=1e-6)


def _fixed(prob, z):
    """The problem with the funded set fixed: unfunded request 0 (tiny), funded at least the ticket."""
    from dataclasses import replace

    from workbench.allocation.problem import Limit
    limits = [lim for lim in prob.limits if lim.kind != "ticket"]
    req = prob.request.copy()
    for i in range(prob.n):
        if z[i] == 0:
            req[i] = 1e-12
        else:
            limits.append(Limit(f"t{i}", "constraint", "min", prob.ticket[i], (i,)))
    return replace(prob, limits=tuple(limits), request=req, ticket=np.zeros(prob.n))


def test_min_cvar_hand_case():
    # Four trials, confidence 0.75: k = 1, CVaR is the worst loss. Hedging A and B equally is best:
    # worst P&L per USD = 0.5 * 0.1 - 0.5 * 0.5 = -0.2, so CVaR = 0.2 * 100 = 20.
    ids = ("A", "B")
    pnl = np.array([[0.1, 0.1], [0.1, 0.1], [0.1, -0.5], [-0.5, 0.1]])
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 100},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 100}]
    scn = scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 1.0}], **{"Confidence level": 0.75})
    res = allocate(scn, method="min-cvar", sample=sample(ids, pnl))
    np.testing.assert_allclose(amounts(res, ids), [50, 50], atol=TOL)
    assert res.objective == pytest.approx(20.0, abs=1e-6)


def test_min_cvar_generation_equals_full_linear_programme():
    """Constraint generation solves the very same programme as the full Rockafellar-Uryasev LP."""
    from scipy.optimize import linprog
    rng = np.random.default_rng(11)
    n, T, c = 8, 3000, 0.9
    ids = tuple(f"P{i}" for i in range(n))
    f = rng.standard_normal((T, 2))
    pnl = 0.05 + f @ rng.normal(0, 0.2, (2, n)) + rng.normal(0, 0.15, (T, n))
    projects = [{"ID": i, "Sector": ("Alpha", "Beta", "Gamma")[j % 3], "Requested (USD m)": 40}
                for j, i in enumerate(ids)]
    top = np.sort(pnl.mean(0))[::-1]
    target = 0.5 * (100 * pnl.mean() + 40 * top[0] + 40 * top[1] + 20 * top[2])  # between mean and best
    scn = scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 1.0}],
                   **{"Confidence level": c, "Target expected P&L (USD m)": target})
    res = allocate(scn, method="min-cvar", sample=sample(ids, pnl))
    k = int(np.ceil(T * (1 - c) - 1e-9))
    # Full LP in x (USD m): min a + 1/k sum u, u_t >= -pnl_t x - a, sum x = 100, mu x >= target, 0 <= x <= 40
    cost = np.r_[np.zeros(n), 1.0, np.full(T, 1.0 / k)]
    a_ub = np.hstack([-pnl, -np.ones((T, 1)), -np.eye(T)])
    a_ub = np.vstack([a_ub, np.r_[-pnl.mean(0), 0, np.zeros(T)]])
    b_ub = np.r_[np.zeros(T), -target]
    a_eq = np.r_[np.ones(n), 0, np.zeros(T)].reshape(1, -1)
    full = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[100.0],
                   bounds=[(0, 40)] * n + [(None, None)] + [(0, None)] * T, method="highs")
    assert res.objective == pytest.approx(full.fun, rel=1e-7)
    assert res.objective == pytest.approx(cvar_of(pnl @ amounts(res, ids), c)[0], rel=1e-9)
    assert float(pnl.mean(0) @ amounts(res, ids)) >= target - TOL
    # the note names the measure with the scenario's discount rate, as the key figures do
    assert any(n.startswith("Expected NPV at 5 % ") and "against the target" in n for n in res.notes), res.notes


def test_risk_parity_two_uncorrelated_sectors():
    # One project per sector, uncorrelated: equal risk contributions mean w_i proportional to 1 / sigma_i.
    ids = ("A", "B")
    sd = np.array([0.1, 0.3])
    smp = exact_sample(ids, [0.05, 0.05], np.diag(sd**2))
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 100},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 100}]
    res = allocate(scenario(projects), method="risk-parity", sample=smp)
    w = (1 / sd) / np.sum(1 / sd)
    x = amounts(res, ids)
    np.testing.assert_allclose(x, 100 * w, atol=1e-6)
    # The objective: P&L standard deviation per USD of the geometric mean of the sector amounts.
    assert res.objective == pytest.approx(np.sqrt(np.sum((x * sd) ** 2)) / np.sqrt(x[0] * x[1]), rel=1e-8)
    assert res.status == "optimal" and res.gap <= 1e-4
    assert any("Exact risk parity" in n and "share of the variance of NPV at 5 %" in n for n in res.notes)
    assert any(n.startswith("Sector shares of the variance of NPV at 5 %: ") for n in res.notes)


def test_risk_parity_within_sector_split_has_the_least_variance():
    ids = ("A1", "A2", "B")
    cov = np.diag([0.04, 0.04, 0.09])
    smp = exact_sample(ids, [0.05] * 3, cov)
    projects = [{"ID": "A1", "Sector": "Alpha", "Requested (USD m)": 60},
                {"ID": "A2", "Sector": "Alpha", "Requested (USD m)": 90},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 100}]
    res = allocate(scenario(projects), method="risk-parity", sample=smp)
    x = amounts(res, ids)
    assert x[1] == pytest.approx(x[0], rel=1e-6)   # equal variances, uncorrelated: an even split
    # 0.02 y_A^2 = 0.09 y_B^2 with y_A + y_B = 100
    assert x[2] == pytest.approx(100 / (1 + np.sqrt(4.5)), rel=1e-6)
    assert x.sum() == pytest.approx(100, abs=TOL)
    shares = np.array([x[0] * cov[0, 0] * x[0] + x[1] * cov[1, 1] * x[1], x[2] ** 2 * cov[2, 2]])
    assert shares[0] == pytest.approx(shares[1], rel=1e-6)


def test_erc_budgets_equalise_contributions():
    rng = np.random.default_rng(5)
    m = rng.normal(size=(5, 5))
    cov = m @ m.T + np.eye(5)
    b = erc_budgets(cov)
    rc = b * (cov @ b)
    np.testing.assert_allclose(rc, rc.mean(), rtol=1e-8)


def test_fixed_evaluates_user_amounts_and_names_broken_limits():
    ids = ("A", "B", "C")
    projects = [{"ID": "A", "Sector": "Alpha", "Requested (USD m)": 60, "Allocated (USD m)": 50},
                {"ID": "B", "Sector": "Beta", "Requested (USD m)": 60, "Allocated (USD m)": 40},
                {"ID": "C", "Sector": "Gamma", "Requested (USD m)": 60}]
    cons = [{"Group": "Sector", "Value": "Alpha", "Max share": 0.4}]
    res = Allocator(method="fixed").fit(scenario(projects, cons), exact_sample(ids, [0.1] * 3, np.eye(3) * 0.01))
    np.testing.assert_allclose(amounts(res, ids), [50, 40, 0])
    assert res.status == "violates constraints"
    assert any("Constraints row 1: Sector Alpha max share 0.40" in n and "10.0" in n for n in res.notes)


def test_shadow_price_matches_a_resolve():
    """Raising a binding cap by a little changes expected P&L by the shadow price times the change."""
    _, projects, smp = three()
    cons = [{"Group": "Total", "Value": "*", "Max share": 1.0}, {"Group": "Sector", "Value": "Gamma",
                                                                   "Max (USD m)": 30}]
    res = allocate(scenario(projects, cons), method="max-return", sample=smp)
    b = next(b for b in res.binding if b.source.startswith("Constraints row 2"))
    cons[1]["Max (USD m)"] = 31
    bumped = allocate(scenario(projects, cons), method="max-return", sample=smp)
    assert b.shadow_price == pytest.approx(bumped.objective - res.objective, rel=1e-9)
    assert b.shadow_price == pytest.approx(0.2)   # B is full: 1 USD m moves from A (0.1) to C (0.3)
    assert "adds USD 200 m of expected NPV at 5 %" in b.text


def test_result_aggregates_and_excluded_projects():
    _, projects, smp = three()
    projects.append({"ID": "X", "Sector": "Alpha", "Requested (USD m)": 60, "Include": False})
    res = allocate(scenario(projects), method="max-return", sample=smp)
    assert res.amounts["X"] == 0.0
    assert set(res.amounts) == {"A", "B", "C", "X"}
    for agg in (res.by_sector, res.by_instrument, res.by_financier, res.by_state):
        assert sum(agg.values()) == pytest.approx(res.total)
    assert res.total <= 100 + TOL


def test_states_by_code_or_name():
    ids = ("A", "B")
    projects = [{"ID": "A", "Sector": "Alpha", "State": "Texas", "Requested (USD m)": 100},
                {"ID": "B", "Sector": "Beta", "State": "OH", "Requested (USD m)": 100}]
    smp = exact_sample(ids, [0.3, 0.1], np.eye(2) * 0.01)
    res = allocate(scenario(projects, [{"Group": "State", "Value": "TX", "Max share": 0.25},
                                       {"Group": "State", "Value": "Ohio", "Min (USD m)": 70}]),
                   method="max-return", sample=smp)
    np.testing.assert_allclose(amounts(res, ids), [25, 75], atol=TOL)
    assert res.by_state == pytest.approx({"TX": 25, "OH": 75})


def test_min_cvar_with_tickets_equals_best_funded_set():
    """Branch and bound over tickets against every funded set solved as a full LP (scipy's HiGHS)."""
    from itertools import product

    from scipy.optimize import linprog
    rng = np.random.default_rng(21)
    n, T, c = 5, 400, 0.9
    ids = tuple(f"P{i}" for i in range(n))
    pnl = rng.uniform(0.0, 0.1, n) + rng.standard_normal((T, 1)) * rng.uniform(0.05, 0.3, n) \
        + rng.normal(0, 0.1, (T, n))
    req, ticket = np.array([50.0, 40, 40, 30, 60]), np.array([30.0, 25, 0, 20, 45])
    projects = [{"ID": i, "Sector": ("Alpha", "Beta", "Gamma")[j % 3], "Requested (USD m)": req[j],
                 "Minimum ticket (USD m)": ticket[j]} for j, i in enumerate(ids)]
    scn = scenario(projects, [{"Group": "Total", "Value": "*", "Min share": 1.0}], **{"Confidence level": c})
    res = allocate(scn, method="min-cvar", sample=sample(ids, pnl), mip_rel_gap=1e-9)
    k = int(np.ceil(T * (1 - c) - 1e-9))
    best = np.inf
    for z in product([0, 1], repeat=n):
        z = np.array(z)
        lo = np.where(z == 1, ticket, 0.0)
        hi = np.where((z == 1) | (ticket == 0), req, 0.0)
        cost = np.r_[np.zeros(n), 1.0, np.full(T, 1.0 / k)]
        a_ub = np.hstack([-pnl, -np.ones((T, 1)), -np.eye(T)])
        out = linprog(cost, A_ub=a_ub, b_ub=np.zeros(T), A_eq=np.r_[np.ones(n), 0, np.zeros(T)].reshape(1, -1),
                      b_eq=[100.0], bounds=list(zip(lo, hi, strict=True)) + [(None, None)] + [(0, None)] * T,
                      method="highs")
        if out.status == 0:
            best = min(best, out.fun)
    assert any("branch and bound" in note for note in res.notes)   # the relaxation broke a ticket
    # The fallback for large trees (HiGHS MILP on a restricted tail, then the fixed-set LP) agrees too.
    import time

    from workbench.allocation import cvar
    from workbench.allocation.inputs import line_up
    from workbench.allocation.problem import build_problem
    prob = build_problem(scn)
    data = line_up(prob, sample(ids, pnl))
    start = np.full(n, 1.0 / n)   # any starting allocation seeds the restricted tail
    _, sol, _, _, _ = cvar._mixed_integer(prob, data, c, start, k, time_limit=30, mip_rel_gap=1e-9,
                                          should_cancel=None, t0=time.perf_counter())
    assert sol.objective * 100 == pytest.approx(best, rel=1e-7)
    assert res.objective == pytest.approx(best, rel=1e-7)
    x = amounts(res, ids)
    assert np.all((x <= TOL) | (x >= ticket - TOL))


@pytest.mark.parametrize("method", ["mean-variance", "min-cvar"])
def test_shadow_prices_of_quadratic_and_cvar_methods_match_resolves(method):
    """Duals from the QP and from the dual CVaR programme, against finite differences."""
    rng = np.random.default_rng(8)
    n = 6
    ids = tuple(f"P{i}" for i in range(n))
    pnl = rng.uniform(0.02, 0.12, n) + rng.standard_normal((3000, 1)) * rng.uniform(0.1, 0.3, n) \
        + rng.normal(0, 0.15, (3000, n))
    projects = [{"ID": i, "Sector": ("Alpha", "Beta", "Gamma")[j % 3], "Requested (USD m)": 40}
                for j, i in enumerate(ids)]

    def run(cap):
        cons = [{"Group": "Total", "Value": "*", "Min share": 1.0}, {"Group": "Sector", "Value": "Alpha",
                                                                       "Max (USD m)": cap}]
        return allocate(scenario(projects, cons, **{"Confidence level": 0.9, "Risk aversion": 3.0}),
                        method=method, sample=sample(ids, pnl))

    base_cap = 25.0
    res = run(base_cap)
    b = next((b for b in res.binding if b.source.startswith("Constraints row 2")), None)
    assert b is not None, "the sector cap binds"
    step = 0.01
    up, down = run(base_cap + step), run(base_cap - step)
    slope = (up.objective - down.objective) / (2 * step)
    assert abs(slope) > 1e-3   # a real price, not a zero that matches anything
    assert b.shadow_price == pytest.approx(slope, rel=2e-3, abs=1e-9)
