"""The evaluator's stored sector and event parts give the engine's numbers bit for bit: for an input
of every kind, the unit P&L it simulates equals ``simulate_block`` run whole on the moved model."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.default_scenario import default_scenario
from workbench.risk.paths import BLOCK, REPORT_STREAM, block_sizes, simulate_block
from workbench.whatif.evaluator import Evaluator
from workbench.whatif.inputs import find_input

NAMES = ("Data centers: expected return", "Semiconductors: volatility", "AI demand correction: probability",
         "Discount rate", "Recovery rates (every project)")


@pytest.mark.parametrize("copula", ["gaussian", "student-t"])
def test_cached_parts_are_bit_identical_to_a_whole_simulation(copula):
    scn = default_scenario().with_fields(Copula=copula)
    ev = Evaluator(scn, trials=BLOCK + 904)
    for name in NAMES:
        inp = find_input(scn, name)
        v = inp.tornado_high
        model, touched = ev.model_at([(inp, v)])
        assert len(touched)
        got = ev.report.unit(model, touched)
        whole = np.concatenate([simulate_block(model, ev.seed, REPORT_STREAM, b, m).unit
                                for b, m in enumerate(block_sizes(ev.trials))], axis=1)
        assert np.array_equal(got, whole[touched]), name
        assert not np.array_equal(got, ev.base_unit[touched]), name   # the input did move them
