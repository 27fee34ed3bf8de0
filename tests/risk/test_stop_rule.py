"""The run's stop rule: ``workbench run --precision`` chooses the trials for CVaR's relative standard
error, the results say how many, and a run of that many trials has that error."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.default_scenario import default_scenario
from workbench.risk.engine import simulate
from workbench.risk.paths import BLOCK
from workbench.risk.tail import run_trials_for_precision


def _run(capsys, *args):
    code = main(["run", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.slow
def test_run_with_precision_reports_the_trials_it_took(capsys):
    code, out, _ = _run(capsys, "--precision", "1%", "--trials", "60000", "--json")
    assert code == 0
    obj = json.loads(out)
    rule = obj["stop_rule"]
    assert rule["reached"] and rule["cvar_relative_se"] <= 0.01
    assert obj["trials"] == rule["trials"] and 20_000 <= rule["trials"] <= 60_000
    # the run's own CVaR error is the stop rule's, on the same trials
    assert obj["mc_error"]["cvar_se"] / obj["cvar"] == pytest.approx(rule["cvar_relative_se"], rel=1e-6)


def test_stop_rule_matches_the_engine_on_the_same_trials():
    scn = default_scenario()
    amounts = {"DC-01": 40_000.0, "SC-01": 30_000.0}
    rule = run_trials_for_precision(scn, amounts, precision=0.02, max_trials=100_000, min_trials=2 * BLOCK)
    assert rule.reached and rule.trials % BLOCK == 0
    risk = simulate(scn, amounts, trials=rule.trials)
    assert risk.mc_error.cvar_se / risk.cvar == pytest.approx(rule.relative_se, rel=1e-9)
    assert rule.relative_se <= 0.02
    if rule.trials > 2 * BLOCK:   # one block fewer was not enough
        fewer = simulate(scn, amounts, trials=rule.trials - BLOCK)
        assert fewer.mc_error.cvar_se / fewer.cvar > 0.02


@pytest.mark.slow
def test_cap_stops_the_rule_and_the_text_says_so(capsys):
    code, out, _ = _run(capsys, "--precision", "0.01%", "--trials", "21000")
    assert code == 0
    assert "not reached within the cap of 21,000 trials" in out


@pytest.mark.parametrize("bad", ["zero", "0", "150%"])
def test_bad_precision_is_refused(capsys, bad):
    code, _, err = _run(capsys, "--precision", bad)
    assert code == 1 and "--precision" in err
