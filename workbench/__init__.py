"""Scenario Workbench: the pure core (no Qt). Scenario, validation, models, Excel and snapshot I/O, CLI."""

from workbench.default_scenario import default_scenario
from workbench.issues import Issue
from workbench.scenario import Scenario
from workbench.validation import validate

__version__ = "0.1.0"
__all__ = ["Issue", "Scenario", "__version__", "default_scenario", "validate"]
