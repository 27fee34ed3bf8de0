"""``workbench snapshot ...`` as a user runs it: subprocesses against a temporary library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import default_scenario
from workbench.snapshots import Library

ROOT = Path(__file__).resolve().parents[2]


def wb(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", "snapshot", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "lib.sqlite"


def test_save_prints_the_id_alone_and_dedups(lib_path):
    first = wb("save", "--note", "before the meeting", "--library", str(lib_path))
    assert first.returncode == 0, first.stderr
    assert first.stdout == "1\n"
    again = wb("--library", str(lib_path), "save", "--note", "before the meeting")  # --library before the action
    assert (again.returncode, again.stdout) == (0, "1\n")
    other = wb("save", "--note", "another note", "--tag", "board", "--library", str(lib_path))
    assert (other.returncode, other.stdout) == (0, "2\n")
    with Library(lib_path) as lib:  # committed and readable by anyone once the command returned
        assert lib.restore(1).content_hash() == default_scenario().content_hash()
        assert lib.get(2).tags == ("board",)


def test_save_with_run_stores_the_key_results(lib_path):
    out = wb("save", "--note", "with results", "--run", "--trials", "2000", "--library", str(lib_path))
    assert out.returncode == 0, out.stderr
    sid = int(out.stdout)
    shown = wb("show", str(sid), "--json", "--library", str(lib_path))
    assert shown.returncode == 0
    data = json.loads(shown.stdout)
    res = data["results"]
    assert res["trials"] == 2000 and res["cvar"] >= res["var"] and 0 <= res["prob_loss"] <= 1
    assert data["scenario"]["scenario"]["Trials"] == 2000  # the stored scenario is the one that was run
    from workbench.serialize import scenario_from_dict
    assert scenario_from_dict(data["scenario"]).content_hash() == data["hash"]
    listed = json.loads(wb("list", "--json", "--library", str(lib_path)).stdout)
    [entry] = listed["snapshots"]
    assert set(entry["results"]) == {"expected_pnl", "std", "var", "cvar", "prob_loss"}
    assert entry["results"]["cvar"] == res["cvar"]


def test_list_json_shape_search_and_env_library(lib_path):
    env = {"WORKBENCH_LIBRARY": str(lib_path)}
    assert wb("save", "--note", "alpha", env=env).stdout == "1\n"
    assert wb("save", "--note", "beta", env=env).stdout == "2\n"
    out = wb("list", "--json", env=env)
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert data["library"] == str(lib_path)
    assert [s["id"] for s in data["snapshots"]] == [2, 1]
    for s in data["snapshots"]:
        assert {"id", "time", "name", "note", "hash", "results", "tags", "parent", "author"} <= set(s)
        assert s["results"] is None and len(s["hash"]) == 64
    assert [s["note"] for s in json.loads(wb("list", "--json", "--search", "ALP", env=env).stdout)["snapshots"]] \
        == ["alpha"]
    text = wb("list", env=env)
    assert text.returncode == 0 and "alpha" in text.stdout and "beta" in text.stdout


def test_delete_and_undelete(lib_path):
    wb("save", "--note", "x", "--library", str(lib_path))
    assert wb("delete", "1", "--library", str(lib_path)).returncode == 0
    assert json.loads(wb("list", "--json", "--library", str(lib_path)).stdout)["snapshots"] == []
    deleted = json.loads(wb("list", "--json", "--deleted", "--library", str(lib_path)).stdout)["snapshots"]
    assert [s["id"] for s in deleted] == [1] and deleted[0]["deleted"]
    assert wb("undelete", "1", "--library", str(lib_path)).returncode == 0
    assert len(json.loads(wb("list", "--json", "--library", str(lib_path)).stdout)["snapshots"]) == 1


def test_exit_codes_and_messages(lib_path, tmp_path):
    wb("save", "--note", "x", "--library", str(lib_path))
    unknown = wb("show", "7", "--library", str(lib_path))
    assert unknown.returncode == 1 and "no snapshot 7" in unknown.stderr and unknown.stdout == ""
    bad_id = wb("show", "seven", "--library", str(lib_path))
    assert bad_id.returncode == 1 and "whole numbers" in bad_id.stderr
    missing = wb("save", str(tmp_path / "nope.xlsx"), "--note", "x", "--library", str(lib_path))
    assert missing.returncode == 2 and "no file" in missing.stderr and missing.stdout == ""
    no_action = wb("--library", str(lib_path))
    assert no_action.returncode == 2 and "ACTION" in no_action.stderr
    malformed = wb("show", "--library", str(lib_path))
    assert malformed.returncode == 2 and "usage" in malformed.stderr
    assert wb("restore", "1", str(lib_path), "--library", str(lib_path)).returncode == 2  # refuses to overwrite


def test_damaged_library_gets_the_clear_message_and_salvage(tmp_path):
    path = tmp_path / "lib.sqlite"
    wb("save", "--note", "x", "--library", str(path))
    path.write_bytes(b"this is not a database" * 200)
    out = wb("list", "--library", str(path))
    assert out.returncode == 2
    assert "not a readable snapshot library" in out.stderr and "Salvage" in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    saved = wb("save", "--note", "y", "--library", str(path))
    assert saved.returncode == 2 and saved.stdout == ""
    rescued = wb("salvage", str(tmp_path / "new.sqlite"), "--library", str(path))
    assert rescued.returncode == 1 and "Nothing could be read" in rescued.stderr
    assert wb("save", "--note", "y", "--library", str(tmp_path / "new.sqlite")).stdout == "1\n"


def test_every_action_has_help():
    for action in ("save", "list", "show", "export", "diff", "restore", "delete", "undelete", "tag", "salvage"):
        out = wb(action, "--help")
        assert out.returncode == 0 and "--library" in out.stdout, action


def test_export_and_restore_write_the_snapshot_as_a_workbook(lib_path, tmp_path):
    from workbench.excel import read_workbook

    wb("save", "--note", "x", "--library", str(lib_path))
    out = tmp_path / "briefing.xlsx"
    done = wb("export", "1", str(out), "--library", str(lib_path))
    assert done.returncode == 0 and done.stdout == "" and out.exists()
    assert read_workbook(out).scenario.content_hash() == default_scenario().content_hash()
    before = out.read_bytes()
    refused = wb("restore", "1", str(out), "--library", str(lib_path))
    assert refused.returncode == 2 and "already exists" in refused.stderr and out.read_bytes() == before
    forced = wb("restore", "1", str(out), "--force", "--library", str(lib_path))
    assert forced.returncode == 0
    assert read_workbook(out).scenario.content_hash() == default_scenario().content_hash()
    # a saved workbook saves as the same content
    again = wb("save", str(out), "--note", "x", "--library", str(lib_path))
    assert (again.returncode, again.stdout) == (0, "1\n"), again.stderr


def test_diff_json_shape_and_waterfall(lib_path, tmp_path):
    from workbench.commands import SetCell, SetField
    from workbench.excel import write_workbook

    old = SetField("Allocation method", "proportional").apply(default_scenario())[0]
    new = SetCell("Projects", 2, "Requested (USD m)", 30000.0).apply(SetField("Discount rate", 0.07).apply(old)[0])[0]
    for name, scn in (("old.xlsx", old), ("new.xlsx", new)):
        write_workbook(tmp_path / name, scn)
        out = wb("save", str(tmp_path / name), "--note", name, "--run", "--trials", "2000", "--library", str(lib_path))
        assert out.returncode == 0, out.stderr
    plain = wb("diff", "1", "2", "--json", "--library", str(lib_path))
    assert plain.returncode == 0, plain.stderr
    data = json.loads(plain.stdout)
    assert {"old", "new", "old_hash", "new_hash", "identical", "diff", "results"} <= set(data)
    assert "waterfall" not in data and data["identical"] is False
    changes = {(c["table"], c["row"], c["column"]): (c["old"], c["new"]) for c in data["diff"]["changes"]}
    assert changes == {("Scenario", "Discount rate", "Value"): (0.05, 0.07),
                       ("Projects", "DC-03", "Requested (USD m)"): (25000, 30000)}
    assert data["results"]["cvar"]["delta"] == pytest.approx(data["results"]["cvar"]["new"]
                                                             - data["results"]["cvar"]["old"])
    full = wb("diff", "1", "2", "--json", "--waterfall", "--trials", "2000", "--library", str(lib_path))
    w = json.loads(full.stdout)["waterfall"]
    assert w["trials"] == 2000 and [s["label"] for s in w["steps"]] == ["Scenario: Discount rate",
                                                                       "Projects: DC-03 (changed)"]
    total = sum(s["deltas"]["cvar"] for s in w["steps"])
    assert total == pytest.approx(w["final"]["cvar"] - w["base"]["cvar"], abs=1e-6)
    text = wb("diff", "1", "2", "--library", str(lib_path))
    assert text.returncode == 0 and "Discount rate: 0.05 -> 0.07" in text.stdout and "CVaR" in text.stdout
