"""Scenario Workbench: the pure core (no Qt). Scenario, validation, models, Excel and snapshot I/O, CLI.

The names below are imported on first use (PEP 562), so that ``import workbench`` and
``workbench --help`` do not pay for pandas and numpy.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.default_scenario import default_scenario
    from workbench.issues import Issue
    from workbench.scenario import Scenario
    from workbench.validation import validate

__version__ = "0.1.0"
__all__ = ["Issue", "Scenario", "__version__", "default_scenario", "validate"]

_LAZY = {
    "Issue": "workbench.issues",
    "Scenario": "workbench.scenario",
    "validate": "workbench.validation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """``workbench.default_scenario`` is the function, as it was when this file imported it eagerly.

    The submodule of the same name would otherwise win: the import system binds a loaded
    submodule as an attribute of its package, and that attribute would shadow the lazy name.
    """

    @property
    def default_scenario(self) -> Any:
        from workbench.default_scenario import default_scenario

        return default_scenario

    @default_scenario.setter
    def default_scenario(self, _module: Any) -> None:  # the import system binding the submodule
        pass


sys.modules[__name__].__class__ = _Package
