"""RunController: background runs of the real pipeline, progress, cancel, failures, bursts."""

from __future__ import annotations

import pandas as pd
import pytest

from ui.runner import RunController, describe_error
from workbench.results import RunResult

TRIALS = 2_000
TIMEOUT = 120_000


@pytest.fixture
def controller(qtbot):
    c = RunController(options={"trials": TRIALS, "tornado": False})
    yield c
    c.shutdown()


class Recorder:
    """Counts every signal of a controller."""

    def __init__(self, c: RunController) -> None:
        self.started = 0
        self.progress: list[tuple[float, str]] = []
        self.finished: list[object] = []
        self.failed: list[str] = []
        self.cancelled = 0
        c.started.connect(self._started)
        c.progress.connect(lambda f, m: self.progress.append((f, m)))
        c.finished.connect(self.finished.append)
        c.failed.connect(self.failed.append)
        c.cancelled.connect(self._cancelled)

    def _started(self) -> None:
        self.started += 1

    def _cancelled(self) -> None:
        self.cancelled += 1


def test_run_delivers_the_pipeline_result_with_progress(qtbot, controller, default_scn):
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT) as blocker:
        controller.start(default_scn)
        assert controller.is_running()
    run = blocker.args[0]
    assert isinstance(run, RunResult)
    assert run.trials == TRIALS
    assert run.scenario_hash == default_scn.with_fields(Trials=TRIALS).content_hash()
    assert controller.wait(TIMEOUT)
    assert not controller.is_running()
    assert rec.started == 1 and len(rec.finished) == 1 and not rec.failed and rec.cancelled == 0
    fractions = [f for f, _ in rec.progress]
    assert fractions, "no progress reported"
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in rec.progress)


def test_cancel_a_long_run_gives_cancelled_and_no_result(qtbot, default_scn):
    c = RunController(options={"trials": 3_000_000})
    rec = Recorder(c)
    with qtbot.waitSignal(c.progress, timeout=TIMEOUT):
        c.start(default_scn)
    # Cancel as soon as the run reports it is under way (well before 3 million trials are done).
    with qtbot.waitSignal(c.cancelled, timeout=TIMEOUT):
        c.cancel()
    assert c.wait(TIMEOUT)
    assert rec.cancelled == 1
    assert rec.finished == [] and rec.failed == []
    assert c.last_result is None
    assert not c.is_running()


def test_invalid_scenario_fails_with_a_sentence_and_the_app_goes_on(qtbot, controller, default_scn):
    projects = default_scn.projects.copy()
    projects.loc[0, "Requested (USD m)"] = -5.0
    bad = default_scn.with_table("Projects", projects)
    before = bad.content_hash()
    rec = Recorder(controller)
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT) as blocker:
        controller.start(bad)
    message = blocker.args[0]
    assert "Traceback" not in message
    assert "problems to fix" in message
    first_id = str(default_scn.projects.loc[0, "ID"])
    assert first_id in message and "Requested" in message
    assert bad.content_hash() == before          # the data is unchanged
    assert not controller.is_running() and rec.finished == []
    # The controller (and the app) carry on: the next run works.
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT):
        controller.start(default_scn)


def test_infeasible_constraints_fail_with_the_explanation(qtbot, controller, default_scn):
    cons = default_scn.constraints
    sector = default_scn.sector_names[0]
    row = {c: None for c in cons.columns}
    row.update({"Group": "Sector", "Value": sector, "Min share": 0.99})
    if "Max share" in cons.columns:
        row["Max share"] = None
    extra = pd.DataFrame([row], columns=cons.columns).astype(cons.dtypes.to_dict())
    bad = default_scn.with_table("Constraints", pd.concat([cons, extra], ignore_index=True))
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT) as blocker:
        controller.start(bad)
    message = blocker.args[0]
    assert "Traceback" not in message
    assert message.startswith("No allocation satisfies")
    assert f"Sector {sector} min share 0.99" in message     # the limit as the user wrote it, and its least change


def test_burst_of_schedules_makes_one_run_of_the_last_scenario(qtbot, default_scn):
    c = RunController(options={"trials": TRIALS, "tornado": False, "stress": False}, delay_ms=30)
    rec = Recorder(c)
    burst = [default_scn.with_fields(Name=f"Edit {i}") for i in range(5)]
    with qtbot.waitSignal(c.finished, timeout=TIMEOUT) as blocker:
        for scn in burst:
            c.schedule(scn)
        assert c.is_scheduled() and not c.is_running()
    assert blocker.args[0].scenario_name == "Edit 4"
    assert c.wait(TIMEOUT)
    assert rec.started == 1 and len(rec.finished) == 1
    assert not c.is_scheduled()
    c.shutdown()


def test_starting_again_supersedes_the_run_under_way(qtbot, default_scn):
    c = RunController(options={"trials": TRIALS, "tornado": False})
    rec = Recorder(c)
    c.start(default_scn, trials=400_000)
    with qtbot.waitSignal(c.finished, timeout=TIMEOUT) as blocker:
        c.start(default_scn.with_fields(Name="Second"), trials=TRIALS)
    assert c.wait(TIMEOUT)
    assert blocker.args[0].scenario_name == "Second"
    assert blocker.args[0].trials == TRIALS
    assert len(rec.finished) == 1 and rec.cancelled == 0 and rec.failed == []
    assert rec.started == 2


def test_describe_error_never_shows_a_traceback():
    text = describe_error(ValueError("bad thing"))
    assert "bad thing" in text and "unchanged" in text
    assert "memory" in describe_error(MemoryError())


def test_live_workers_sees_a_running_worker_until_it_ends(qtbot, default_scn):
    from ui.runner import live_workers

    c = RunController(options={"trials": 3_000_000})
    with qtbot.waitSignal(c.progress, timeout=TIMEOUT):
        c.start(default_scn)
    assert len(live_workers()) == 1       # what the no_dangling_workers fixture checks after each test
    with qtbot.waitSignal(c.cancelled, timeout=TIMEOUT):
        c.cancel()
    assert c.wait(TIMEOUT)
    assert live_workers() == []


def test_cancel_drops_a_scheduled_run(qtbot, default_scn):
    c = RunController(options={"trials": TRIALS}, delay_ms=10_000)
    rec = Recorder(c)
    c.schedule(default_scn)
    assert c.is_scheduled()
    c.cancel()
    assert not c.is_scheduled() and not c.is_running()
    assert rec.started == 0
