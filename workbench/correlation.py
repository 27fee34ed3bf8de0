"""Correlation matrices: the nearest valid (positive semi-definite) correlation matrix."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def nearest_correlation(a: np.ndarray, *, tol: float = 1e-10, max_iter: int = 200) -> np.ndarray:
    """Higham's (2002) alternating projections: the nearest correlation matrix to ``a``.

    The result is symmetric, has a unit diagonal and no negative eigenvalue (beyond
    rounding). A matrix that is already valid comes back unchanged.
    """
    a = np.asarray(a, dtype=float)
    a = (a + a.T) / 2
    if np.linalg.eigvalsh(a).min() >= -tol:
        return a
    y = a.copy()
    ds = np.zeros_like(a)
    for _ in range(max_iter):
        r = y - ds
        w, v = np.linalg.eigh(r)
        x = (v * np.maximum(w, 0)) @ v.T
        ds = x - r
        y_new = x.copy()
        np.fill_diagonal(y_new, 1.0)
        if np.linalg.norm(y_new - y, "fro") <= tol * max(1.0, float(np.linalg.norm(y, "fro"))):
            y = y_new
            break
        y = y_new
    # Nudge away from tiny negative eigenvalues left by rounding, keeping the unit diagonal.
    w, v = np.linalg.eigh(y)
    if w.min() < 0:
        y = (v * np.maximum(w, 1e-12)) @ v.T
        d = np.sqrt(np.diag(y))
        y = y / np.outer(d, d)
    out: npt.NDArray[np.float64] = (y + y.T) / 2
    return out
