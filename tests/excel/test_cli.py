"""``workbench validate``, ``template`` and ``diff`` on clean, broken and hostile files."""

from __future__ import annotations

import json

import openpyxl

from tests.excel.books import PROJECTS, basic, write_book
from workbench.cli import main
from workbench.default_scenario import default_scenario
from workbench.serialize import scenario_to_dict


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_template_then_validate_is_clean(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    code, stdout, _ = run(capsys, "template", str(out))
    assert code == 0 and out.exists()
    code, stdout, _ = run(capsys, "validate", str(out))
    assert code == 0 and "no problems" in stdout
    code, stdout, _ = run(capsys, "validate", str(out), "--json")
    data = json.loads(stdout)
    assert code == 0 and data["ok"] is True and data["issues"] == []
    assert data["scenario"] == json.loads(json.dumps(scenario_to_dict(default_scenario())))
    assert data["scenario"]["projects"][0]["Requested (USD m)"] == 100_000
    assert data["scenario"]["projects"][0]["Include"] is True
    assert set(data["scenario"]["correlations"]) == {"sectors", "matrix"}


def test_validate_default_scenario(capsys):
    code, stdout, _ = run(capsys, "validate", "--json")
    data = json.loads(stdout)
    assert code == 0 and data["ok"] and data["scenario"]["scenario"]["Programme size (USD bn)"] == 550


def test_validate_broken_file_exits_1_with_located_issues(tmp_path, capsys):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductor", "TX", "Equity", 10, None]]
    path = write_book(tmp_path / "b.xlsx", basic(Projects=rows))
    code, stdout, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert "Projects" in stdout and 'C2: Sector "Semiconductor"' in stdout
    code, stdout, _ = run(capsys, "validate", str(path), "--json")
    data = json.loads(stdout)
    assert code == 1 and data["ok"] is False and data["scenario"] is None
    err = [i for i in data["issues"] if i["severity"] == "error"]
    assert err == [{"severity": "error", "sheet": "Projects", "cell": "C2", "message": err[0]["message"]}]
    assert 'did you mean "Semiconductors"?' in err[0]["message"]


def test_validate_hostile_file_exits_2_with_one_issue(tmp_path, capsys):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04garbage")
    code, stdout, _ = run(capsys, "validate", str(p), "--json")
    data = json.loads(stdout)
    assert code == 2 and data == {"ok": False, "issues": [data["issues"][0]], "scenario": None}
    assert data["issues"][0]["severity"] == "error" and data["issues"][0]["cell"] is None
    code, stdout, _ = run(capsys, "validate", str(tmp_path / "none.xlsx"))
    assert code == 2 and "no file" in stdout


def test_diff_two_workbooks(tmp_path, capsys):
    a = tmp_path / "a.xlsx"
    run(capsys, "template", str(a))
    wb = openpyxl.load_workbook(a)
    ws = wb["Projects"]
    ws["H2"] = 90_000
    ws.append(["NEW-1", "New plant", "Semiconductors", None, "TX", "Loan", "JBIC", 1000])
    wb.save(tmp_path / "b.xlsx")
    code, stdout, _ = run(capsys, "diff", str(a), str(tmp_path / "b.xlsx"))
    assert code == 0
    assert "~ DC-01, Requested (USD m): 100,000 -> 90,000  (Projects!H2)" in stdout
    assert "+ NEW-1" in stdout
    code, stdout, _ = run(capsys, "diff", str(a), str(tmp_path / "b.xlsx"), "--json")
    data = json.loads(stdout)
    assert data["summary"]["Projects"] == {"added": 1, "removed": 0, "changed": 1}
    change = next(c for c in data["changes"] if c["kind"] == "changed")
    assert (change["old"], change["new"], change["where"]) == (100_000, 90_000, "Projects!H2")


def test_diff_with_the_default_and_failures(tmp_path, capsys):
    a = tmp_path / "a.xlsx"
    run(capsys, "template", str(a))
    code, stdout, _ = run(capsys, "diff", str(a))
    assert code == 0 and "No differences." in stdout
    bad = write_book(tmp_path / "bad.xlsx", basic(Scenario=[["Field", "Value"], ["Name", None]]))
    assert run(capsys, "diff", str(a), str(bad))[0] == 1
    (tmp_path / "junk.xlsx").write_text("hello")
    code, stdout, _ = run(capsys, "diff", str(a), str(tmp_path / "junk.xlsx"), "--json")
    assert code == 2 and json.loads(stdout)["ok"] is False
