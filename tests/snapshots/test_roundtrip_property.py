"""Property: whatever the edits, a snapshot restores to the same content and saving it again dedups."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import default_scenario
from workbench.commands import SetCell, SetField
from workbench.snapshots import Library

BASE = default_scenario()
NUMERIC = ["Requested (USD m)", "Minimum ticket (USD m)", "Expected return", "Specific risk", "Strategic score"]

edits = st.lists(st.one_of(
    st.tuples(st.just("cell"), st.integers(0, len(BASE.projects) - 1), st.sampled_from(NUMERIC),
              st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))),
    st.tuples(st.just("field"), st.just(0), st.sampled_from(["Name", "Description", "Author"]),
              st.text(max_size=40)),
), max_size=6)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    with Library(tmp_path_factory.mktemp("prop") / "lib.sqlite") as library:
        yield library


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=edits, note=st.text(max_size=30))
def test_save_restore_round_trip_and_dedup(lib, changes, note):
    scn = BASE
    for kind, row, column, value in changes:
        cmd = SetCell("Projects", row, column, value) if kind == "cell" else SetField(column, value)
        scn = cmd.apply(scn)[0]
    sid = lib.save(scn, note=note)
    assert lib.restore(sid).content_hash() == scn.content_hash()
    assert lib.save(scn, note=note) == sid
    info = lib.get(sid)
    assert (info.note, info.content_hash) == (note, scn.content_hash())
