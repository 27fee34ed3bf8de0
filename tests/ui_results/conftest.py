"""Fixtures of the results UI tests: no worker thread may outlive its test."""

from __future__ import annotations

import pytest

from tests.qt_fixtures import no_dangling_workers  # noqa: F401 (autouse fixture)


@pytest.fixture
def default_scn():
    from workbench.default_scenario import default_scenario

    return default_scenario()
