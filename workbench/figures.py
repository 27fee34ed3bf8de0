"""The results vocabulary: a run's key figures and results tables, defined once.

Every consumer reads a :class:`~workbench.results.RunResult` through this module: the
app's key-figures table and results tables, the results workbook, the CLI text and its
``--json``. A key figure has a stable ``key``, a ``label`` that names its measure exactly
("Expected NPV at 5 %", "P(NPV at 5 % below zero)"), a ``value`` in a stated ``unit``, a
one-sentence ``definition`` (the app's tooltip, the workbook's Definition column) and,
where the Monte Carlo gives one, a 95 % ``band``.

Units: ``"USD m"`` (money), ``"fraction"`` (a probability or share, 0..1), ``"rate"`` (a
rate a year, 0.05 = 5 %), ``"multiple"`` (a ratio, 1.6 = 1.6 times), ``"jobs"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.whatif.vocabulary import WHATIF_FIGURES  # what-if results: key -> (label, unit, definition)

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario

USD_M, FRACTION, RATE, MULTIPLE, JOBS = "USD m", "fraction", "rate", "multiple", "jobs"
#: Two-sided level of every band below (normal approximation).
BAND_LEVEL = 0.95
_Z = 1.959963984540054
#: Instruments that put cash out; a guarantee puts none out unless a guaranteed borrower defaults.
CASH_INSTRUMENTS = ("Equity", "Loan")
GUARANTEE = "Guarantee"


@dataclass(frozen=True)
class KeyFigure:
    """One named number of a run, with what it measures."""

    key: str                                  # stable name ("expected_npv"), also the JSON name
    label: str                                # what the user reads ("Expected NPV at 5 %")
    value: float                              # NaN when the run cannot say (no cash invested, ...)
    unit: str                                 # USD m, fraction, rate, multiple, jobs
    definition: str                           # one sentence
    band: tuple[float, float] | None = None   # 95 % Monte Carlo band (low, high), same unit

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": _finite(self.value), "unit": self.unit,
                "definition": self.definition,
                "band": [_finite(self.band[0]), _finite(self.band[1])] if self.band else None}

    def text(self) -> str:
        """The value as a person reads it, with its band."""
        out = format_value(self.value, self.unit)
        if self.band:
            out += f" ({pct(BAND_LEVEL)} band {format_value(self.band[0], self.unit)} to " \
                   f"{format_value(self.band[1], self.unit)})"
        return out


def _finite(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def pct(x: float, digits: int = 1) -> str:
    """``0.05`` -> ``"5 %"``, ``0.0525`` -> ``"5.25 %"`` (as short as exact)."""
    return f"{100 * x:.{digits}f}".rstrip("0").rstrip(".") + " %"


def format_value(value: float, unit: str) -> str:
    """A value as text: ``USD 440.0 bn``, ``41.7 %``, ``5.5 % a year``, ``1.60 x``, ``1,278,000``."""
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    v = float(value)
    if unit == USD_M:
        text = f"{abs(v) / 1000:,.1f} bn" if abs(v) >= 10_000 else f"{abs(v):,.0f} m"
        sign = "\u2212" if v < 0 and text.strip("0.,bnm ") else ""     # no "-0": a true minus before a digit
        return f"USD {sign}{text}"
    if unit == FRACTION:
        return f"{100 * v:.1f} %"
    if unit == RATE:
        return f"{100 * v:.2f} % a year"
    if unit == MULTIPLE:
        return f"{v:.2f} x"
    return f"{v:,.0f}"


def npv_label(discount_rate: float) -> str:
    """``"NPV at 5 %"``: the present value measure, named with its discount rate."""
    return f"NPV at {pct(discount_rate, 2)}"


def npv_name(run: RunResult) -> str:
    """The run's present value measure, named with its discount rate (:func:`npv_label`)."""
    return npv_label(run.risk.discount_rate)


def _amount(run: RunResult, instruments: Sequence[str]) -> float:
    return float(sum(v for k, v in run.allocation.by_instrument.items() if k in instruments))


