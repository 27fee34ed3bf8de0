"""Economic impact: jobs and value added by project, sector and state.

``docs/contracts/models.md``: the amount allocated (face value, undiscounted, counted once) times its
sector's ``Jobs per USD m`` and ``Value added per USD``. Loans and guarantees count at
their face amount like equity: the multipliers are the user's statement of what a dollar
of the programme supports, whatever the instrument.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import SupportsFloat, SupportsIndex

from workbench.scenario import Scenario


@dataclass(frozen=True)
class ImpactRow:
    name: str              # project ID, sector name or state code
    amount: float          # USD m allocated
    jobs: float            # jobs supported
    value_added: float     # USD m of value added


@dataclass(frozen=True)
class SectorAssumption:
    sector: str
    jobs_per_usd_m: float
    value_added_per_usd: float


@dataclass(frozen=True)
class ImpactResult:
    amount: float
    jobs: float
    value_added: float
    by_project: tuple[ImpactRow, ...]
    by_sector: tuple[ImpactRow, ...]
    by_state: tuple[ImpactRow, ...]       # "(no state)" for projects without one
    assumptions: tuple[SectorAssumption, ...]

    def as_dict(self) -> dict[str, float | dict[str, dict[str, float]]]:
        def rows(rs: tuple[ImpactRow, ...]) -> dict[str, dict[str, float]]:
            return {r.name: {"amount": r.amount, "jobs": r.jobs, "value_added": r.value_added} for r in rs}
        return {"amount": self.amount, "jobs": self.jobs, "value_added": self.value_added,
                "by_project": rows(self.by_project), "by_sector": rows(self.by_sector),
                "by_state": rows(self.by_state),
                "assumptions": {a.sector: {"jobs_per_usd_m": a.jobs_per_usd_m,
                                           "value_added_per_usd": a.value_added_per_usd} for a in self.assumptions}}


def _num(v: SupportsFloat | SupportsIndex | str | None) -> float:
    if v is None:
        return 0.0
    try:
        x = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(x) else x


def economic_impact(scn: Scenario, amounts: Mapping[str, float]) -> ImpactResult:
    """Jobs and value added of the allocation ``amounts`` (project ID -> USD m)."""
    sectors = scn.sectors
    assumptions = tuple(SectorAssumption(str(s), _num(j), _num(v)) for s, j, v in
                        zip(sectors["Sector"], sectors["Jobs per USD m"], sectors["Value added per USD"]))
    mult = {a.sector: a for a in assumptions}
    p = scn.projects_effective()
    by_project: list[ImpactRow] = []
    by_sector: dict[str, ImpactRow] = {}
    by_state: dict[str, ImpactRow] = {}
    for pid, sector, state in zip(p["ID"], p["Sector"], p["State"]):
        x = _num(amounts.get(str(pid), 0.0))
        a = mult.get(str(sector))
        jobs = x * a.jobs_per_usd_m if a else 0.0
        va = x * a.value_added_per_usd if a else 0.0
        by_project.append(ImpactRow(str(pid), x, jobs, va))
        for table, key in ((by_sector, str(sector)), (by_state, str(state) if state else "(no state)")):
            r = table.get(key, ImpactRow(key, 0.0, 0.0, 0.0))
            table[key] = ImpactRow(key, r.amount + x, r.jobs + jobs, r.value_added + va)
    return ImpactResult(
        amount=sum(r.amount for r in by_project), jobs=sum(r.jobs for r in by_project),
        value_added=sum(r.value_added for r in by_project), by_project=tuple(by_project),
        by_sector=tuple(by_sector.values()), by_state=tuple(sorted(by_state.values(), key=lambda r: -r.amount)),
        assumptions=assumptions,
    )
