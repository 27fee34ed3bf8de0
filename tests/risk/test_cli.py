"""``workbench run``: JSON keys, exit codes, one JSON object on stdout."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.default_scenario import default_scenario
from workbench.risk.report import SUMMARY_KEYS


def run_cli(capsys, *args):
    code = main(["run", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def default_json():
    import contextlib
    import io
    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        code = main(["run", "--json", "--trials", "1000"])
    return code, buf.getvalue(), err.getvalue()


def test_json_on_default_scenario(default_json):
    code, out, _ = default_json
    assert code == 0
    obj = json.loads(out)        # exactly one JSON object, nothing else on stdout
    assert tuple(obj) == SUMMARY_KEYS
    scn = default_scenario()
    assert set(obj["allocation"]) == set(scn.projects["ID"])
    assert all(isinstance(v, (int, float)) for v in obj["allocation"].values())
    for key in ("expected_pnl", "std", "var", "cvar", "prob_loss", "jobs", "value_added"):
        assert isinstance(obj[key], (int, float)), key
    assert set(obj["percentiles"]) == {"1", "5", "25", "50", "75", "95", "99"}
    assert sum(obj["contributions"].values()) == pytest.approx(obj["cvar"], rel=1e-9)
    assert set(obj["contributions"]) == set(scn.sector_names)
    for v in obj["stress"].values():
        assert set(v) >= {"expected_pnl", "cvar", "change"}
    assert set(obj["mc_error"]) >= {"expected_pnl_se", "var_ci", "cvar_ci"}
    assert len(obj["mc_error"]["var_ci"]) == 2
    assert obj["trials"] == 1000 and obj["seed"] == 20261124 and obj["method"] == "mean-variance"
    assert obj["scenario_hash"] == scn.with_fields(Trials=1000).content_hash()
    assert obj["input_hash"] == scn.content_hash()
    assert obj["cash_deployed"] + obj["guarantee_exposure"] == pytest.approx(obj["total_committed"])
    assert obj["total_committed"] == pytest.approx(sum(obj["allocation"].values()))


def test_readable_summary(capsys):
    code, out, _ = run_cli(capsys, "--trials", "1000", "--method", "proportional")
    assert code == 0
    assert "Expected NPV at 5 %" in out and "CVaR 95 % (NPV at 5 %)" in out and "Stress tests" in out
    assert "P(NPV at 5 % below zero)" in out and "Cash deployed" in out and "Guarantee exposure" in out
    assert "Deployed:" not in out         # cash and guarantees are never added up without saying so


def test_overrides_reach_the_result_and_hash(capsys):
    code, out, _ = run_cli(capsys, "--json", "--trials", "1000", "--seed", "5", "--method", "max-strategic")
    obj = json.loads(out)
    assert code == 0 and obj["seed"] == 5 and obj["method"] == "max-strategic"
    scn = default_scenario().with_fields(Trials=1000, **{"Random seed": 5, "Allocation method": "max-strategic"})
    assert obj["scenario_hash"] == scn.content_hash()


@pytest.mark.parametrize("args", [["--method", "nonsense"], ["--trials", "10"], ["--seed", "-1"],
                                  ["--jobs", "0"]])
def test_invalid_options_exit_1_with_explanation(capsys, args):
    code, out, err = run_cli(capsys, "--json", *args)
    assert code == 1
    obj = json.loads(out)
    assert obj["ok"] is False and (obj["issues"] or obj.get("message"))
    assert err.strip()


def test_missing_file_exit_2(capsys, tmp_path):
    code, out, err = run_cli(capsys, "--json", str(tmp_path / "none.xlsx"))
    assert code == 2
    assert json.loads(out)["ok"] is False
    assert "none.xlsx" in err


def test_malformed_command_line_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--trials", "many"])
    assert info.value.code == 2


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    import pandas as pd

    from workbench.excel import write_workbook
    from workbench.scenario import make_table
    d = tmp_path_factory.mktemp("books")
    scn = default_scenario()
    good, bad, junk = d / "good.xlsx", d / "bad.xlsx", d / "junk.xlsx"
    write_workbook(good, scn)
    extra = make_table("Constraints", [{"Group": "Sector", "Value": "Semiconductors", "Min share": 0.9}])
    write_workbook(bad, scn.with_table("Constraints", pd.concat([scn.constraints, extra], ignore_index=True)))
    junk.write_text("not a workbook")
    return good, bad, junk


def test_file_run_matches_default(capsys, workbooks, default_json):
    good, _, _ = workbooks
    code, out, _ = run_cli(capsys, "--json", "--trials", "1000", str(good))
    obj = json.loads(out)
    ref = json.loads(default_json[1])
    assert code == 0 and obj["file"] == str(good)
    assert obj["expected_pnl"] == ref["expected_pnl"] and obj["cvar"] == ref["cvar"]


def test_infeasible_file_exit_1_lists_conflicts(capsys, workbooks):
    _, bad, _ = workbooks
    code, out, err = run_cli(capsys, "--json", "--trials", "1000", str(bad))
    obj = json.loads(out)
    assert code == 1 and obj["ok"] is False
    assert obj["infeasibility"] and all({"source", "change"} <= set(c) for c in obj["infeasibility"])
    assert "Semiconductors" in err


def test_unreadable_file_exit_2(capsys, workbooks):
    _, _, junk = workbooks
    code, out, _ = run_cli(capsys, "--json", str(junk))
    assert code == 2 and json.loads(out)["ok"] is False


def test_batch_in_parallel_processes(capsys, workbooks):
    good, bad, junk = workbooks
    code, out, _ = run_cli(capsys, "--json", "--trials", "1000", "--jobs", "2", str(good), str(bad), str(junk))
    obj = json.loads(out)
    assert list(obj) == ["runs"]
    assert [r["file"] for r in obj["runs"]] == [str(good), str(bad), str(junk)]
    assert [r["ok"] for r in obj["runs"]] == [True, False, False]
    assert code == 2     # the worst of the runs: an unreadable file
    code, out, _ = run_cli(capsys, "--json", "--trials", "1000", "--jobs", "1", str(bad), str(bad))
    assert code == 1 and [r["ok"] for r in json.loads(out)["runs"]] == [False, False]


def test_out_writes_the_results_workbook(capsys, tmp_path):
    import openpyxl

    from workbench.excel import read_workbook
    out = tmp_path / "results.xlsx"
    code, stdout, _ = run_cli(capsys, "--trials", "1000", "--out", str(out))
    assert code == 0 and out.is_file() and str(out) in stdout
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert {"Allocation", "Risk summary", "Stress tests", "Impact", "About"} <= set(names)
    back = read_workbook(out)
    assert back.scenario is not None
    assert back.scenario.content_hash() == default_scenario().with_fields(Trials=1000).content_hash()


def test_every_json_key_is_documented():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[2] / "docs" / "risk-model.md").read_text(encoding="utf-8")
    section = doc[doc.index("### JSON"):]
    for key in SUMMARY_KEYS:
        assert f"`{key}`" in section, key
