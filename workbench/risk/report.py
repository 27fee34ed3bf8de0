"""The run summary: the key figures of a :class:`~workbench.results.RunResult` as plain data.

``summary_dict`` is the object ``workbench run --json`` prints; ``summary_text`` is the
readable summary on stdout. Both read the key figures and tables from
:mod:`workbench.figures`, the one definition the app and the results workbook read too.
Every key is documented in ``docs/risk-model.md``; names are stable.
"""

from __future__ import annotations

from typing import Any

from workbench.figures import (
    USD_M,
    allocation_explanation,
    contributions_table,
    format_value,
    key_figures,
    npv_name,
    stress_table,
    tornado_table,
)
from workbench.impact import ImpactResult
from workbench.results import RunResult, finite_or_none

#: The top-level keys of ``summary_dict``, in order (documented in docs/risk-model.md).
SUMMARY_KEYS = (
    "ok", "scenario", "method", "trials", "seed", "scenario_hash", "input_hash", "confidence", "discount_rate",
    "allocation", "programme_size", "cash_deployed", "guarantee_exposure", "total_committed", "expected_pnl", "std",
    "var", "cvar", "prob_loss", "percentiles", "nominal", "key_figures", "allocation_explanation", "contributions",
    "contributions_by", "stress", "tornado", "tornado_trials", "jobs", "value_added", "impact", "events",
    "guarantees", "mc_error", "allocation_status", "warnings",
)


def summary_dict(run: RunResult) -> dict[str, Any]:
    """The JSON summary of ``run`` (USD m; fractions; losses positive; non-finite -> None)."""
    r = run.risk
    alloc = run.allocation
    impact = run.impact
    figs = {f.key: f for f in key_figures(run)}
    nom = r.nominal
    out: dict[str, Any] = {
        "ok": True,
        "scenario": run.scenario_name,
        "method": run.method,
        "trials": run.trials,
        "seed": run.seed,
        "scenario_hash": run.scenario_hash,
        "input_hash": run.input_hash,
        "confidence": r.confidence,
        "discount_rate": r.discount_rate,
        "allocation": dict(alloc.amounts),
        "programme_size": run.programme_size,
        "cash_deployed": figs["cash_deployed"].value,
        "guarantee_exposure": figs["guarantee_exposure"].value,
        "total_committed": figs["total_committed"].value,
        "expected_pnl": r.expected_pnl,
        "std": r.std,
        "var": r.var,
        "cvar": r.cvar,
        "prob_loss": r.prob_loss,
        "percentiles": {str(q): v for q, v in r.percentiles.items()},
        "nominal": None if nom is None else {
            "cash_invested": nom.cash_invested, "expected_cash_returned": nom.expected_cash_returned,
            "cash_multiple": nom.cash_multiple, "prob_cash_loss": nom.prob_cash_loss,
            "irr": {str(q): v for q, v in nom.irr_percentiles.items()}},
        "key_figures": [f.as_json() for f in figs.values()],
        "allocation_explanation": allocation_explanation(run) or None,
        "contributions": dict(r.contributions["sector"]),
        "contributions_by": {k: dict(v) for k, v in r.contributions.items()},
        "stress": {s.name: {"expected_pnl": s.expected_pnl, "cvar": s.cvar, "change": s.expected_pnl_change,
                            "cvar_change": s.cvar_change, "prob_loss": s.prob_loss} for s in run.stress},
        "tornado": [{"input": b.input, "step": b.step, "base_value": b.base_value, "low_value": b.low_value,
                     "high_value": b.high_value, "base_expected_pnl": b.base_expected_pnl,
                     "expected_pnl_low": b.expected_pnl_low, "expected_pnl_high": b.expected_pnl_high,
                     "base_cvar": b.base_cvar, "cvar_low": b.cvar_low, "cvar_high": b.cvar_high}
                    for b in run.tornado],
        "tornado_trials": run.tornado[0].trials if run.tornado else None,
        "jobs": impact.jobs if impact is not None else None,
        "value_added": impact.value_added if impact is not None else None,
        "impact": _impact(impact),
        "events": {e.event: {"probability": e.probability, "expected_pnl_with": e.expected_pnl_with,
                             "expected_pnl_without": e.expected_pnl_without} for e in r.events},
        "guarantees": {"face": r.guarantees.face, "expected_payout": r.guarantees.expected_payout,
                       "expected_payout_pv": r.guarantees.expected_payout_pv,
                       "probability_of_payout": r.guarantees.probability_of_payout,
                       "percentiles": {_pkey(q): v for q, v in r.guarantees.percentiles.items()},
                       "max_payout": r.guarantees.max_payout},
        "mc_error": {"expected_pnl_se": r.mc_error.expected_pnl_se, "var_ci": list(r.mc_error.var_ci),
                     "cvar_ci": list(r.mc_error.cvar_ci), "cvar_se": r.mc_error.cvar_se,
                     "level": r.mc_error.level},
        "allocation_status": {"status": alloc.status, "gap": alloc.gap, "objective": alloc.objective,
                              "notes": list(alloc.notes)},
        "warnings": [i.text() for i in run.issues if not i.is_error],
    }
    safe: dict[str, Any] = finite_or_none(out)
    return safe


