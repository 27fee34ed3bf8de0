"""The risk model's fitting sample, lined up with the included projects.

``sample`` is the risk engine's ``UnitSample`` (``workbench.risk.engine.fit_sample``):
``ids`` the included project IDs and ``pnl`` (trials x projects) each project's P&L in
USD m per USD m allocated, so a portfolio's P&L is ``pnl @ x``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt

from workbench.allocation.problem import Problem


class FittingSample(Protocol):
    """What the methods read from the risk engine's fitting sample (``ids`` and ``pnl``; a ``mean``
    and ``cov`` of the same columns are used when the sample has them)."""

    @property
    def ids(self) -> tuple[str, ...]: ...

    @property
    def pnl(self) -> npt.NDArray[np.float64]: ...


@dataclass(frozen=True)
class Inputs:
    mu: npt.NDArray[np.float64]        # expected P&L per USD m, by project
    pnl: npt.NDArray[np.float64]       # (trials, projects)
    source: FittingSample | None = None  # the sample when its columns are already in the problem's order

    @property
    def trials(self) -> int:
        return int(self.pnl.shape[0])

    @cached_property
    def cov(self) -> npt.NDArray[np.float64]:
        """Covariance of P&L per USD m (the sample's own when it has one), computed when first
        asked for: the linear methods never need it (50,000 trials x 500 projects: about 1 s)."""
        n = self.pnl.shape[1]
        cov = getattr(self.source, "cov", None) if self.source is not None else None
        if cov is None:
            cov = np.cov(self.pnl, rowvar=False) if n else np.zeros((0, 0))
        square: npt.NDArray[np.float64] = np.atleast_2d(np.asarray(cov, float)).reshape(n, n)
        return 0.5 * (square + square.T)


def line_up(prob: Problem, sample: FittingSample) -> Inputs:
    """The sample's columns in the problem's project order; a clear error if projects are missing."""
    ids = tuple(str(i) for i in sample.ids)
    pnl: npt.NDArray[np.float64] = np.asarray(sample.pnl, dtype=float)
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
    given = getattr(sample, "mean", None) if same else None
    mu: npt.NDArray[np.float64] = np.asarray(given, float) if given is not None else pnl.mean(axis=0)
    return Inputs(mu=mu, pnl=pnl, source=sample if same else None)
