"""Crash tests: SIGKILL at random moments while saving; two processes saving at once.

A warm helper process forks a fresh child per round; the child opens the library (which
runs the integrity check) and saves snapshots in a loop, reporting each id after its save
returned, until it is killed after a random delay drawn from a seeded generator. The
moment of each kill varies from run to run; the outcome asserted does not.
"""

from __future__ import annotations

import os

import pytest
from snapshot_killer import KillLog, Zygote, check_library, kill_loop, record_lines

from workbench.snapshots import Library

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

KILLS = 240


def test_every_returned_save_survives_hundreds_of_sigkills(tmp_path):
    path = tmp_path / "lib.sqlite"
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
