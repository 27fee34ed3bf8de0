"""Crash tests: SIGKILL at random moments while saving; two processes saving at once.

A warm helper process forks a fresh child per round; the child opens the library (which
runs the integrity check) and saves snapshots in a loop, reporting each id after its save
returned, until it is killed after a random delay drawn from a seeded generator. The
moment of each kill varies from run to run; the outcome asserted does not.
"""

from __future__ import annotations

import os

import pytest

from tests.snapshots.snapshot_killer import KillLog, Zygote, check_library, kill_loop, record_lines
from workbench.snapshots import Library

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

KILLS = 220


def test_every_returned_save_survives_hundreds_of_sigkills(tmp_path):
    path = tmp_path / "lib.sqlite"
    Library(path).close()  # kills during creation are the next test's subject
    with Zygote(path) as zygote:
        log = kill_loop(zygote, KILLS, seed=20261125)
        zygote.close()
    assert log.errors == []
    assert log.kills == KILLS  # every child was killed, none had stopped on its own
    assert len(log.saved) > KILLS // 2  # the delays let saves complete, so the check below has teeth
    assert check_library(path, log) == []
    shared = {sid for sid, (_, note) in log.saved.items() if note.startswith("identical content")}
    assert len(shared) <= 1  # the same content and note always came back as one id
    with Library(path) as lib:
        assert len(lib.list(deleted=None)) >= len(log.saved)


def test_a_kill_while_the_library_is_created_leaves_no_half_library(tmp_path):
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(5)))
    created = 0
    with Zygote(tmp_path / "unused.sqlite") as zygote:
        for k in range(30):
            path = tmp_path / f"lib{k}.sqlite"
            out = zygote.ask(f"save c{k} {int(rng.integers(0, 80_000))} 0 {path}")
            assert out["errors"] == [] and out["killed"]
            log = KillLog()
            record_lines(log, out["lines"])
            if path.exists():  # linked into place only once complete: it opens, sound
                created += 1
                assert check_library(path, log) == []
            else:
                assert log.saved == {}
        zygote.close()
    assert created > 0


def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    path = tmp_path / "lib.sqlite"
    Library(path).close()
    log = KillLog()
    with Zygote(path) as zygote:
        for burst in range(3):
            out = zygote.ask(f"burst b{burst}x 40")
            assert out["errors"] == []
            record_lines(log, out["lines"])
        zygote.close()
    assert log.errors == []
    distinct = {(h, n) for h, n in log.saved.values()}
    # per burst: 2 children x 30 distinct saves + one shared (content, note) saved by both
    assert len(log.saved) == len(distinct) == 3 * (2 * 30) + 1
    assert check_library(path, log, restore_every=7) == []


def test_export_killed_mid_write_leaves_the_previous_file_intact(tmp_path):
    import numpy as np

    from workbench import default_scenario
    from workbench.excel import read_workbook

    path, out = tmp_path / "lib.sqlite", tmp_path / "briefing.xlsx"
    base = default_scenario()
    other = base.with_fields(Name="the colleague's version", Description="changed")
    with Library(path) as lib:
        a, b = lib.save(base, note="a"), lib.save(other, note="b")
        lib.export(a, out)
    hashes = {base.content_hash(), other.content_hash()}
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(77)))
    exported = 0
    with Zygote(path) as zygote:
        for k in range(30):
            delay, after = int(rng.integers(0, 150_000)), int(rng.integers(0, 3))
            result = zygote.ask(f"export e{k} {delay} {after} {out} {b} {a}")
            assert result["errors"] == [] and result["killed"]
            exported += len(result["lines"])
            read = read_workbook(out)  # always a whole workbook: the old one or a complete new one
            assert [i.text() for i in read.issues if i.is_error] == []
            assert read.scenario.content_hash() in hashes
        zygote.close()
    print(f"{exported} exports completed between the kills")
    assert exported >= 20  # rounds waited for completed exports: both outcomes were exercised
