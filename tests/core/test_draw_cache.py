"""Random numbers kept between runs (workbench.risk.paths.DrawCache) change no figure.

A staged pipeline keeps the blocks it drew; after edits its results must be those of a fresh
:func:`~workbench.pipeline.run_scenario` of the edited scenario, every stage included.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.commands import SetCell
from workbench.pipeline import run_scenario
from workbench.risk.model import build_model
from workbench.risk.paths import BLOCK, FIT_STREAM, REPORT_STREAM, DrawCache, draw_block
from workbench.stages import FIRST_ESTIMATE_TRIALS, StagedPipeline

TRIALS = 2 * BLOCK + 300


@pytest.fixture(scope="module")
def scn():
    from workbench.default_scenario import default_scenario

    return default_scenario().with_fields(Trials=TRIALS)


def test_kept_blocks_are_the_drawn_blocks_and_read_only(scn):
    model = build_model(scn)
    cache = DrawCache()
    first = cache.get(model, 7, REPORT_STREAM, 1, BLOCK)
    assert cache.get(model, 7, REPORT_STREAM, 1, BLOCK) is first
    fresh = draw_block(model, 7, REPORT_STREAM, 1, BLOCK)
    for kept, drawn in ((first.z_sec, fresh.z_sec), (first.z_spec, fresh.z_spec), (first.u, fresh.u)):
        assert np.array_equal(kept, drawn)
        assert not kept.flags.writeable
    other = cache.get(model, 7, FIT_STREAM, 1, BLOCK)
    assert not np.array_equal(other.z_spec, first.z_spec)
    blocks = cache.blocks(model, 7, REPORT_STREAM, BLOCK + 5)
    assert len(blocks) == 2 and blocks[1].z_spec.shape[-1] == 5 and blocks[0] is cache.get(model, 7, REPORT_STREAM,
                                                                                             0, BLOCK)


def test_the_limit_keeps_the_first_blocks_and_makes_room_for_a_new_seed(scn):
    model = build_model(scn)
    one = DrawCache()._size(draw_block(model, 1, REPORT_STREAM, 0, BLOCK))
    cache = DrawCache(limit=2 * one)
    kept = [cache.get(model, 1, REPORT_STREAM, b, BLOCK) for b in range(3)]
    assert cache.get(model, 1, REPORT_STREAM, 0, BLOCK) is kept[0]
    assert cache.get(model, 1, REPORT_STREAM, 2, BLOCK) is not kept[2]     # over the limit: drawn, not kept
    assert np.array_equal(cache.get(model, 1, REPORT_STREAM, 2, BLOCK).z_spec, kept[2].z_spec)
    new = cache.get(model, 2, REPORT_STREAM, 0, BLOCK)                      # another seed replaces the old blocks
    assert cache.get(model, 2, REPORT_STREAM, 0, BLOCK) is new
    assert cache.get(model, 1, REPORT_STREAM, 0, BLOCK) is not kept[0]


def _same(staged, whole):
    assert staged.allocation.amounts == whole.allocation.amounts
    r, w = staged.risk, whole.risk
    assert (r.expected_pnl, r.std, r.var, r.cvar, r.prob_loss) == (w.expected_pnl, w.std, w.var, w.cvar, w.prob_loss)
    assert np.array_equal(r.fan.values, w.fan.values) and r.contributions == w.contributions
    assert r.nominal == w.nominal
    assert staged.stress == whole.stress
    assert staged.tornado == whole.tornado
    assert staged.shortfall == whole.shortfall


@pytest.mark.slow
def test_staged_runs_after_edits_equal_fresh_runs(scn):
    pipe = StagedPipeline()
    pipe.run(scn, first_estimate=FIRST_ESTIMATE_TRIALS, on_stage=lambda *_a: None)
    assert pipe.draws._kept                      # the blocks of the first run are kept for the next
    current = scn
    rows = {name: i for i, name in enumerate(current.sectors["Sector"])}
    events = {name: i for i, name in enumerate(current.risk_events["Event"])}
    for cmd in (SetCell("Sectors", rows["Semiconductors"], "Volatility", 0.29),
                SetCell("Risk events", events["South China Sea escalation"], "Annual probability", 0.2),
                SetCell("Projects", 3, "Specific risk", 0.3)):
        current = cmd.apply(current)[0]
        staged = pipe.run(current, first_estimate=FIRST_ESTIMATE_TRIALS, on_stage=lambda *_a: None)
        _same(staged, run_scenario(current))
