"""Plain-text rendering of a snapshot comparison (the CLI's ``snapshot diff``)."""

from __future__ import annotations

from workbench.snapshots.compare import Comparison

#: Names of the stored key results, naming the measure as the key figures do (workbench.figures); the
#: discount rate is left out because two snapshots may use different rates ("deployed": older snapshots).
NAMES = {"expected_pnl": "Expected NPV at the discount rate", "std": "Standard deviation of NPV",
         "var": "VaR (NPV)", "cvar": "CVaR (NPV)", "prob_loss": "P(NPV below zero)",
         "cash_deployed": "Cash deployed (equity and loans)", "guarantee_exposure": "Guarantee exposure (face value)",
         "total_committed": "Total committed (cash + guarantees)", "deployed": "Total committed (cash + guarantees)",
         "jobs": "Jobs", "value_added": "Value added"}


def figure(key: str, value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "-"
    sign = "+" if signed else ""
    if key == "prob_loss":
        return f"{value * 100:{sign},.1f} %" if not signed else f"{value * 100:+,.1f} pts"
    if key == "jobs":
        return f"{value:{sign},.0f}"
    return f"USD {value:{sign},.0f} m"


def diff_text(diff: object) -> str:
    for name in ("text", "summary_text", "to_text"):
        fn = getattr(diff, name, None)
        if callable(fn):
            return str(fn())
    return str(diff)


def comparison_text(cmp: Comparison) -> str:
    lines = [f"Comparing {cmp.old_label} -> {cmp.new_label}"]
    if cmp.identical:
        lines.append("The inputs are identical (same content hash).")
    else:
        lines += ["", "Input changes:", diff_text(cmp.diff)]
    shown = sorted((d for d in cmp.deltas if d.key in NAMES), key=lambda d: list(NAMES).index(d.key))
    if shown:
        lines += ["", "Key results (stored with the snapshots):"]
        for d in shown:
            lines.append(f"  {NAMES[d.key]:36} {figure(d.key, d.old):>20} -> {figure(d.key, d.new):>20}"
                         f"   ({figure(d.key, d.delta, signed=True)})")
    elif not cmp.identical:
        lines += ["", "No key results to compare (save the snapshots with --run to keep them)."]
    w = cmp.waterfall
    if w is not None:
        lines += ["", f"Waterfall ({w.trials:,} trials, seed {w.seed}, the same random numbers for every run):",
                  f"  {'start':40} {figure('expected_pnl', w.base.get('expected_pnl')):>18} "
                  f"{figure('cvar', w.base.get('cvar')):>18}   (expected NPV, CVaR)"]
        for s in w.steps:
            lines.append(f"  {s.label[:40]:40} {figure('expected_pnl', s.deltas.get('expected_pnl'), signed=True):>18} "
                         f"{figure('cvar', s.deltas.get('cvar'), signed=True):>18}")
        lines.append(f"  {'end':40} {figure('expected_pnl', w.final.get('expected_pnl')):>18} "
                     f"{figure('cvar', w.final.get('cvar')):>18}")
    return "\n".join(lines)
