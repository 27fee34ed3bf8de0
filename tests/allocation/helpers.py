"""Small scenarios and fitting samples with known moments, built in the tests."""

from __future__ import annotations

import numpy as np

from workbench.risk.engine import UnitSample
from workbench.scenario import Scenario, make_table

SECTORS = ("Alpha", "Beta", "Gamma")


def scenario(projects: list[dict], constraints: list[dict] = (), financing: list[dict] = (), *,
             size_bn: float = 0.1, **fields) -> Scenario:
    """A scenario over the three sectors above; project rows need ID, Sector, Requested (USD m)."""
    sectors = make_table("Sectors", [{"Sector": s, "Expected return": 0.05, "Volatility": 0.2} for s in SECTORS])
    rows = []
    for p in projects:
        row = {"Include": True, **p}
        rows.append(row)
    return Scenario(
        fields={"Name": "test", "Programme size (USD bn)": size_bn, **fields},
        sectors=sectors,
        projects=make_table("Projects", rows),
        financing=make_table("Financing", list(financing)),
        constraints=make_table("Constraints", list(constraints)),
        risk_events=make_table("Risk events", []),
        correlations=None,
    )


def exact_sample(ids, mu, cov, trials: int = 400, seed: int = 7) -> UnitSample:
    """A sample whose mean and covariance (ddof 1) are exactly ``mu`` and ``cov``."""
    mu = np.asarray(mu, float)
    cov = np.asarray(cov, float)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    y = rng.standard_normal((trials, len(mu)))
    y -= y.mean(axis=0)
    white = np.linalg.cholesky(np.atleast_2d(np.cov(y, rowvar=False)))
    y = np.linalg.solve(white, y.T).T       # sample covariance exactly I
    chol = np.linalg.cholesky(cov)
    return UnitSample(ids=tuple(ids), pnl=mu + y @ chol.T)


def sample(ids, pnl) -> UnitSample:
    return UnitSample(ids=tuple(ids), pnl=np.asarray(pnl, float))


def amounts(result, ids) -> np.ndarray:
    return np.array([result.amounts[i] for i in ids])
