"""A thin layer over HiGHS (highspy): one linear, mixed-integer or quadratic model in, a
:class:`Solution` out. Everything here minimises; callers negate to maximise.

We use the low-level ``highspy._core._Highs`` class: it prints nothing (the wrapper class
prints a banner on stdout, which would spoil ``workbench run --json``) and takes numpy
arrays directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from highspy import _core

from workbench.allocation.outcome import SolverFailed

INF = float(_core.kHighsInf)

_STATUS = {
    _core.HighsModelStatus.kOptimal: "optimal",
    _core.HighsModelStatus.kInfeasible: "infeasible",
    _core.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
    _core.HighsModelStatus.kUnbounded: "unbounded",
    _core.HighsModelStatus.kTimeLimit: "time limit",
    _core.HighsModelStatus.kIterationLimit: "iteration limit",
    _core.HighsModelStatus.kInterrupt: "interrupted",
}


@dataclass
class Model:
    """``minimise c.x + 1/2 x'Qx`` subject to ``row_lo <= A x <= row_hi`` and column bounds."""

    c: npt.NDArray[np.float64]
    col_lo: npt.NDArray[np.float64]
    col_hi: npt.NDArray[np.float64]
    A: sp.csc_matrix
    row_lo: npt.NDArray[np.float64]
    row_hi: npt.NDArray[np.float64]
    integer: npt.NDArray[np.bool_] | None = None   # bool per column
    Q: npt.NDArray[np.float64] | sp.spmatrix | None = None  # symmetric, columns x columns (or the leading block)
    offset: float = 0.0

    @property
    def num_col(self) -> int:
        return len(self.c)

    def is_mip(self) -> bool:
        return self.integer is not None and bool(np.any(self.integer))


@dataclass
class Solution:
    status: str                 # "optimal", "infeasible", "time limit", ...
    x: npt.NDArray[np.float64] | None
    objective: float
    row_dual: npt.NDArray[np.float64] | None = None
    col_dual: npt.NDArray[np.float64] | None = None
    gap: float = 0.0
    bound: float = float("nan")
    seconds: float = 0.0

    @property
    def has_solution(self) -> bool:
        return self.x is not None

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """``x``, for callers that read it only after the solver reported a solution."""
        if self.x is None:
            raise SolverFailed(f"The solver stopped without a solution ({self.status}).")
        return self.x


def new_highs(time_limit: float | None = None, mip_rel_gap: float | None = None) -> _core._Highs:
    h = _core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_feasibility_tolerance", 1e-9)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if mip_rel_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    return h


def to_lp(model: Model) -> _core.HighsLp:
    A = sp.csc_matrix(model.A)
    A.sort_indices()
    lp = _core.HighsLp()
    lp.num_col_ = model.num_col
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.asarray(model.c, dtype=float)
    lp.col_lower_ = np.asarray(model.col_lo, dtype=float)
    lp.col_upper_ = np.asarray(model.col_hi, dtype=float)
    lp.row_lower_ = np.asarray(model.row_lo, dtype=float)
    lp.row_upper_ = np.asarray(model.row_hi, dtype=float)
    lp.offset_ = float(model.offset)
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = model.num_col
    lp.a_matrix_.num_row_ = A.shape[0]
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if model.integer is not None and model.is_mip():
        lp.integrality_ = [_core.HighsVarType.kInteger if b else _core.HighsVarType.kContinuous
                           for b in model.integer]
    return lp


