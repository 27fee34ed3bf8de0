"""The run summary: the key figures of a :class:`~workbench.results.RunResult` as plain data.

``summary_dict`` is the object ``workbench run --json`` prints (and what
``RunResult.summary()`` returns); ``summary_text`` is the readable summary on stdout.
Every key is documented in ``docs/risk-model.md``; names are stable.
"""

from __future__ import annotations

from typing import Any

from workbench.results import RunResult, finite_or_none

#: The top-level keys of ``summary_dict``, in order (documented in docs/risk-model.md).
SUMMARY_KEYS = (
    "ok", "scenario", "method", "trials", "seed", "scenario_hash", "confidence", "allocation", "deployed",
    "expected_pnl", "std", "var", "cvar", "prob_loss", "percentiles", "contributions", "contributions_by",
    "stress", "tornado", "jobs", "value_added", "impact", "events", "guarantees", "mc_error", "allocation_status",
    "warnings",
)


def summary_dict(run: RunResult) -> dict[str, Any]:
    """The JSON summary of ``run`` (USD m; fractions; losses positive; non-finite -> None)."""
    r = run.risk
    alloc = run.allocation
    impact = run.impact
    out: dict[str, Any] = {
        "ok": True,
        "scenario": run.extra.get("scenario_name"),
        "method": run.method,
        "trials": run.trials,
        "seed": run.seed,
        "scenario_hash": run.scenario_hash,
        "confidence": r.confidence,
        "allocation": dict(alloc.amounts),
        "deployed": alloc.total,
        "expected_pnl": r.expected_pnl,
        "std": r.std,
        "var": r.var,
        "cvar": r.cvar,
        "prob_loss": r.prob_loss,
        "percentiles": {str(q): v for q, v in r.percentiles.items()},
        "contributions": dict(r.contributions["sector"]),
        "contributions_by": {k: dict(v) for k, v in r.contributions.items()},
        "stress": {s.name: {"expected_pnl": s.expected_pnl, "cvar": s.cvar, "change": s.expected_pnl_change,
                            "cvar_change": s.cvar_change} for s in run.stress},
        "tornado": [{"input": b.input, "step": b.step, "base_value": b.base_value, "low_value": b.low_value,
                     "high_value": b.high_value, "expected_pnl_low": b.expected_pnl_low,
                     "expected_pnl_high": b.expected_pnl_high, "cvar_low": b.cvar_low, "cvar_high": b.cvar_high}
                    for b in run.tornado],
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
        "warnings": [i.text() for i in run.extra.get("issues", ()) if not i.is_error],
    }
    return finite_or_none(out)


def _pkey(q: int) -> str:
    return "99.9" if q == 999 else str(q)


def _impact(impact: Any) -> dict[str, Any] | None:
    if impact is None:
        return None
    d = impact.as_dict()
    return {"by_sector": d["by_sector"], "by_state": d["by_state"]}


def _usd(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"USD {x / 1000:,.1f} bn" if abs(x) >= 1000 else f"USD {x:,.0f} m"


def summary_text(run: RunResult) -> str:
    """A readable summary for the terminal."""
    s = summary_dict(run)
    c = s["confidence"]
    mc = s["mc_error"]

    def row(label: str, value: str) -> str:
        return f"{label:<30} {value}"

    def band(ci: list) -> str:
        return f"(95 % band {_usd(ci[0])} to {_usd(ci[1])})"

    lines = [
        f"Scenario: {s['scenario'] or '(unnamed)'}",
        f"Method {s['method']}, {s['trials']:,} trials, seed {s['seed']}; scenario {s['scenario_hash'][:12]}",
        f"Deployed: {_usd(s['deployed'])} across {sum(1 for v in s['allocation'].values() if v > 0)} projects",
        "",
        row("Expected P&L (present value)", f"{_usd(s['expected_pnl'])}  (standard error "
                                            f"{_usd(mc['expected_pnl_se'])})"),
        row("Standard deviation", _usd(s["std"])),
        row("Probability of a loss", f"{s['prob_loss']:.1%}"),
        row(f"VaR {c:.0%}", f"{_usd(s['var'])}  {band(mc['var_ci'])}"),
        row(f"CVaR {c:.0%}", f"{_usd(s['cvar'])}  {band(mc['cvar_ci'])}"),
        "P&L percentiles: " + ", ".join(f"{q} %: {_usd(v)}" for q, v in s["percentiles"].items()),
        "",
        f"CVaR contributions by sector (sum to CVaR {_usd(s['cvar'])}):",
        *[f"  {k:<48} {_usd(v)}" for k, v in s["contributions"].items()],
    ]
    if s["stress"]:
        lines += ["", "Stress tests: change in expected P&L from the baseline; CVaR under the stress"]
        lines += [f"  {k[:48]:<48} {_usd(v['change']):>14};  CVaR {_usd(v['cvar'])}" for k, v in s["stress"].items()]
    if s["tornado"]:
        lines += ["", "Largest sensitivities: expected P&L with the input moved down / up"]
        for b in s["tornado"][:6]:
            lines.append(f"  {b['input'][:48]:<48} {_usd(b['expected_pnl_low']):>14} / {_usd(b['expected_pnl_high'])}")
    g = s["guarantees"]
    if g["face"]:
        lines += ["", f"Guarantees: {_usd(g['face'])} face; expected payout {_usd(g['expected_payout'])}, "
                      f"probability of any payout {g['probability_of_payout']:.1%}, "
                      f"99 % payout {_usd(g['percentiles'].get('99'))}"]
    lines += ["", f"Economic impact: {s['jobs']:,.0f} jobs, value added {_usd(s['value_added'])}"]
    for w in s["warnings"]:
        lines.append(f"Warning: {w}")
    return "\n".join(lines)
