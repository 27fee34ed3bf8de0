"""The risk engine: Monte Carlo simulation of an allocation and its risk measures.

``fit_sample`` gives the allocation engine each project's P&L per USD m on the fitting
stream; ``simulate`` reports an allocation on the reporting stream as a ``RiskResult``.
The model is ``docs/contracts/models.md``; choices are documented in ``docs/risk-model.md``.
"""

from workbench.risk.engine import UnitSample, fit_sample, simulate
from workbench.risk.model import ModelError, RiskModel, build_model
from workbench.risk.result import RiskResult

__all__ = ["ModelError", "RiskModel", "RiskResult", "UnitSample", "build_model", "fit_sample", "simulate"]
