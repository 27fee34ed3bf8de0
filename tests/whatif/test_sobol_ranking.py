"""Ranking differences between the tornado and the Sobol indices, and which of them are clear."""

from __future__ import annotations

from workbench.whatif.sobol import SobolIndex, SobolResult, clear_differences, ranking_differences


def _result(totals: dict[str, tuple[float, float, float]]) -> SobolResult:
    idx = tuple(SobolIndex(n, (n,), t, (lo, hi), t, (lo, hi)) for n, (t, lo, hi) in totals.items())
    return SobolResult("expected-npv", "Expected NPV", idx, (), 16, 100, 0, 1.0)


def test_clear_only_when_intervals_are_apart():
    res = _result({"a": (0.50, 0.45, 0.55), "b": (0.30, 0.25, 0.35), "c": (0.32, 0.20, 0.40)})
    # the tornado says c, a, b: c above a is clearly wrong (c's interval is below a's); a/b agree
    order = ["c", "a", "b"]
    assert ranking_differences(res, order) == {"c": (1, 2), "a": (2, 1)}
    assert clear_differences(res, order) == {"c", "a"}
    # the tornado says a, b, c: b and c swap, but their intervals overlap
    order = ["a", "b", "c"]
    assert ranking_differences(res, order) == {"b": (2, 3), "c": (3, 2)}
    assert clear_differences(res, order) == set()
