"""Fixtures of the snapshot UI tests: settings in a temporary folder, no worker left running."""

from tests.qt_fixtures import no_dangling_workers, temp_settings_dir  # noqa: F401 (autouse fixtures)
