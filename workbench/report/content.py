"""What a briefing says, independent of the file format: headings, sentences, tables, plots.

:func:`build_briefing` turns a scenario and its run into a :class:`Briefing`, a list of
blocks that the Word and PDF writers lay out the same way. Every figure comes from the
core's results vocabulary (:mod:`workbench.figures`): its label, its value as
:func:`~workbench.figures.format_value` writes it, its definition. Nothing here formats a
result a second way, so the document, the app and ``workbench run`` always agree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench import figures as kf
from workbench import schema
from workbench.sources import GRADE_MEANING, describe_key, orphans, overdue, unsourced

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.results import RunResult
    from workbench.scenario import Scenario


# ------------------------------------------------------------------ blocks
@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    style: str = "body"          # body, note (small), flag (warning colour), bullet


@dataclass(frozen=True)
class TableBlock:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()   # relative column widths; equal when empty
    numeric: tuple[bool, ...] = ()   # right-aligned columns
    small: bool = False
    key: str = ""                    # which table (key_figures, stress, ...) for tests and readers


@dataclass(frozen=True)
class Plot:
    title: str
    draw: Callable[[Figure], None] = field(compare=False)
    aspect: float = 0.55             # height / width
    caption: str = ""


@dataclass(frozen=True)
class Landscape:
    """From here on, pages are landscape (the annex's wide input tables)."""


Block = Heading | Para | TableBlock | Plot | Landscape


@dataclass(frozen=True)
class Briefing:
    title: str
    meta: tuple[tuple[str, str], ...]   # the title block: (item, value)
    blocks: tuple[Block, ...]
    footer: str = ""

    def tables(self) -> dict[str, TableBlock]:
        return {b.key: b for b in self.blocks if isinstance(b, TableBlock) and b.key}


# ------------------------------------------------------------------ helpers
def cell(value: object, unit: str = "") -> str:
    """A table cell: a number in a results column through :func:`workbench.figures.format_value`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit and isinstance(value, (int, float)):
        return kf.format_value(float(value), unit)
    return str(value)


def core_table(table: kf.Table, *, drop: Sequence[str] = (), small: bool = False,
               widths: Sequence[float] = ()) -> TableBlock:
    """A results table of the core as a document table (its headers, its units)."""
    keep = [j for j, c in enumerate(table.columns) if c.header not in drop]
    # the cells carry their unit (USD 1.2 bn, USD 850 m), so the header need not
    headers = tuple(table.columns[j].header.replace(" (USD m)", "") if table.columns[j].unit == kf.USD_M
                    else table.columns[j].header for j in keep)
    rows = tuple(tuple(cell(r[j], table.columns[j].unit) for j in keep) for r in table.rows)
    numeric = tuple(bool(table.columns[j].unit) for j in keep)
    return TableBlock(headers, rows, tuple(widths), numeric, small, table.key)


def input_cell(value: Any, col: schema.Column) -> str:
    """An input value as entered (fractions as exact percentages), for the annex."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or col.kind == "bool":
        return "yes" if bool(value) else "no"
    if col.is_numeric or col is schema.SHOCK_COLUMN:
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        if col.kind == "fraction" or col is schema.SHOCK_COLUMN:
            return kf.pct(x, 4)
        if col.kind == "integer" or (x.is_integer() and abs(x) < 1e15):
            return f"{int(x):,}" if col.name not in ("Start year", "Random seed") else str(int(x))
        return f"{x:,.6g}"
    return str(value)


# ------------------------------------------------------------------ the answer
def answer(run: RunResult, scn: Scenario) -> tuple[str, str, str]:
    """The answer in three sentences: the allocation; expected NPV (defined), CVaR and the
    probability measures; the largest risk."""
    f = kf.key_figure_map(run)
    npv = kf.npv_name(run)
    sectors = sorted(run.allocation.by_sector.items(), key=lambda kv: -kv[1])
    financiers = sorted(run.allocation.by_financier.items(), key=lambda kv: -kv[1])
    size = run.programme_size
    top = " and ".join(f"{k} {kf.format_value(v, kf.USD_M)} ({kf.format_value(v / size, kf.FRACTION)})"
                    for k, v in sectors[:2] if v > 0)
    fin = financiers[0] if financiers and financiers[0][1] > 0 else None
    one = (f"The {run.method} allocation commits {f['total_committed'].text()} of the "
           f"{f['programme_size'].text()} programme ({f['cash_deployed'].text()} in cash, "
           f"{f['guarantee_exposure'].text()} in guarantees), most to {top}"
           + (f", with {fin[0]} the largest financier ({kf.format_value(fin[1], kf.USD_M)})" if fin else "") + ".")
    e = f["expected_npv"]
    two = (f"{e.label} is {e.text()}, the mean over {run.trials:,} trials of the discounted cash returned and "
           f"guarantee fees, minus guarantee payouts and the cash invested; {f['cvar'].label} is a loss of "
           f"{f['cvar'].text()}, {f['prob_npv_below_zero'].label} is {f['prob_npv_below_zero'].text()} and "
           f"{f['prob_cash_loss'].label} is {f['prob_cash_loss'].text()}.")
    three = _largest_risk(run, npv)
    return one, two, three


def _largest_risk(run: RunResult, npv: str) -> str:
    worst = min((s for s in run.stress if not s.user_defined and "together" not in s.name.lower()
                 and not s.name.lower().startswith("all ")),
                key=lambda s: s.expected_pnl_change, default=None)
    contrib = sorted(run.risk.contributions.get("sector", {}).items(), key=lambda kv: -kv[1])
    parts = []
    if worst is not None:
        parts.append(f"The largest single risk is {worst.name}: if it starts in the first year, expected {npv} "
                     f"changes by {kf.format_value(worst.expected_pnl_change, kf.USD_M)} and CVaR by "
                     f"{kf.format_value(worst.cvar_change, kf.USD_M)}")
    if contrib:
        k, v = contrib[0]
        share = v / run.risk.cvar if run.risk.cvar else math.nan
        lead = "; " if parts else "The largest risk is concentration: "
        parts.append(f"{lead}{k} contributes most to CVaR ({kf.format_value(v, kf.USD_M)}, "
                     f"{kf.format_value(share, kf.FRACTION)} of it)")
    return ("".join(parts) + ".") if parts else "The run has no stress tests or contributions to name a largest risk."


# ------------------------------------------------------------------ the briefing
def build_briefing(scn: Scenario, run: RunResult, *, author: str = "", today: dt.date | None = None,
                   snapshot: str = "", app_version: str = "") -> Briefing:
    """The briefing of ``run`` (a run of ``scn``): every block in reading order."""
    from workbench.report import plots

    today = today or dt.date.today()
    ran = run.options.apply(scn) if run.options is not None else scn
    meta = [("Scenario", scn.name), ("Author", author or str(scn.field("Author") or "")),
            ("Date", today.isoformat()), ("Content hash", scn.content_hash()),
            ("App version", app_version), ("Method", run.method), ("Seed", str(run.seed)),
            ("Trials", f"{run.trials:,}")]
    if snapshot:
        meta.insert(1, ("Snapshot", snapshot))
    b: list[Block] = [Heading("The answer"), *(Para(s) for s in answer(run, scn))]

    b += [Heading("Key figures"),
          Para(f"Every amount is in US dollars; {kf.npv_name(run)} discounts at the scenario's rate. Bands are "
               f"{kf.pct(kf.BAND_LEVEL)} Monte Carlo bands over {run.trials:,} trials.", "note"),
          TableBlock(("Figure", "Value", "Definition"),
                     tuple((f.label, f.text(), f.definition) for f in kf.key_figures(run)),
                     (2.2, 2.2, 4.6), (False, True, False), True, "key_figures")]

    b += [Heading("Allocation"),
          core_table(kf.allocation_table(run, "sector"), widths=(2.6, 1.6, 1.4, 1.8)),
          core_table(kf.allocation_table(run, "financier"), widths=(2.6, 1.6, 1.4, 1.8)),
          Plot("Allocation by sector and by financier", lambda fig: plots.allocation(fig, run), 0.42)]

    b += [Heading("Why not the whole programme, and which limits bind")]
    why = kf.allocation_explanation(run)
    b.append(Para(why or "The whole programme is allocated."))
    binding = run.allocation.binding
    if binding:
        b.append(TableBlock(("Limit", "What it costs"), tuple((x.source, x.text) for x in binding), (3.5, 5.5),
                            small=True, key="binding"))
    else:
        b.append(Para("No limit binds at the allocation found.", "note"))
    b.append(Para(f"Allocation status: {run.allocation.status}.", "note"))

    b += [Heading("Risk"),
          Plot("Distribution of NPV", lambda fig: plots.distribution(fig, run), 0.5),
          Plot("Portfolio value by year", lambda fig: plots.fan(fig, run), 0.45),
          Plot("Contributions to CVaR by sector", lambda fig: plots.contributions(fig, run), 0.42)]
    if run.stress:
        b += [Heading("Stress tests", 2),
              core_table(kf.stress_table(run), drop=("What happens", "User-defined"), small=True,
                         widths=(3.0, 1.5, 1.3, 1.3, 1.3, 1.3)),
              Para(kf.stress_table(run).note, "note"),
              Plot("Stress tests", lambda fig: plots.stress(fig, run), 0.5)]
    if run.tornado:
        b += [Heading("Sensitivity", 2), Para(kf.tornado_note(run), "note"),
              Plot("Sensitivity (tornado)", lambda fig: plots.tornado(fig, run), 0.75)]
    b.append(Para("Switching values (how far an input must move to change the answer) are not part of a run; "
                  "`workbench switching` computes them.", "note"))

    b += _register(scn, today)
    b += [Landscape(), Heading("Annex: the input tables")]
    b += _inputs(ran)
    footer = f"{scn.name} · content {scn.content_hash()[:12]} · seed {run.seed} · {run.trials:,} trials"
    return Briefing(f"Briefing: {scn.name}", tuple(meta), tuple(b), footer)


def _register(scn: Scenario, today: dt.date) -> list[Block]:
    out: list[Block] = [Heading("Assumptions and their sources")]
    late = {k for k, _ in overdue(scn, today)}
    lost = set(orphans(scn))
    gaps = unsourced(scn)
    grades = "; ".join(GRADE_MEANING[g] for g in GRADE_MEANING)
    if not scn.sources:
        out.append(Para("The scenario has no assumption register: no input number has a recorded source.", "flag"))
    else:
        out.append(Para(f"{len(scn.sources)} register entries. Grades: {grades}.", "note"))
        rows = []
        for key, src in scn.sources.items():
            flag = "; ".join(w for w, on in (("overdue", key in late), ("row or column not found", key in lost),
                                             ("no source", not src.has_source)) if on)
            said = f"{src.source} ({src.note})" if src.note else src.source
            rows.append((describe_key(key), said, src.date, src.owner, src.grade, src.review_by, flag))
        out.append(TableBlock(("Covers", "Source (note)", "Date", "Owner", "Grade", "Review by", "Flag"),
                              tuple(rows), (2.2, 3.6, 1.3, 1.5, 0.8, 1.3, 1.0), small=True, key="register"))
    if late:
        out.append(Para(f"Overdue for review ({len(late)}): " + "; ".join(describe_key(k) for k in sorted(late))
                        + ".", "flag"))
    else:
        out.append(Para(f"No entry is past its review-by date on {today.isoformat()}.", "note"))
    if gaps:
        n = sum(len(g.columns) for g in gaps)
        out.append(Para(f"Unsourced ({n} numbers in {len(gaps)} rows): no register entry with a source covers "
                        "them.", "flag"))
        out.append(TableBlock(("Sheet", "Row", "Numbers without a source"),
                              tuple((g.table, g.row, ", ".join(g.columns)) for g in gaps), (1.6, 2.4, 5.0),
                              small=True, key="unsourced"))
    else:
        out.append(Para("Every input number has a source.", "note"))
    return out


def _inputs(scn: Scenario) -> list[Block]:
    out: list[Block] = [Heading("Scenario", 2)]
    rows: tuple[tuple[str, ...], ...] = tuple(
        (c.name, input_cell(scn.fields.get(c.name), c)) for c in schema.SCENARIO_FIELDS.columns
        if scn.fields.get(c.name) is not None and input_cell(scn.fields.get(c.name), c) != "")
    out.append(TableBlock(("Field", "Value"), rows, (3.0, 7.0), small=True, key="input_Scenario"))
    for name, table in schema.TABLES.items():
        frame = scn.table(name)
        if frame.empty:
            continue
        cols = list(frame.columns)
        specs = [table.by_name.get(c, schema.SHOCK_COLUMN) for c in cols]
        data = [frame[c].tolist() for c in cols]
        rows = tuple(tuple(input_cell(data[j][i], specs[j]) for j in range(len(cols))) for i in range(len(frame)))
        numeric = tuple(s.is_numeric or s is schema.SHOCK_COLUMN for s in specs)
        widths = tuple(2.4 if c in ("Project", "Event", "Sponsor") else 1.0 for c in cols)
        out += [Heading(name, 2), TableBlock(tuple(cols), rows, widths, numeric, True, f"input_{name}")]
    corr = scn.correlations
    if corr is not None:
        labels = [str(x) for x in corr.index]
        rows = tuple((a, *(input_cell(corr.at[a, c], schema.Column(c, "number")) for c in corr.columns))
                     for a in labels)
        out += [Heading("Correlations", 2),
                TableBlock(("Sector", *map(str, corr.columns)), rows, (), (False, *([True] * len(corr.columns))),
                           True, "input_Correlations")]
    return out
