"""Fixtures of the layout tests: a real run of the default scenario (few trials) shared by the module."""

from __future__ import annotations

import pytest

TRIALS = 1_000


@pytest.fixture(scope="package")
def run():
    from workbench.default_scenario import default_scenario
    from workbench.pipeline import run_scenario

    return run_scenario(default_scenario(), trials=TRIALS, frontier_points=5)