def _hessian(Q: npt.NDArray[np.float64] | sp.spmatrix, num_col: int) -> _core.HighsHessian:
    """HiGHS takes the lower triangle, column-wise."""
    if not sp.issparse(Q):
        Q = np.asarray(Q, float)
        k = Q.shape[0]
        col, row = np.triu_indices(k)              # column-major order of the lower triangle
        h = _core.HighsHessian()
        h.dim_ = num_col
        h.format_ = _core.HessianFormat.kTriangular
        h.start_ = np.r_[0, np.cumsum(np.arange(k, 0, -1)), np.full(num_col - k, k * (k + 1) // 2)].astype(np.int32)
        h.index_ = row.astype(np.int32)
        h.value_ = Q[row, col]
        return h
    Q = sp.tril(sp.csc_matrix(Q), format="csc")
    k = Q.shape[0]
    if k < num_col:
        indptr = np.concatenate([Q.indptr, np.full(num_col - k, Q.indptr[-1])])
    else:
        indptr = Q.indptr
    h = _core.HighsHessian()
    h.dim_ = num_col
    h.format_ = _core.HessianFormat.kTriangular
    h.start_ = indptr.astype(np.int32)
    h.index_ = Q.indices.astype(np.int32)
    h.value_ = Q.data.astype(float)
    return h


def load(h: _core._Highs, model: Model) -> None:
    lp = to_lp(model)
    if model.Q is not None:
        m = _core.HighsModel()
        m.lp_ = lp
        m.hessian_ = _hessian(model.Q, model.num_col)
        h.passModel(m)
    else:
        h.passModel(lp)


def run(h: _core._Highs, *, mip: bool) -> Solution:
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = _STATUS.get(h.getModelStatus(), h.modelStatusToString(h.getModelStatus()).lower())
    info = h.getInfo()
    sol = h.getSolution()
    has = bool(sol.value_valid) and status not in ("infeasible", "unbounded")
    x = np.array(sol.col_value) if has else None
    duals = bool(sol.dual_valid) and not mip
    out = Solution(
        status=status if (has or status != "time limit") else "no solution in time",
        x=x,
        objective=float(info.objective_function_value) if has else float("nan"),
        row_dual=np.array(sol.row_dual) if duals else None,
        col_dual=np.array(sol.col_dual) if duals else None,
        seconds=seconds,
    )
    if mip and has:
        gap = float(info.mip_gap)
        out.gap = gap if np.isfinite(gap) else 0.0
        out.bound = float(info.mip_dual_bound)
    return out


def solve(model: Model, *, time_limit: float | None = None, mip_rel_gap: float | None = None) -> Solution:
    """Solve ``model`` once with HiGHS.

    Quadratic models: HiGHS's active-set QP solver occasionally cycles (measured: 1.4 million
    iterations to a 30 s time limit on a fixed-funded-set minimum-variance problem that it
    solves in a millisecond once the objective is multiplied by 10). So a QP gets an iteration
    limit, and on failure is retried with the objective scaled; the answer is unscaled.
    """
    if model.Q is None:
        h = new_highs(time_limit, mip_rel_gap)
        load(h, model)
        return run(h, mip=model.is_mip())
    t0 = time.perf_counter()
    for scale in (1.0, 10.0, 0.1, 100.0, 1000.0):
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.01)
        scaled = Model(model.c * scale, model.col_lo, model.col_hi, model.A, model.row_lo, model.row_hi,
                       model.integer, model.Q * scale, model.offset * scale)
        h = new_highs(left, mip_rel_gap)
        h.setOptionValue("qp_iteration_limit", int(5_000 + 5 * model.num_col))  # typical: < 2 n
        load(h, scaled)
        sol = run(h, mip=False)
        sol.objective /= scale
        if sol.row_dual is not None and sol.col_dual is not None:   # both or neither
            sol.row_dual = sol.row_dual / scale
            sol.col_dual = sol.col_dual / scale
        if sol.status in ("optimal", "infeasible", "unbounded") or (
                time_limit is not None and time.perf_counter() - t0 >= time_limit):
            break
    return sol


class Resolver:
    """Re-solves ``model`` (solved once here, then warm-started) with one bound moved, for one-sided
    shadow prices. ``move(kind, index, delta)``: ``kind`` ``row_lo``/``row_hi``/``col_lo``/``col_hi``,
    ``delta`` in model units; returns the optimal objective, or ``inf`` when the move makes the model
    infeasible, or ``None`` when the solver could not settle it. The bound is restored afterwards."""

    def __init__(self, model: Model, time_limit: float = 5.0):
        self.model = model
        self.h = new_highs(time_limit)
        if model.Q is not None:
            self.h.setOptionValue("qp_iteration_limit", int(5_000 + 5 * model.num_col))
        load(self.h, model)
        self.h.run()
        ok = self.h.getModelStatus() == _core.HighsModelStatus.kOptimal
        self.objective = float(self.h.getInfo().objective_function_value) if ok else float("nan")

    def move(self, kind: str, index: int, delta: float) -> float | None:
        m = self.model
        change: Callable[[int, float, float], object]
        if kind.startswith("row"):
            lo, hi = float(m.row_lo[index]), float(m.row_hi[index])
            change = self.h.changeRowBounds
        else:
            lo, hi = float(m.col_lo[index]), float(m.col_hi[index])
            change = self.h.changeColBounds
        nlo, nhi = (lo + delta, hi) if kind.endswith("lo") else (lo, hi + delta)
        if nlo > nhi + 1e-12:
            return float("inf")
        change(index, nlo, nhi)
        try:
            self.h.run()
            st = self.h.getModelStatus()
            if st == _core.HighsModelStatus.kOptimal:
                return float(self.h.getInfo().objective_function_value)
            if st in (_core.HighsModelStatus.kInfeasible, _core.HighsModelStatus.kUnboundedOrInfeasible):
                return float("inf")
            return None
        finally:
            change(index, lo, hi)
