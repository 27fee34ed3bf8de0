"""The staged pipeline's first estimate: the first trials of the very streams the full run draws, said as such."""

from __future__ import annotations

import pytest

from workbench.commands import SetCell
from workbench.pipeline import run_scenario
from workbench.progress import Cancelled
from workbench.stages import FIRST_ESTIMATE_TRIALS, StagedPipeline, estimate_label

TRIALS = 2 * FIRST_ESTIMATE_TRIALS


@pytest.fixture(scope="module")
def scn():
    from workbench.default_scenario import default_scenario

    return default_scenario().with_fields(Trials=TRIALS)


def _edited(scn, value=0.03):
    row = scn.sectors["Sector"].tolist().index("Data centers")
    return SetCell("Sectors", row, "Expected return", value).apply(scn)[0]


def test_the_estimate_comes_first_and_is_a_run_on_the_first_trials(scn):
    pipe = StagedPipeline()
    seen = []
    final = pipe.run(scn, stress=False, tornado=False, first_estimate=FIRST_ESTIMATE_TRIALS,
                     on_stage=lambda name, result, pending: seen.append((name, result, set(pending))))
    assert [s[0] for s in seen] == ["estimate", "baseline"]
    _name, estimate, pending = seen[0]
    assert pending == {"baseline"}
    assert estimate.trials == estimate.risk.trials == FIRST_ESTIMATE_TRIALS
    assert estimate.fit_trials == FIRST_ESTIMATE_TRIALS
    # exactly the run of the first trials: same allocation, same figures as a whole run with that many trials
    small = run_scenario(scn, trials=FIRST_ESTIMATE_TRIALS, stress=False, tornado=False)
    assert estimate.allocation.amounts == small.allocation.amounts
    assert estimate.risk.cvar == small.risk.cvar and estimate.risk.expected_pnl == small.risk.expected_pnl
    assert estimate.risk.mc_error.cvar_ci == small.risk.mc_error.cvar_ci
    # and the final result is the full run's, untouched by the estimate
    whole = run_scenario(scn, stress=False, tornado=False)
    assert final.trials == TRIALS and final.risk.cvar == whole.risk.cvar
    assert final.allocation.amounts == whole.allocation.amounts
    assert seen[1][1].risk.cvar == whole.risk.cvar


def test_the_label_says_trials_fitting_sample_band_and_what_follows(scn):
    seen = {}
    StagedPipeline().run(scn, stress=False, tornado=False, first_estimate=FIRST_ESTIMATE_TRIALS,
                         on_stage=lambda name, result, _p: seen.setdefault(name, result))
    estimate = seen["estimate"]
    low, high = estimate.risk.mc_error.cvar_ci
    text = estimate_label(estimate)
    assert text.startswith(f"First estimate, {FIRST_ESTIMATE_TRIALS:,} trials (allocation fitted on "
                           f"{FIRST_ESTIMATE_TRIALS:,})")
    assert f"within USD {low / 1000:,.1f} to {high / 1000:,.1f} bn (95 % Monte Carlo band)" in text
    assert text.endswith(f"The figures of all {TRIALS:,} trials follow.")
    assert low < estimate.risk.cvar < high


def test_no_estimate_when_the_baseline_is_cached_or_the_run_is_small(scn):
    pipe = StagedPipeline()
    pipe.run(scn, stress=False, tornado=False)
    names = []
    pipe.run(scn, stress=False, tornado=False, first_estimate=FIRST_ESTIMATE_TRIALS,
             on_stage=lambda name, _r, _p: names.append(name))
    assert names == ["baseline"]                              # from the cache: the exact figures at once
    names.clear()
    pipe.run(_edited(scn), stress=False, tornado=False, first_estimate=FIRST_ESTIMATE_TRIALS,
             on_stage=lambda name, _r, _p: names.append(name))
    assert names == ["estimate", "baseline"]
    names.clear()
    small = scn.with_fields(Trials=FIRST_ESTIMATE_TRIALS)
    StagedPipeline().run(small, stress=False, tornado=False, first_estimate=FIRST_ESTIMATE_TRIALS,
                         on_stage=lambda name, _r, _p: names.append(name))
    assert names == ["baseline"]                              # the estimate would be the whole run


def test_a_run_cancelled_after_its_estimate_caches_nothing_wrong(scn):
    pipe = StagedPipeline()
    edited = _edited(scn, 0.04)
    stop = {"now": False}

    def at_stage(name, _result, _pending):
        if name == "estimate":
            stop["now"] = True

    with pytest.raises(Cancelled):
        pipe.run(edited, stress=False, tornado=False, first_estimate=FIRST_ESTIMATE_TRIALS, on_stage=at_stage,
                 should_cancel=lambda: stop["now"])
    assert pipe.previous is None
    again = pipe.run(edited, stress=False, tornado=False)
    assert again.trials == TRIALS
    assert again.risk.cvar == run_scenario(edited, stress=False, tornado=False).risk.cvar