def _pkey(q: int) -> str:
    return "99.9" if q == 999 else str(q)


def _impact(impact: ImpactResult | None) -> dict[str, Any] | None:
    if impact is None:
        return None
    d = impact.as_dict()
    return {"by_sector": d["by_sector"], "by_state": d["by_state"]}


def _usd(x: float | None) -> str:
    return format_value(float("nan") if x is None else x, USD_M)


#: The heading of the definitions at the end of the text summary.
DEFINITIONS_HEADING = "What each key figure measures:"


def summary_text(run: RunResult) -> str:
    """A readable summary for the terminal: the key figures with their labels and bands, why less than the
    programme is allocated, the tables (from :mod:`workbench.figures`), then each key figure's definition."""
    figs = key_figures(run)
    npv = npv_name(run)
    width = max(len(f.label) for f in figs) + 2
    lines = [
        f"Scenario: {run.scenario_name or '(unnamed)'}",
        f"Method {run.method}, {run.trials:,} trials, seed {run.seed}; scenario {run.scenario_hash[:12]}",
        "",
        "Key figures:",
    ]
    lines += [f"  {f.label:<{width}}{f.text()}" for f in figs]
    why = allocation_explanation(run)
    if why:
        lines += ["", "Why not the whole programme:", f"  {why}"]
    percentiles = sorted(run.risk.percentiles.items())
    lines += ["", f"{npv}: percentiles " + ", ".join(f"{q} %: {_usd(v)}" for q, v in percentiles)]
    contrib = contributions_table(run, "sector")
    lines += ["", f"{contrib.title} (they add up to CVaR {_usd(run.risk.cvar)}):",
              *[f"  {name:<48} {_usd(v)}" for name, v, _share in contrib.rows]]
    stress = stress_table(run)
    if stress.rows:
        lines += ["", f"{stress.title}: change in expected {npv} from the baseline; CVaR under the stress",
                  f"  ({stress.note})"]
        w = max(len(r[0]) for r in stress.rows)
        lines += [f"  {r[0]:<{w}} {_usd(r[3]):>14};  CVaR {_usd(r[4])}" for r in stress.rows]
    tornado = tornado_table(run)
    if tornado.rows:
        low, high = (tornado.columns[i].header.removesuffix(" (USD m)") for i in (6, 7))
        lines += ["", f"{tornado.title}, largest first: {low} / {high}", f"  ({tornado.note})"]
        top = tornado.rows[:6]
        w = max(len(r[0]) for r in top)
        lines += [f"  {r[0]:<{w}} {_usd(r[6]):>14} / {_usd(r[7])}" for r in top]
    lines += ["", DEFINITIONS_HEADING]
    for f in figs:
        lines += [f"  {f.label}", f"      {f.definition}"]
    for i in run.issues:
        if not i.is_error:
            lines.append(f"Warning: {i.text()}")
    return "\n".join(lines)
