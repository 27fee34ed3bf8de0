"""``workbench seek``, ``switching`` and ``sobol`` end to end through the real command line."""

import json

from tests.whatif.cases import lognormal
from workbench.cli import main
from workbench.excel import write_workbook


def test_seek_answers_the_data_centers_question_with_an_error_band(capsys):
    code = main(["seek", "--vary", "Data centers: expected return", "--target", "P(NPV<0)<=10%", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"]
    assert out["holds_when_input"] == ">=" and out["reachable"]
    lo, hi = out["band_95"]
    assert lo < out["answer"] < hi and out["answer"] > out["scenario_value"]
    assert out["target"]["statistic"] == "p-loss" and out["target"]["value"] == 0.10


def test_seek_on_a_workbook_and_readable_text(tmp_path, capsys):
    path = tmp_path / "one.xlsx"
    write_workbook(str(path), lognormal(**{"Discount rate": 0.03}))
    code = main(["seek", str(path), "--vary", "A return", "--target", "expected-npv>=0"])
    text = capsys.readouterr().out
    assert code == 0
    assert "needs A: expected return at least" in text and "95 % band" in text


def test_seek_unknown_input_and_bad_target_exit_1_with_a_suggestion(capsys):
    assert main(["seek", "--vary", "Data centre return", "--target", "P(NPV<0)<=10%"]) == 1
    assert 'Did you mean "Data centers: expected return"' in capsys.readouterr().err
    assert main(["seek", "--vary", "Discount rate", "--target", "P(NPV<0)=10%"]) == 1
    assert "STATISTIC<=VALUE" in capsys.readouterr().err
    assert main(["seek", "--vary", "Discount rate", "--target", "P(NPV<0)<=150%"]) == 1
    assert "between 0 and 1" in capsys.readouterr().err


def test_seek_help_lists_inputs_and_statistics(capsys):
    try:
        main(["seek", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "Data centers: expected return" in out and "JBIC (Equity): capacity" in out
    assert "p-loss" in out and "cvar" in out


def test_switching_json_for_the_tornado_inputs(tmp_path, capsys):
    path = tmp_path / "one.xlsx"
    write_workbook(str(path), lognormal(**{"Discount rate": 0.03}))
    code = main(["switching", str(path), "--json", "--trials", "4096"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    names = [c["input"] for c in out["switching"]]
    assert "A: expected return" in names and "Discount rate" in names
    ret = next(c for c in out["switching"] if c["input"] == "A: expected return")
    assert abs(ret["switching_value"] - 0.03) < 4 * ret["standard_error"]


def test_switching_needs_a_threshold_for_probability(capsys):
    assert main(["switching", "--criterion", "p-loss"]) == 1
    assert "--threshold" in capsys.readouterr().err


def test_unreadable_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    assert main(["seek", str(bad), "--vary", "Discount rate", "--target", "expected-npv>=0"]) == 2
