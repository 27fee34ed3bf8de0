"""The stop rule as a scenario setting: the Scenario field "CVaR precision (relative SE)" makes a run go
until CVaR's relative standard error reaches it (Trials is then the cap), through a workbook written and
read back, in the pipeline the app and the CLI share; ``--precision`` overrides it; left empty, the
scenario keeps its content hash and its results."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.default_scenario import default_scenario
from workbench.excel import read_workbook, write_workbook
from workbench.pipeline import run_scenario
from workbench.risk.paths import BLOCK
from workbench.schema import PRECISION_FIELD, SCENARIO_FIELDS

CAP = 60_000


def _small(**fields):
    """The default scenario with a trial cap small enough for a quick run."""
    return default_scenario().with_fields(**{"Trials": CAP, **fields})


def test_the_field_is_defined_once_in_the_schema():
    col = SCENARIO_FIELDS.by_name[PRECISION_FIELD]
    assert col.kind == "fraction" and col.default is None and not col.required
    assert "Trials" in col.help and "Empty" in col.help


def test_empty_precision_keeps_the_content_hash():
    scn = default_scenario()
    assert PRECISION_FIELD not in scn.canonical()["scenario"]
    before = scn.content_hash()
    assert scn.with_fields(**{PRECISION_FIELD: None}).content_hash() == before
    assert scn.with_fields(**{PRECISION_FIELD: ""}).content_hash() == before
    assert scn.with_fields(**{PRECISION_FIELD: 0.005}).content_hash() != before


def test_workbook_with_the_setting_runs_to_the_target(tmp_path):
    path = tmp_path / "precise.xlsx"
    write_workbook(path, _small(**{PRECISION_FIELD: 0.02}))
    got = read_workbook(path)
    assert not [i for i in got.issues if i.is_error]
    scn = got.scenario
    assert scn.precision == pytest.approx(0.02) and scn.trials == CAP
    run = run_scenario(scn, stress=False, tornado=False)
    rule = run.stop_rule
    assert rule is not None and rule.reached and rule.max_trials == CAP
    assert run.trials == rule.trials == run.risk.trials < CAP
    assert rule.trials % BLOCK == 0 or rule.trials == 20_000
    assert run.risk.mc_error.cvar_se / run.risk.cvar == pytest.approx(rule.relative_se, rel=1e-9)
    assert rule.relative_se <= 0.02
    # the results' Trials (the key figures table of the app, the results workbook) are the trials used
    from ui.plots.tables import key_figures_table
    shown = dict(r[:2] for r in key_figures_table(run).rows)["Trials"]
    assert shown.startswith(f"{rule.trials:,} (stop rule: CVaR relative SE") and "target 2 %" in shown
    # the scenario as run keeps the setting and its cap: running it again gives the same trials
    assert run.options.apply(scn).precision == pytest.approx(0.02)
    again = run_scenario(run.options.apply(scn), stress=False, tornado=False)
    assert again.trials == run.trials and again.risk.cvar == run.risk.cvar


def test_empty_setting_gives_the_results_of_before(tmp_path):
    scn = _small()
    path = tmp_path / "plain.xlsx"
    write_workbook(path, scn)
    back = read_workbook(path).scenario
    assert back.precision is None and back.content_hash() == scn.content_hash()
    run = run_scenario(back, stress=False, tornado=False)
    assert run.stop_rule is None and run.trials == run.risk.trials == CAP
    assert run.input_hash == scn.content_hash()
    assert run.scenario_hash == scn.with_fields(**{"Allocation method": run.method, "Random seed": run.seed}
                                                ).content_hash()


def test_a_workbook_without_the_row_imports_unchanged(tmp_path):
    from openpyxl import load_workbook

    scn = _small()
    path = tmp_path / "old.xlsx"
    write_workbook(path, scn)
    wb = load_workbook(path)
    ws = wb["Scenario"]
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == PRECISION_FIELD]
    assert len(rows) == 1
    ws.delete_rows(rows[0])
    wb.save(path)
    got = read_workbook(path)
    assert not [i for i in got.issues if i.is_error]
    assert got.scenario.precision is None and got.scenario.content_hash() == scn.content_hash()


def test_bad_precision_in_the_workbook_is_an_error_on_its_row():
    from workbench.validation import validate

    issues = [i for i in validate(_small(**{PRECISION_FIELD: 1.5})) if i.is_error]
    assert any(i.table == "Scenario" and i.row == PRECISION_FIELD for i in issues)


@pytest.mark.slow
def test_cli_flag_overrides_the_setting(tmp_path, capsys):
    cap = 2 * BLOCK + 20_000     # the fitting sample's 20,000 trials and two more blocks
    path = tmp_path / "precise.xlsx"
    write_workbook(path, _small(**{PRECISION_FIELD: 0.0001, "Trials": cap}))   # not reachable within the cap
    assert main(["run", str(path), "--json"]) == 0
    own = json.loads(capsys.readouterr().out)
    assert own["stop_rule"]["precision"] == pytest.approx(0.0001) and not own["stop_rule"]["reached"]
    assert own["trials"] == cap
    assert main(["run", str(path), "--precision", "2%", "--json"]) == 0
    flagged = json.loads(capsys.readouterr().out)
    rule = flagged["stop_rule"]
    assert rule["precision"] == pytest.approx(0.02) and rule["reached"]
    assert flagged["trials"] == rule["trials"] < cap


def test_the_app_s_staged_pipeline_honours_the_setting():
    from workbench.stages import StagedPipeline

    scn = _small(**{PRECISION_FIELD: 0.02})
    pipe = StagedPipeline()
    staged = pipe.run(scn, stress=False, tornado=False)
    whole = run_scenario(scn, stress=False, tornado=False)
    assert staged.stop_rule == whole.stop_rule and staged.stop_rule.reached
    assert staged.trials == whole.trials == staged.risk.trials < CAP
    assert staged.risk.cvar == whole.risk.cvar and staged.scenario_hash == whole.scenario_hash
    # switching the rule off is a new simulation on exactly Trials trials
    off = pipe.run(scn.with_fields(**{PRECISION_FIELD: None}), stress=False, tornado=False)
    assert off.stop_rule is None and off.trials == off.risk.trials == CAP
