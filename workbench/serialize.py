"""Scenario <-> plain JSON-ready data, lossless: ``scenario_from_dict(scenario_to_dict(s))``
has the same content hash as ``s``.

The shape is the ``"scenario"`` object of ``workbench validate --json``: ``"scenario"``
(Field -> value), ``"sectors"``, ``"projects"``, ``"financing"``, ``"constraints"``,
``"risk_events"`` (lists of records keyed by canonical column names, values in canonical
units, ``Include`` as true/false, empty cells as null) and ``"correlations"``
(``{"sectors": [...], "matrix": [[...]]}`` or null when the workbook had none) and
``"sources"`` (the assumption register: records with sheet, row, column, source, date,
owner, grade, review_by and note; absent or empty when there is none).
Snapshots and crash-recovery records store this form too; provenance travels beside it
through :func:`provenance_to_list` / :func:`provenance_from_list`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from workbench import schema
from workbench.scenario import Provenance, Scenario, make_table
from workbench.sources import Sources

KEYS = {"Sectors": "sectors", "Projects": "projects", "Financing": "financing",
        "Constraints": "constraints", "Risk events": "risk_events"}


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    return str(v)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(frame.columns)
    return [dict(zip(cols, (_plain(v) for v in row), strict=True))
            for row in frame.itertuples(index=False, name=None)]


def scenario_to_dict(scn: Scenario) -> dict[str, Any]:
    """The scenario as JSON-ready data (see the module docstring for the shape)."""
    out: dict[str, Any] = {"scenario": {c.name: _plain(scn.fields.get(c.name))
                                        for c in schema.SCENARIO_FIELDS.columns}}
    for name, key in KEYS.items():
        out[key] = _records(scn.table(name))
    out["risk_event_sectors"] = scn.event_sector_columns()
    corr = scn.correlations
    if corr is None:
        out["correlations"] = None
    else:
        labels = [str(x) for x in corr.index] + [str(c) for c in corr.columns if c not in corr.index]
        out["correlations"] = {
            "sectors": labels,
            "matrix": [[_plain(corr.at[a, b]) if a in corr.index and b in corr.columns else None
                        for b in labels] for a in labels],
        }
    if scn.sources:
        out["sources"] = scn.sources.to_list()
    return out


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """Rebuild a Scenario from :func:`scenario_to_dict` output."""
    fields = dict(data.get("scenario") or {})
    tables = {}
    for name, key in KEYS.items():
        rows = list(data.get(key) or [])
        extra: list[str] = []
        if name == "Risk events":
            base = set(schema.RISK_EVENTS.column_names)
            extra = list(data.get("risk_event_sectors") or [])
            for row in rows:
                extra += [c for c in row if c not in base and c not in extra]
        tables[key] = make_table(name, rows, extra=extra)
    corr_data = data.get("correlations")
    corr = None
    if corr_data is not None:
        labels = list(corr_data["sectors"])
        matrix = [[math.nan if v is None else float(v) for v in row] for row in corr_data["matrix"]]
        corr = pd.DataFrame(matrix, index=labels, columns=labels, dtype="float64")
    return Scenario(fields=fields, sectors=tables["sectors"], projects=tables["projects"],
                    financing=tables["financing"], constraints=tables["constraints"],
                    risk_events=tables["risk_events"], correlations=corr,
                    sources=Sources.from_list(data.get("sources")))


def provenance_to_list(scn: Scenario) -> list[dict[str, str]]:
    """The scenario's provenance records as a list of plain dicts."""
    return [{"table": t, "row": r, "column": c, "file": p.file, "sheet": p.sheet, "cell": p.cell,
             "author": p.author, "imported_at": p.imported_at}
            for (t, r, c), p in sorted(scn.provenance.items())]


def provenance_from_list(items: list[dict[str, str]]) -> dict[tuple[str, str, str], Provenance]:
    return {(d["table"], d["row"], d["column"]):
            Provenance(d["file"], d["sheet"], d["cell"], d.get("author", ""), d.get("imported_at", ""))
            for d in items}
