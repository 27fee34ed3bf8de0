"""The risk model's fitting sample, lined up with the included projects.

``sample`` is the risk engine's ``UnitSample`` (``workbench.risk.engine.fit_sample``):
``ids`` the included project IDs and ``pnl`` (trials x projects) each project's P&L in
USD m per USD m allocated, so a portfolio's P&L is ``pnl @ x``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.allocation.problem import Problem


@dataclass(frozen=True)
class Inputs:
    mu: np.ndarray    # expected P&L per USD m, by project
    cov: np.ndarray   # covariance of P&L per USD m
    pnl: np.ndarray   # (trials, projects)

    @property
    def trials(self) -> int:
        return self.pnl.shape[0]


def line_up(prob: Problem, sample) -> Inputs:
    """The sample's columns in the problem's project order; a clear error if projects are missing."""
    ids = tuple(str(i) for i in sample.ids)
    pnl = np.asarray(sample.pnl, dtype=float)
    if pnl.ndim != 2 or pnl.shape[1] != len(ids):
        raise ValueError(f"The fitting sample has {pnl.shape} P&L values for {len(ids)} projects.")
    same = ids == prob.ids
    if not same:
        pos = {pid: k for k, pid in enumerate(ids)}
        missing = [pid for pid in prob.ids if pid not in pos]
        if missing:
            raise ValueError("The fitting sample has no P&L for project(s) " + ", ".join(missing[:5])
                             + "; re-run the risk model on this scenario.")
        order = np.array([pos[pid] for pid in prob.ids], dtype=int)
        pnl = pnl[:, order]
    mu = getattr(sample, "mean", None) if same else None
    cov = getattr(sample, "cov", None) if same else None
    mu = np.asarray(mu, float) if mu is not None else pnl.mean(axis=0)
    if cov is None:
        cov = np.cov(pnl, rowvar=False) if pnl.shape[1] else np.zeros((0, 0))
    cov = np.atleast_2d(np.asarray(cov, float)).reshape(len(prob.ids), len(prob.ids))
    return Inputs(mu=mu, cov=0.5 * (cov + cov.T), pnl=pnl)
