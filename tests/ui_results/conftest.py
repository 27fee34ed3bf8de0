"""Fixtures of the results UI tests: no worker thread may outlive its test."""

from __future__ import annotations

import pytest

from ui.runner import live_workers


@pytest.fixture(autouse=True)
def no_dangling_workers(qapp):
    """Fail any test that leaves a RunController worker thread running (then stop it, so the next test is clean)."""
    yield
    left = live_workers()
    if left:
        for thread in left:
            thread.cancel_event.set()
        for thread in left:
            thread.wait(60_000)
        pytest.fail(f"{len(left)} worker thread(s) were still running at the end of the test: "
                    "wait for finished/failed/cancelled (or call RunController.shutdown()) before returning.")


@pytest.fixture
def default_scn():
    from workbench.default_scenario import default_scenario

    return default_scenario()
