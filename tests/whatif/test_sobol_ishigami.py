"""The pick-freeze estimator against the Ishigami function's analytic Sobol indices."""

import math

import numpy as np
import pytest

from workbench.whatif.sobol import pick_freeze

A, B = 7.0, 0.1


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -math.pi + 2 * math.pi * u
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def analytic():
    v1 = 0.5 * (1 + B * math.pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    first = [v1 / var, v2 / var, 0.0]
    total = [(v1 + v13) / var, v2 / var, v13 / var]
    return first, total


@pytest.mark.parametrize("seed", [1, 2026])
def test_indices_within_002_of_analytic(seed):
    first, total = analytic()
    res = pick_freeze(ishigami, 3, 8192, seed=seed, bootstrap=100)
    for j in range(3):
        assert abs(res[j].first - first[j]) < 0.02, (j, res[j].first, first[j])
        assert abs(res[j].total - total[j]) < 0.02, (j, res[j].total, total[j])
        lo, hi = res[j].total_ci
        assert lo <= res[j].total <= hi


def test_group_index_of_x1_and_x3_is_their_closed_index():
    first, _total = analytic()
    res = pick_freeze(ishigami, 3, 8192, factors=[(0, 2), (1,)], seed=3, bootstrap=50)
    # the closed first-order index of {x1, x3} is S1 + S3 + S13 = 1 - S2; its total is the same
    assert abs(res[0].first - (1 - first[1])) < 0.02
    assert abs(res[0].total - (1 - first[1])) < 0.02
    assert res[0].members == ("x1", "x3")


def test_confidence_intervals_narrow_with_more_samples():
    small = pick_freeze(ishigami, 3, 256, seed=4, bootstrap=200)
    large = pick_freeze(ishigami, 3, 4096, seed=4, bootstrap=200)
    w_small = small[0].first_ci[1] - small[0].first_ci[0]
    w_large = large[0].first_ci[1] - large[0].first_ci[0]
    assert w_large < w_small / 2