def cash_deployed(run: RunResult) -> float:
    """Equity and loan amounts allocated, USD m."""
    return _amount(run, CASH_INSTRUMENTS)


def guarantee_exposure(run: RunResult) -> float:
    """Face value of the guarantees allocated, USD m."""
    return _amount(run, (GUARANTEE,))


def _binomial_band(p: float, n: int) -> tuple[float, float]:
    half = _Z * math.sqrt(max(p * (1 - p), 0.0) / n) if n > 0 else float("nan")
    return max(p - half, 0.0), min(p + half, 1.0)


def key_figures(run: RunResult) -> tuple[KeyFigure, ...]:
    """Every key figure of ``run``, in the order they are shown."""
    r = run.risk
    npv = npv_name(run)
    c = pct(r.confidence)
    tail = pct(1 - r.confidence)
    cash, guar = cash_deployed(run), guarantee_exposure(run)
    total = run.allocation.total
    mc = r.mc_error
    se = mc.expected_pnl_se
    out = [
        KeyFigure("programme_size", "Programme size", run.programme_size, USD_M,
                  "The most the scenario lets cash and guarantees together commit."),
        KeyFigure("cash_deployed", "Cash deployed (equity and loans)", cash, USD_M,
                  "The equity and loan amounts allocated: the cash that goes out."),
        KeyFigure("guarantee_exposure", "Guarantee exposure (face value)", guar, USD_M,
                  "The face value of the loan guarantees allocated: no cash goes out unless a guaranteed "
                  "borrower defaults."),
        KeyFigure("total_committed", "Total committed (cash + guarantees)", total, USD_M,
                  "Cash deployed plus guarantee exposure: what counts toward the programme size and the limits."),
        KeyFigure("not_allocated", "Not allocated", run.programme_size - total, USD_M,
                  "The programme size minus the total committed; the explanation beside the allocation says why."),
        KeyFigure("expected_npv", f"Expected {npv}", r.expected_pnl, USD_M,
                  f"The mean over the trials of the allocation's net present value at the {pct(r.discount_rate, 2)} "
                  "discount rate: discounted cash returned and guarantee fees, minus guarantee payouts and the "
                  "cash invested.", (r.expected_pnl - _Z * se, r.expected_pnl + _Z * se)),
        KeyFigure("npv_std", f"Standard deviation of {npv}", r.std, USD_M,
                  f"How far the {npv} typically lies from its mean, over the trials."),
        KeyFigure("var", f"VaR {c} ({npv})", r.var, USD_M,
                  f"The loss of {npv} that only {tail} of trials exceed: minus the {tail} point of the "
                  f"{npv}.", mc.var_ci),
        KeyFigure("cvar", f"CVaR {c} ({npv})", r.cvar, USD_M,
                  f"The average loss of {npv} over the worst {tail} of trials.", mc.cvar_ci),
        KeyFigure("prob_npv_below_zero", f"P({npv} below zero)", r.prob_loss, FRACTION,
                  f"The share of trials whose {npv} is below zero: the allocation earns less than "
                  f"{pct(r.discount_rate, 2)} a year, which is not the same as getting back less cash than "
                  "was put in.", _binomial_band(r.prob_loss, r.trials)),
        KeyFigure("return_on_cash", f"Expected {npv} per USD of cash deployed",
                  r.expected_pnl / cash if cash > 0 else float("nan"), FRACTION,
                  f"The expected {npv} of the whole allocation (guarantees included) divided by the cash deployed."),
    ]
    nom = r.nominal
    nan = float("nan")
    out += [
        KeyFigure("cash_multiple", "Cash multiple (undiscounted)", nom.cash_multiple if nom else nan, MULTIPLE,
                  "The expected undiscounted cash returned (equity value at the horizon, coupons, principal, "
                  "recoveries and guarantee fees, minus guarantee payouts) divided by the cash invested."),
        KeyFigure("prob_cash_loss", "P(less cash back than invested)", nom.prob_cash_loss if nom else nan, FRACTION,
                  "The share of trials in which the undiscounted cash returned over the horizon is less than "
                  "the cash invested.",
                  _binomial_band(nom.prob_cash_loss, r.trials) if nom and math.isfinite(nom.prob_cash_loss)
                  else None),
        KeyFigure("irr_median", "IRR, median", nom.irr_percentiles.get(50, nan) if nom else nan, RATE,
                  "The median over the trials of the annual internal rate of return of the programme's yearly "
                  "cash flows (guarantee fees and payouts included)."),
        KeyFigure("irr_p5", "IRR, 5th percentile", nom.irr_percentiles.get(5, nan) if nom else nan, RATE,
                  "The annual internal rate of return that only 5 % of trials fall below."),
    ]
    g = r.guarantees
    out += [
        KeyFigure("guarantee_expected_payout", "Guarantees: expected payout", g.expected_payout, USD_M,
                  "The mean undiscounted amount paid out on guarantees over the horizon."),
        KeyFigure("guarantee_payout_99", "Guarantees: 99 % payout (contingent liability)",
                  g.percentiles.get(99, nan), USD_M,
                  "The undiscounted guarantee payout over the horizon that only 1 % of trials exceed."),
        KeyFigure("guarantee_prob_payout", "Guarantees: probability of any payout", g.probability_of_payout,
                  FRACTION, "The share of trials in which at least one guaranteed borrower defaults."),
    ]
    if run.impact is not None:
        out += [
            KeyFigure("jobs", "Jobs supported", run.impact.jobs, JOBS,
                      "The amount committed in each sector (cash and guarantees at face value) times the sector's "
                      "jobs per USD m."),
            KeyFigure("value_added", "Value added", run.impact.value_added, USD_M,
                      "The amount committed in each sector times the sector's value added per USD."),
        ]
    return tuple(out)


