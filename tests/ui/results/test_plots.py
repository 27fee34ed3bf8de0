"""The result plots and tables drawn from a real run of the default scenario: the artists carry the run's numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ui.plots import figures, tables
from ui.plots.style import fmt_money, fmt_number, money_unit

TRIALS = 2_000


@pytest.fixture(scope="module")
def scn():
    from workbench.default_scenario import default_scenario

    return default_scenario()


@pytest.fixture(scope="module")
def run(scn):
    from workbench.allocation import frontier
    from workbench.pipeline import run_scenario
    from workbench.risk.engine import fit_sample

    result = run_scenario(scn, trials=TRIALS)
    front = frontier(scn.with_fields(Trials=TRIALS), fit_sample(scn.with_fields(Trials=TRIALS)), points=5)
    return dataclasses.replace(result, frontier=front)


@pytest.fixture(scope="module")
def other(scn):
    from workbench.pipeline import run_scenario

    return run_scenario(scn, trials=TRIALS, method="proportional", tornado=False, stress=False)


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0 and p.get_width() != 0]


def axes_by_title(fig: Figure) -> dict[str, object]:
    return {ax.get_title(): ax for ax in fig.axes}


def test_money_formats():
    assert fmt_money(1234.4) == "USD 1,234 m"
    assert fmt_money(550_000) == "USD 550.0 bn"
    assert fmt_money(-62_400) == "USD \u221262.4 bn"
    assert fmt_money(float("nan")) == "n/a"
    assert fmt_number(1_278_000) == "1,278,000"
    assert money_unit([9_999.0]) == (1.0, "USD m")
    assert money_unit([-10_000.0]) == (1000.0, "USD bn")


def test_allocation_bars_are_the_amounts_by_sector_instrument_financier(run):
    fig = Figure()
    figures.plot_allocation(fig, run)
    found = axes_by_title(fig)
    divisor, _ = money_unit([*run.allocation.by_sector.values(), *run.allocation.by_state.values(),
                             *run.allocation.by_instrument.values(), *run.allocation.by_financier.values()])
    for title, values in (("By sector", run.allocation.by_sector), ("By instrument", run.allocation.by_instrument),
                          ("By financier", run.allocation.by_financier)):
        widths = sorted(b.get_width() * divisor for b in bars(found[title]))
        expected = sorted(v for v in values.values() if abs(v) > 0)
        np.testing.assert_allclose(widths, expected, rtol=1e-9)
    # The state panel sums the smallest states into "Other": the total is still the allocation.
    states = sum(b.get_width() * divisor for b in bars(found["By state"]))
    assert states == pytest.approx(run.allocation.total, rel=1e-9)
    assert fmt_money(run.allocation.total) in fig._suptitle.get_text()


def test_distribution_marks_var_cvar_and_the_mean(run):
    fig = Figure()
    figures.plot_distribution(fig, run)
    ax = fig.axes[0]
    risk = run.risk
    divisor, unit = money_unit([risk.histogram_edges[0], risk.histogram_edges[-1]])
    lines = {line.get_label(): line.get_xdata()[0] * divisor for line in ax.lines}
    var_label = next(k for k in lines if k.startswith("VaR"))
    cvar_label = next(k for k in lines if k.startswith("CVaR"))
    mean_label = next(k for k in lines if k.startswith("Expected"))
    assert lines[var_label] == pytest.approx(-risk.var)
    assert lines[cvar_label] == pytest.approx(-risk.cvar)
    assert lines[mean_label] == pytest.approx(risk.expected_pnl)
    assert fmt_money(risk.cvar, unit) in cvar_label
    # The histogram is a density: the bins' areas add up to one.
    main = next(p for p in ax.patches if p.get_label() == "NPV at 5 %")
    tail = next(p for p in ax.patches if p.get_label().startswith("worst"))

    def bin_areas(patch):
        values, edges, _baseline = patch.get_data()
        return np.asarray(values) * np.diff(edges)

    assert bin_areas(main).sum() == pytest.approx(1.0, rel=1e-6)
    counts = np.asarray(risk.histogram_counts, dtype=float)
    np.testing.assert_allclose(bin_areas(main), counts / counts.sum(), rtol=1e-9, atol=1e-15)
    # The shaded tail holds the worst 1 - confidence of the trials, give or take the bin VaR falls in.
    assert abs(bin_areas(tail).sum() - (1 - risk.confidence)) <= bin_areas(main).max() + 1e-9


def test_fan_chart_median_is_the_fan_median(run):
    fig = Figure()
    figures.plot_fan(fig, run)
    ax = fig.axes[0]
    fan = run.risk.fan
    divisor, _ = money_unit([np.min(fan.values), np.max(fan.values)])
    median = next(line for line in ax.lines if line.get_label() == "Median")
    np.testing.assert_allclose(median.get_ydata() * divisor, fan.values[list(fan.percentiles).index(50)])
    np.testing.assert_array_equal(median.get_xdata(), fan.years)


def test_contribution_bars_add_up_to_cvar(run):
    fig = Figure()
    figures.plot_contributions(fig, run)
    ax = axes_by_title(fig)["By sector"]
    every = [v for part in run.risk.contributions.values() for v in part.values()]
    divisor, _ = money_unit(every)
    total = sum(b.get_width() * divisor for b in ax.patches if isinstance(b, Rectangle))
    assert total == pytest.approx(run.risk.cvar, rel=1e-6)


def test_stress_bars_are_the_changes(run):
    assert run.stress, "the default scenario has risk events, so stress tests"
    fig = Figure()
    figures.plot_stress(fig, run)
    ax = axes_by_title(fig)["Change of expected NPV at 5 %"]
    changes = [s.expected_pnl_change for s in run.stress]
    divisor, _ = money_unit([*changes, *(s.cvar_change for s in run.stress)])
    widths = [b.get_width() * divisor for b in ax.patches if isinstance(b, Rectangle)]
    np.testing.assert_allclose(widths, changes, rtol=1e-9)
    assert [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()] == [s.name for s in run.stress]  # wrapped


def test_tornado_bars_go_from_the_base_to_low_and_high(run):
    fig = Figure()
    figures.plot_tornado(fig, run)
    ax = fig.axes[0]
    base = run.tornado[0].base_expected_pnl
    lows = {b.expected_pnl_low for b in run.tornado}
    highs = {b.expected_pnl_high for b in run.tornado}
    divisor, _ = money_unit([base, *lows, *highs])
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rects) == 2 * min(len(run.tornado), 15)
    for r in rects:
        assert r.get_x() * divisor == pytest.approx(base, rel=1e-9)
        end = (r.get_x() + r.get_width()) * divisor
        assert min(abs(end - v) for v in lows | highs) <= 1e-6 * abs(base) + 1e-6


def test_frontier_marks_the_current_allocation(run):
    fig = Figure()
    figures.plot_frontier(fig, run)
    ax = fig.axes[0]
    pts = run.frontier.points
    divisor, _ = money_unit([*(p.expected_pnl for p in pts), *(p.cvar for p in pts), *(p.std for p in pts),
                             run.risk.expected_pnl, run.risk.cvar])
    star = next(line for line in ax.lines if line.get_label().startswith("Current allocation"))
    assert star.get_xdata()[0] * divisor == pytest.approx(run.risk.cvar)
    assert star.get_ydata()[0] * divisor == pytest.approx(run.risk.expected_pnl)
    front = next(line for line in ax.lines if line.get_label() == "Efficient frontier")
    assert len(front.get_xdata()) == len(pts)


def test_frontier_absent_says_how_to_get_it(run):
    fig = Figure()
    figures.plot_frontier(fig, dataclasses.replace(run, frontier=None))
    assert "frontier" in fig.axes[0].texts[0].get_text()


def test_impact_and_state_map_show_jobs_and_amounts(run):
    fig = Figure()
    figures.plot_impact(fig, run)
    found = axes_by_title(fig)
    jobs = sorted(b.get_width() * 1000 for b in bars(found["Jobs by sector"]))
    np.testing.assert_allclose(jobs, sorted(r.jobs for r in run.impact.by_sector if r.jobs > 0))
    fig = Figure()
    figures.plot_allocation_states(fig, run)
    texts = {t.get_text() for t in fig.axes[0].texts}
    top_state, top_amount = max(run.allocation.by_state.items(), key=lambda kv: kv[1])
    divisor, _ = money_unit(run.allocation.by_state.values())
    assert top_state in texts
    assert f"{top_amount / divisor:,.1f}" in texts


def test_compare_overlays_both_distributions_and_lists_differences(run, other):
    fig = Figure()
    figures.plot_compare(fig, run, other=other, label="Mean-variance", other_label="Proportional")
    ax_dist, ax_diff = fig.axes[:2]
    labels = [line.get_label() for line in ax_dist.lines]
    assert any(lab.startswith("Mean-variance VaR") for lab in labels)
    assert any(lab.startswith("Proportional CVaR") for lab in labels)
    assert len([p for p in ax_dist.patches if type(p).__name__ == "StepPatch"]) == 2
    money = [d for _, _, _, d, kind in figures.key_differences(run, other) if kind == "money"]
    divisor, _ = money_unit(money)
    widths = [p.get_width() * divisor for p in ax_diff.patches if isinstance(p, Rectangle)]
    np.testing.assert_allclose(widths, money, rtol=1e-9, atol=1e-6)
    rows = tables.compare_table(run, other=other, label="Mean-variance", other_label="Proportional")
    names = [r[0] for r in rows.rows]
    assert "Expected NPV at 5 %" in names
    row = rows.rows[names.index("Expected NPV at 5 %")]
    assert row[3] == fmt_money(run.risk.expected_pnl - other.risk.expected_pnl)   # the core formats as the plots do


def test_every_plot_draws_something_or_says_why(run):
    for name in ("plot_summary", "plot_allocation", "plot_allocation_states", "plot_distribution", "plot_fan",
                 "plot_frontier", "plot_contributions", "plot_stress", "plot_tornado", "plot_impact", "plot_compare"):
        for value in (run, None):
            fig = Figure()
            getattr(figures, name)(fig, value)
            assert fig.axes, name
            has_data = any(ax.has_data() for ax in fig.axes)
            has_text = any(ax.texts for ax in fig.axes)
            assert has_data or has_text, name


def test_tables_hold_the_run(run, scn):
    alloc = tables.allocation_by_project(run, scenario=scn)
    assert len(alloc.rows) == len(run.allocation.amounts)
    amount_col = [h.replace("\n", " ") for h in alloc.headers].index("Allocated (USD m)")   # long headers wrap
    assert sum(r[amount_col] for r in alloc.rows) == pytest.approx(run.allocation.total)
    assert all(r[1] for r in alloc.rows)       # project names come from the scenario
    keys = tables.key_figures_table(run)
    values = dict(keys.rows)
    assert values["Expected NPV at 5 %"].startswith(fmt_money(run.risk.expected_pnl) + " (95 % band ")
    assert values["Cash deployed (equity and loans)"] == fmt_money(run.allocation.by_instrument["Equity"]
                                                                   + run.allocation.by_instrument["Loan"])
    assert values["Guarantee exposure (face value)"] == fmt_money(run.allocation.by_instrument["Guarantee"])
    tips = dict(zip((r[0] for r in keys.rows), keys.tooltips))
    assert tips["P(NPV at 5 % below zero)"].startswith("The share of trials whose NPV at 5 % is below zero")
    stress = tables.stress_table(run)
    assert len(stress.rows) == len(run.stress)
    contrib = tables.contributions_table(run)
    by_sector = [r for r in contrib.rows if r[0] == "Sector"]
    assert sum(r[2] for r in by_sector) == pytest.approx(run.risk.cvar, rel=1e-6)
