"""Assemble HiGHS models from the problem: the shared part (shares ``w = x / S`` of each
included project, the limit rows, the minimum-ticket binaries) plus what each method adds.

Column layout: ``[w (n) | z (one binary per project with a ticket) | method's columns]``.
Row layout: ``[row limits | ticket rows (2 per binary) | method's rows]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from workbench.allocation.problem import Problem
from workbench.allocation.solver import Model

#: A bound or cost for a run of columns or rows: one number for all, or one per column or row.
Bound: TypeAlias = float | npt.NDArray[np.float64]


@dataclass
class Builder:
    """Columns and row blocks added in order; ``model()`` pads the blocks to full width."""

    col_lo: list[float] = field(default_factory=list)
    col_hi: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    blocks: list[tuple[sp.csr_matrix, npt.NDArray[np.float64], npt.NDArray[np.float64]]] = field(
        default_factory=list)   # (sparse block, lo, hi)

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def num_row(self) -> int:
        return sum(b[0].shape[0] for b in self.blocks)

    def add_cols(self, k: int, lo: Bound, hi: Bound, cost: Bound = 0.0, integer: bool = False) -> slice:
        start = self.num_col
        self.col_lo.extend(np.broadcast_to(np.asarray(lo, float), (k,)).tolist())
        self.col_hi.extend(np.broadcast_to(np.asarray(hi, float), (k,)).tolist())
        self.cost.extend(np.broadcast_to(np.asarray(cost, float), (k,)).tolist())
        self.integer.extend([integer] * k)
        return slice(start, start + k)

    def add_rows(self, block: sp.spmatrix | npt.ArrayLike, lo: Bound, hi: Bound) -> slice:
        block = sp.csr_matrix(block)
        start = self.num_row
        k = block.shape[0]
        self.blocks.append((block, np.broadcast_to(np.asarray(lo, float), (k,)).copy(),
                            np.broadcast_to(np.asarray(hi, float), (k,)).copy()))
        return slice(start, start + k)

    def matrix(self) -> sp.csc_matrix:
        nc = self.num_col
        if not self.blocks:
            return sp.csc_matrix((0, nc))
        padded = []
        for b, _, _ in self.blocks:
            if b.shape[1] < nc:
                b = sp.hstack([b, sp.csr_matrix((b.shape[0], nc - b.shape[1]))], format="csr")
            padded.append(b)
        return sp.vstack(padded, format="csc")

    def model(self, Q: npt.NDArray[np.float64] | sp.spmatrix | None = None) -> Model:
        lo = np.concatenate([b[1] for b in self.blocks]) if self.blocks else np.zeros(0)
        hi = np.concatenate([b[2] for b in self.blocks]) if self.blocks else np.zeros(0)
        integer = np.array(self.integer, dtype=bool)
        return Model(np.array(self.cost), np.array(self.col_lo), np.array(self.col_hi), self.matrix(), lo, hi,
                     integer if integer.any() else None, Q)


@dataclass
class Base:
    """The shared part of every model, and where its pieces sit."""

    builder: Builder
    w: slice
    z: slice
    ticketed: npt.NDArray[np.intp]       # project index of each binary
    limit_rows: slice
    ticket_rows: slice
    fixed_z: npt.NDArray[np.float64] | None = None   # when the funded set is fixed: 0/1 per ticketed project


def base(prob: Problem, cost_w: Bound = 0.0, *, tickets: bool = True,
         fix_z: npt.NDArray[np.float64] | None = None) -> Base:
    """Shares with request bounds, every row limit, and (when ``tickets``) the ticket binaries.

    ``fix_z`` (0/1 per ticketed project) fixes the funded set, which turns a mixed-integer
    model into the linear or quadratic model used for duals and for polishing: funded projects
    get the bounds ``[ticket, request]``, unfunded ones ``[0, 0]``, as plain column bounds (no
    binaries, no ticket rows: HiGHS's QP solver stalled on the equivalent fixed-binary form).
    """
    S, n = prob.S, prob.n
    b = Builder()
    ticketed = np.flatnonzero(prob.ticket > 0) if tickets else np.zeros(0, dtype=int)
    k = len(ticketed)
    if fix_z is not None:   # 1 funded, 0 not, NaN free (the ticket relaxed: a branch-and-bound node)
        fz = np.asarray(fix_z, float)
        lo_w, hi_w = np.zeros(n), prob.request / S
        lo_w[ticketed[fz > 0.5]] = prob.ticket[ticketed[fz > 0.5]] / S
        hi_w[ticketed[fz < 0.5]] = 0.0
        w = b.add_cols(n, lo_w, hi_w, cost_w)
        z = slice(b.num_col, b.num_col)
        lo, hi = prob.bounds()
        limit_rows = b.add_rows(prob.matrix(), lo / S, hi / S)
        return Base(b, w, z, ticketed, limit_rows, slice(b.num_row, b.num_row), fz)
    w = b.add_cols(n, 0.0, prob.request / S, cost_w)
    z = b.add_cols(k, 0.0, 1.0, 0.0, integer=True)
    lo, hi = prob.bounds()
    limit_rows = b.add_rows(prob.matrix(), lo / S, hi / S)
    if k:
        rows = np.arange(k)
        eye = sp.csr_matrix((np.ones(k), (rows, ticketed)), shape=(k, n))
        t_blk = sp.hstack([eye, sp.csr_matrix((-prob.ticket[ticketed] / S, (rows, rows)), shape=(k, k))])
        u_blk = sp.hstack([eye, sp.csr_matrix((-prob.request[ticketed] / S, (rows, rows)), shape=(k, k))])
        ticket_rows = b.add_rows(sp.vstack([t_blk, u_blk]), np.r_[np.zeros(k), np.full(k, -np.inf)],
                                 np.r_[np.full(k, np.inf), np.zeros(k)])
    else:
        ticket_rows = slice(b.num_row, b.num_row)
    return Base(b, w, z, ticketed, limit_rows, ticket_rows)


def clean(prob: Problem, base_: Base, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Shares -> USD m, clipped to the bounds, unfunded ticketed projects set exactly to 0."""
    w = np.clip(x[base_.w], 0.0, prob.request / prob.S)
    if len(base_.ticketed):
        zval = base_.fixed_z if base_.fixed_z is not None else x[base_.z]
        off = base_.ticketed[zval < 0.5]
        w[off] = 0.0
    return w * prob.S


def binaries(base_: Base, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return (x[base_.z] > 0.5).astype(float)