def key_figure_map(run: RunResult) -> dict[str, KeyFigure]:
    return {f.key: f for f in key_figures(run)}


# ---------------------------------------------------------------- why not the whole programme
def allocation_explanation(run: RunResult) -> str:
    """Why less than the programme size is allocated, in the user's terms ("" when all of it is)."""
    s = run.shortfall
    return s.text() if s is not None else ""


# ---------------------------------------------------------------- tables
@dataclass(frozen=True)
class Column:
    header: str          # with the unit: "Allocated (USD m)"
    unit: str = ""       # USD_M, FRACTION, RATE, "" (text) ...
    definition: str = ""


@dataclass(frozen=True)
class Table:
    """A results table: columns with units and definitions, rows of plain values (money in USD m)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    # each column's values have that column's type (text, or a number); a row mixes them, so readers
    # index a row by column position and the cell type is left open (Any) here
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""                              # a sentence under the title (e.g. the tornado's baseline)
    row_notes: tuple[str, ...] = field(default_factory=tuple)   # one per row (e.g. a stress test's description)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


GROUPS = ("project", "sector", "instrument", "financier", "state")


def allocation_table(run: RunResult, by: str = "project", scenario: Scenario | None = None) -> Table:
    """The allocation by project (with the scenario's names, sectors and requests when given) or by group."""
    alloc = run.allocation
    size = run.programme_size
    if by != "project":
        values = {"sector": alloc.by_sector, "instrument": alloc.by_instrument, "financier": alloc.by_financier,
                  "state": alloc.by_state}[by]
        contrib = run.risk.contributions.get(by, {})
        rows = tuple((str(k), float(v), float(v) / size if size else math.nan,
                      float(contrib.get(k, math.nan)) if by != "state" else math.nan)
                     for k, v in sorted(values.items(), key=lambda kv: -kv[1]))
        cols = [Column(by.capitalize()), Column("Allocated (USD m)", USD_M, "Amount committed (cash or guarantee)."),
                Column("Share of programme", FRACTION, "Allocated divided by the programme size.")]
        if by == "state":
            jobs = {r.name: r.jobs for r in run.impact.by_state} if run.impact is not None else {}
            return Table(f"allocation_by_{by}", f"Allocation by {by}",
                         (*cols, Column("Jobs", JOBS, "Jobs supported in the state.")),
                         tuple((*r[:3], float(jobs.get(r[0], math.nan))) for r in rows if r[1] > 0))
        cols.append(Column("CVaR contribution (USD m)", USD_M, _contrib_def(run)))
        return Table(f"allocation_by_{by}", f"Allocation by {by}", tuple(cols), rows)
    info: dict[str, dict[Hashable, Any]] = {}   # a project's row: the cells as read
    if scenario is not None:
        frame = scenario.projects_effective()
        for rec in frame[["ID", "Project", "Sector", "Instrument", "Financier", "State",
                          "Requested (USD m)"]].to_dict("records"):
            info[str(rec["ID"])] = rec
    expected = run.risk.expected_by_project
    contrib = run.risk.contributions.get("project", {})
    rows_p = []
    for pid, amount in alloc.amounts.items():
        rec = info.get(str(pid), {})
        req = rec.get("Requested (USD m)")
        rows_p.append((str(pid), rec.get("Project") or "", rec.get("Sector") or "", rec.get("Instrument") or "",
                       rec.get("Financier") or "", rec.get("State") or "",
                       float(req) if req is not None else math.nan, float(amount),
                       float(amount) / size if size else math.nan, float(expected.get(pid, math.nan)),
                       float(contrib.get(pid, math.nan))))
    npv = npv_name(run)
    cols_p = (Column("ID"), Column("Project"), Column("Sector"), Column("Instrument"), Column("Financier"),
              Column("State"), Column("Requested (USD m)", USD_M, "The amount the project asks for."),
              Column("Allocated (USD m)", USD_M, "Amount committed (cash, or face value for a guarantee)."),
              Column("Share of programme", FRACTION, "Allocated divided by the programme size."),
              Column(f"Expected {npv} (USD m)", USD_M, f"The project's mean {npv} over the trials."),
              Column("CVaR contribution (USD m)", USD_M, _contrib_def(run)))
    return Table("allocation_by_project", "Allocation by project", cols_p, tuple(rows_p),
                 note=allocation_explanation(run))


def _contrib_def(run: RunResult) -> str:
    return (f"Its share of CVaR: minus its mean {npv_name(run)} over the worst trials (the shares add up to "
            "CVaR).")


def contributions_table(run: RunResult, by: str = "sector") -> Table:
    cvar = run.risk.cvar
    items = sorted(run.risk.contributions.get(by, {}).items(), key=lambda kv: -kv[1])
    rows = tuple((str(k), float(v), float(v) / cvar if cvar else math.nan) for k, v in items)
    return Table(f"contributions_by_{by}", f"Contributions to CVaR by {by}",
                 (Column(by.capitalize()), Column("CVaR contribution (USD m)", USD_M, _contrib_def(run)),
                  Column("Share of CVaR", FRACTION, "Contribution divided by CVaR.")), rows)


def stress_table(run: RunResult) -> Table:
    npv = npv_name(run)
    rows = tuple((s.name, s.description, s.expected_pnl, s.expected_pnl_change, s.cvar, s.cvar_change, s.prob_loss,
                  s.user_defined) for s in run.stress)
    cols = (Column("Stress test"), Column("What happens"),
            Column(f"Expected {npv} (USD m)", USD_M, f"Mean {npv} under the stress."),
            Column("Change (USD m)", USD_M, f"Expected {npv} under the stress minus without it (negative is worse)."),
            Column("CVaR (USD m)", USD_M, f"CVaR of {npv} under the stress."),
            Column("CVaR change (USD m)", USD_M, "CVaR under the stress minus without it (positive is worse)."),
            Column(f"P({npv} below zero)", FRACTION, f"Share of trials with {npv} below zero under the stress."),
            Column("User-defined"))
    return Table("stress", "Stress tests", cols, rows,
                 note=f"Each stress runs on the same {run.risk.trials:,} trials as the key figures.",
                 row_notes=tuple(s.description for s in run.stress))


def tornado_note(run: RunResult) -> str:
    """Which trials the tornado ran on, and its baseline against the key figures'."""
    if not run.tornado:
        return ""
    b = run.tornado[0]
    npv = npv_name(run)
    n = b.trials or run.risk.trials
    if n == run.risk.trials:
        return (f"Runs on the same {n:,} trials as the key figures; baseline expected {npv} "
                f"{format_value(b.base_expected_pnl, USD_M)}.")
    return (f"Runs on the first {n:,} of the {run.risk.trials:,} trials, so its baseline expected {npv} is "
            f"{format_value(b.base_expected_pnl, USD_M)} (key figures: {format_value(run.risk.expected_pnl, USD_M)}) "
            f"and its baseline CVaR {format_value(b.base_cvar, USD_M)} (key figures: "
            f"{format_value(run.risk.cvar, USD_M)}).")


def tornado_table(run: RunResult) -> Table:
    npv = npv_name(run)
    rows = tuple((b.input, b.step, b.low_value, b.base_value, b.high_value, b.base_expected_pnl, b.expected_pnl_low,
                  b.expected_pnl_high, b.base_cvar, b.cvar_low, b.cvar_high) for b in run.tornado)
    cols = (Column("Input"), Column("Step"), Column("Low value"), Column("Base value"), Column("High value"),
            Column(f"Baseline expected {npv} (USD m)", USD_M, "On the tornado's trials, every input at its value."),
            Column(f"Expected {npv} with the input at its low value (USD m)", USD_M),
            Column(f"Expected {npv} with the input at its high value (USD m)", USD_M),
            Column("Baseline CVaR (USD m)", USD_M, "On the tornado's trials, every input at its value."),
            Column("CVaR with the input at its low value (USD m)", USD_M),
            Column("CVaR with the input at its high value (USD m)", USD_M))
    return Table("tornado", "Sensitivity (tornado)", cols, rows, note=tornado_note(run))


def impact_table(run: RunResult, by: str = "sector") -> Table:
    imp = run.impact
    items = () if imp is None else {"sector": imp.by_sector, "state": imp.by_state, "project": imp.by_project}[by]
    rows = tuple((r.name, r.amount, r.jobs, r.value_added) for r in items)
    return Table(f"impact_by_{by}", f"Jobs and value added by {by}",
                 (Column(by.capitalize()), Column("Allocated (USD m)", USD_M),
                  Column("Jobs", JOBS, "Allocated times the sector's jobs per USD m."),
                  Column("Value added (USD m)", USD_M, "Allocated times the sector's value added per USD.")), rows)


#: Every results table, by key: what the consumers list.
TABLES: dict[str, Callable[..., Table]] = {
    **{f"allocation_by_{g}": (lambda run, g=g, **kw: allocation_table(run, g, **kw)) for g in GROUPS},
    **{f"contributions_by_{g}": (lambda run, g=g, **_: contributions_table(run, g))
       for g in ("sector", "instrument", "financier", "project")},
    "stress": lambda run, **_: stress_table(run),
    "tornado": lambda run, **_: tornado_table(run),
    **{f"impact_by_{g}": (lambda run, g=g, **_: impact_table(run, g)) for g in ("sector", "state")},
}


def definitions_markdown(run: RunResult) -> str:
    """The key figures as a Markdown table (label, unit, definition), for the docs."""
    lines = ["| key | label | unit | definition |", "|---|---|---|---|"]
    lines += [f"| `{f.key}` | {f.label} | {f.unit} | {f.definition} |" for f in key_figures(run)]
    return "\n".join(lines)


__all__ = ["BAND_LEVEL", "TABLES", "WHATIF_FIGURES", "Column", "KeyFigure", "Table", "allocation_explanation",
           "allocation_table",
           "cash_deployed", "contributions_table", "definitions_markdown", "format_value", "guarantee_exposure",
           "impact_table", "key_figure_map", "key_figures", "npv_label", "npv_name", "pct", "stress_table",
           "tornado_note", "tornado_table"]
