"""Fixtures of the results UI tests (tests/ui/conftest.py adds temporary settings and fails a test that
leaves a worker thread running)."""

from __future__ import annotations

import pytest


@pytest.fixture
def default_scn():
    from workbench.default_scenario import default_scenario

    return default_scenario()
